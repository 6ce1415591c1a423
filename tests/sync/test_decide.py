"""The three-way stock decision (etsysync_gui.sync.inventory.decide).

Properties are proved exhaustively over small ranges (no hypothesis): every
combination of bases, local and Etsy quantities in the ranges below.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.sync.inventory.decide import (
    ETSY_MAX_QUANTITY,
    Action,
    FirstTruth,
    PoolDecision,
    PoolState,
    decide,
)

BASES = range(7)
SIDES = range(9)


def state(local: int, etsy: int, base: int | None, base_etsy: int | None = None) -> PoolState:
    """Both bases equal unless ``base_etsy`` is given."""
    return PoolState(local, etsy, base, base if base_etsy is None else base_etsy)


def applied(decision: PoolDecision) -> PoolState:
    """The engine's step after applying a decision: both sides written, new bases stored."""
    return PoolState(decision.new_local, decision.new_etsy, decision.new_local, decision.new_etsy)


def all_states() -> Iterator[PoolState]:
    for base_local, base_etsy, local, etsy in itertools.product(BASES, BASES, SIDES, SIDES):
        yield PoolState(local, etsy, base_local, base_etsy)
    for local, etsy in itertools.product(SIDES, SIDES):
        yield PoolState(local, etsy, None, None)


# --- the rules, one by one ---------------------------------------------------------


def test_nothing_changed() -> None:
    d = decide(state(5, 5, 5))
    assert (d.action, d.new_local, d.new_etsy, d.conflict, d.clamped) == (
        Action.NO_CHANGE,
        5,
        5,
        False,
        False,
    )


def test_only_local_changed_pushes_local() -> None:
    d = decide(state(8, 5, 5))
    assert (d.action, d.new_local, d.new_etsy) == (Action.PUSH, 8, 8)
    assert d.reason == "added 3 locally since the last sync: Etsy 5 → 8"


def test_only_etsy_changed_pulls() -> None:
    d = decide(state(5, 3, 5))
    assert (d.action, d.new_local, d.new_etsy) == (Action.PULL, 3, 3)
    assert d.reason == "sold 2 on Etsy since the last sync: local 5 → 3"


def test_pull_applies_etsy_change_to_the_local_base() -> None:
    # Bases differ (Etsy kept 3 while local went to 0 and the listing was left to sell out).
    d = decide(state(0, 2, 0, base_etsy=3))
    assert (d.action, d.new_local, d.new_etsy) == (Action.NO_CHANGE, 0, 2)
    assert "cannot go below 0" in d.reason
    d = decide(state(1200, 995, 1200, base_etsy=999))
    assert (d.action, d.new_local, d.new_etsy) == (Action.PULL, 1196, 995)


def test_both_changed_merges_both_sales() -> None:
    d = decide(state(4, 3, 5))
    assert (d.action, d.new_local, d.new_etsy, d.conflict) == (Action.MERGE, 2, 2, False)
    assert d.reason == "sold 2 on Etsy and 1 locally since the last sync: 5 → 2"


def test_merge_of_a_sale_and_a_restock() -> None:
    d = decide(state(9, 4, 5))
    assert (d.action, d.new_local, d.new_etsy) == (Action.MERGE, 8, 8)
    assert d.reason == "sold 1 on Etsy and added 4 locally since the last sync: 5 → 8"


def test_merge_floors_at_zero() -> None:
    d = decide(state(0, 1, 2))
    assert (d.action, d.new_local, d.new_etsy) == (Action.MERGE, 0, 0)
    assert "would be -1" in d.reason


def test_sale_on_each_side_ends_both_at_base_minus_two() -> None:
    """A sale on Etsy and a local sale of the same item between two syncs end with both
    sides at base − 2."""
    for base in range(2, 20):
        d = decide(state(base - 1, base - 1, base))
        assert (d.new_local, d.new_etsy) == (base - 2, base - 2)
        assert decide(applied(d)).action is Action.NO_CHANGE


def test_local_wins() -> None:
    d = decide(state(4, 3, 5), policy=ConflictPolicy.LOCAL_WINS)
    assert (d.action, d.new_local, d.new_etsy, d.conflict) == (Action.PUSH, 4, 4, True)
    assert d.reason.endswith("local wins: Etsy 3 → 4")


def test_etsy_wins() -> None:
    d = decide(state(4, 3, 5), policy=ConflictPolicy.ETSY_WINS)
    assert (d.action, d.new_local, d.new_etsy, d.conflict) == (Action.PULL, 3, 3, True)


def test_skip_writes_nothing_and_flags_a_conflict() -> None:
    s = state(4, 3, 5)
    d = decide(s, policy=ConflictPolicy.SKIP)
    assert (d.action, d.new_local, d.new_etsy, d.conflict) == (Action.SKIP, 4, 3, True)
    assert "left for you to resolve" in d.reason
    # Bases stay as they were after a skip, so the conflict shows again next time.
    assert decide(s, policy=ConflictPolicy.SKIP) == d


def test_one_sided_change_is_not_a_conflict_under_any_policy() -> None:
    for policy in ConflictPolicy:
        assert decide(state(5, 3, 5), policy=policy).action is Action.PULL
        assert decide(state(7, 5, 5), policy=policy).action is Action.PUSH


# --- new links ----------------------------------------------------------------------


def test_new_link_etsy_is_the_default_truth() -> None:
    d = decide(state(3, 5, None))
    assert (d.action, d.new_local, d.new_etsy) == (Action.PULL, 5, 5)
    assert d.reason.startswith("newly linked")


def test_new_link_local_truth() -> None:
    d = decide(state(3, 5, None), first_truth=FirstTruth.LOCAL)
    assert (d.action, d.new_local, d.new_etsy) == (Action.PUSH, 3, 3)


def test_new_link_already_equal() -> None:
    for truth in FirstTruth:
        d = decide(state(4, 4, None), first_truth=truth)
        assert (d.action, d.new_local, d.new_etsy) == (Action.NO_CHANGE, 4, 4)


def test_new_link_local_truth_above_the_cap() -> None:
    d = decide(state(1500, 10, None), first_truth=FirstTruth.LOCAL)
    assert (d.action, d.new_local, d.new_etsy, d.clamped) == (Action.PUSH, 1500, 999, True)


# --- Etsy's cap ---------------------------------------------------------------------


def test_push_above_999_is_clamped_and_local_keeps_the_true_value() -> None:
    d = decide(state(1200, 500, 500))
    assert (d.action, d.new_local, d.new_etsy, d.clamped) == (Action.PUSH, 1200, 999, True)
    assert "at most 999" in d.reason
    after = applied(d)
    assert after.base_local != after.base_etsy
    assert decide(after).action is Action.NO_CHANGE


def test_local_change_above_the_cap_with_etsy_already_at_999_writes_nothing() -> None:
    d = decide(state(1300, 999, 1200, base_etsy=999))
    assert (d.action, d.new_local, d.new_etsy, d.clamped) == (Action.NO_CHANGE, 1300, 999, True)


def test_merge_above_999_is_clamped() -> None:
    d = decide(state(1100, 998, 1000, base_etsy=999))
    assert (d.action, d.new_local, d.new_etsy, d.clamped) == (Action.MERGE, 1099, 999, True)


def test_cap_holds_everywhere_near_it() -> None:
    near = range(990, 1010)
    for policy, (base, local, etsy) in itertools.product(
        ConflictPolicy, itertools.product(near, near, near)
    ):
        s = PoolState(local, min(etsy, ETSY_MAX_QUANTITY), base, min(base, ETSY_MAX_QUANTITY))
        d = decide(s, policy=policy)
        assert d.new_etsy <= ETSY_MAX_QUANTITY
        if d.clamped:
            assert d.new_etsy == ETSY_MAX_QUANTITY < d.new_local
        elif d.action in (Action.PUSH, Action.MERGE):
            assert d.new_etsy == d.new_local
        assert decide(applied(d), policy=policy).action is Action.NO_CHANGE


# --- exhaustive properties ------------------------------------------------------------


def test_merge_never_exceeds_what_is_really_left() -> None:
    for base, local, etsy in itertools.product(BASES, SIDES, SIDES):
        d = decide(state(local, etsy, base))
        dl, de = local - base, etsy - base
        bound = base + min(dl, 0) + min(de, 0) + max(dl, 0) + max(de, 0)
        assert d.new_local <= max(bound, 0)
        assert 0 <= d.new_etsy <= d.new_local
        if dl <= 0 and de <= 0:
            sold_local, sold_etsy = -dl, -de
            assert d.new_local == max(base - sold_local - sold_etsy, 0)
            assert d.new_etsy == d.new_local


def test_every_decision_is_idempotent() -> None:
    """Applying a decision and deciding again with the new bases changes nothing."""
    for s in all_states():
        for policy, truth in itertools.product(ConflictPolicy, FirstTruth):
            d = decide(s, policy=policy, first_truth=truth)
            if d.action is Action.SKIP:
                continue
            again = decide(applied(d), policy=policy, first_truth=truth)
            assert again.action is Action.NO_CHANGE, (s, policy, truth, d, again)
            assert (again.new_local, again.new_etsy) == (d.new_local, d.new_etsy)


def test_no_decision_is_negative_or_over_the_cap() -> None:
    for s in all_states():
        for policy, truth in itertools.product(ConflictPolicy, FirstTruth):
            d = decide(s, policy=policy, first_truth=truth)
            assert d.new_local >= 0
            assert 0 <= d.new_etsy <= ETSY_MAX_QUANTITY
            assert d.reason


def test_action_matches_what_is_written() -> None:
    for s in all_states():
        for policy in ConflictPolicy:
            d = decide(s, policy=policy)
            local_written = d.new_local != s.local
            etsy_written = d.new_etsy != s.etsy
            if d.action is Action.NO_CHANGE or d.action is Action.SKIP:
                assert not local_written
                assert not etsy_written
            elif d.action is Action.PUSH:
                assert etsy_written
                assert not local_written
            elif d.action is Action.PULL:
                assert local_written
                assert not etsy_written
            else:
                assert local_written or etsy_written


def test_merge_over_several_syncs_follows_the_real_stock() -> None:
    """Rounds of sales on both sides, synced after each: both sides end at the real stock."""
    rounds = list(itertools.product(range(3), range(3)))
    for start, first, second in itertools.product(range(7), rounds, rounds):
        real = start
        s = state(start, start, start)
        for sold_local, sold_etsy in (first, second):
            # Each side can only sell what it shows; together they may oversell.
            sold_local, sold_etsy = min(sold_local, s.local), min(sold_etsy, s.etsy)
            real = max(real - sold_local - sold_etsy, 0)
            s = PoolState(s.local - sold_local, s.etsy - sold_etsy, s.base_local, s.base_etsy)
            s = applied(decide(s))
            assert s.local == s.etsy == real


# --- types ---------------------------------------------------------------------------


def test_actions_are_the_audit_log_words() -> None:
    assert [a.value for a in Action] == [
        "no_change",
        "push_to_etsy",
        "pull_from_etsy",
        "merge",
        "skipped",
    ]


def test_policies_parse_from_settings_text() -> None:
    assert ConflictPolicy("local_wins") is ConflictPolicy.LOCAL_WINS
    assert FirstTruth("local") is FirstTruth.LOCAL


@pytest.mark.parametrize(
    ("local", "etsy", "base_local", "base_etsy"),
    [(-1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0), (0, 0, 0, -1), (0, 0, None, 0), (0, 0, 0, None)],
)
def test_invalid_states_are_refused(
    local: int, etsy: int, base_local: int | None, base_etsy: int | None
) -> None:
    with pytest.raises(ValueError, match=r"cannot be negative|must both be set"):
        PoolState(local, etsy, base_local, base_etsy)
