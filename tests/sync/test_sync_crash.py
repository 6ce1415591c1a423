"""Crash safety: a kill at any step of a listing's write, then a normal run.

The kill is a ``BaseException`` raised from an injected hook, so no ``except
Exception`` in the engine can swallow it, like a real kill.  After it, a
normal run must reach exactly the state a run without faults reaches: the same
stock on both sides, bases that agree with what Etsy holds, and every decision
in the log exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.options import SyncOptions
from tests.sync.test_support import Env, linked_listing, make_env


class Kill(BaseException):
    """The process dies here."""


class KillAt(SyncHooks):
    """Kill the run at ``step`` of ``listing_id`` (once), after running ``just_before``."""

    def __init__(
        self, step: str, listing_id: int, just_before: Callable[[], None] | None = None
    ) -> None:
        self.step = step
        self.listing_id = listing_id
        self.just_before = just_before
        self.fired = False

    def _at(self, step: str, listing_id: int) -> None:
        if self.fired or step != self.step or listing_id != self.listing_id:
            return
        self.fired = True
        if self.just_before is not None:
            self.just_before()
        raise Kill(step)

    def before_write_ahead(self, listing_id: int) -> None:
        self._at("before_write_ahead", listing_id)

    def after_write_ahead(self, listing_id: int) -> None:
        self._at("after_write_ahead", listing_id)

    def after_put(self, listing_id: int) -> None:
        self._at("after_put", listing_id)

    def after_state_change(self, listing_id: int) -> None:
        self._at("after_state_change", listing_id)

    def after_commit(self, listing_id: int) -> None:
        self._at("after_commit", listing_id)


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def shop_with_one_of_each(env: Env) -> dict[str, int]:
    """Four linked listings, each about to get a different decision."""
    ids = {
        "push": linked_listing(env, "PUSH", etsy=5, local=5),
        "merge": linked_listing(env, "MERGE", etsy=5, local=5),
        "pull": linked_listing(env, "PULL", etsy=4, local=4),
        "zero": linked_listing(env, "ZERO", etsy=2, local=2),
    }
    env.set_local("PUSH", 3)
    env.set_local("MERGE", 4)
    env.server.simulate_purchase(ids["merge"], 1)
    env.server.simulate_purchase(ids["pull"], 2)
    env.set_local("ZERO", 0)
    return ids


DEFAULT_IN_FLIGHT = SyncOptions(shop_id=1).writes_in_flight
WRITES_ETSY = {"push": 1, "merge": 1, "zero": 0}  # inventory PUTs; "zero" only deactivates
EXPECTED_STOCK = {"PUSH": (3, 3), "MERGE": (3, 3), "PULL": (2, 2), "ZERO": (0, 2)}
EXPECTED_LOG = {
    "PUSH": ["no_change", "push_to_etsy"],
    "MERGE": ["no_change", "merge"],
    "PULL": ["no_change", "pull_from_etsy"],
    "ZERO": ["no_change", "push_to_etsy"],
}


def assert_final_state(env: Env, ids: dict[str, int]) -> None:
    for sku, (local, etsy) in EXPECTED_STOCK.items():
        listing_id = ids[{"PUSH": "push", "MERGE": "merge", "PULL": "pull", "ZERO": "zero"}[sku]]
        assert env.local(sku) == local, sku
        assert env.etsy(listing_id) == {f"sku:{sku}": etsy}, sku
        pool = env.pools(listing_id)[f"sku:{sku}"]
        assert (pool.base_local, pool.base_etsy) == (local, etsy), sku
        assert [r.sync_action for r in env.log(listing_id)] == EXPECTED_LOG[sku], sku
        assert env.listing_row(listing_id).pending_write is None
    assert env.etsy_state(ids["zero"]) == "inactive"
    assert env.listing_row(ids["zero"]).deactivated_by_etsysync


def test_without_faults(env: Env) -> None:
    ids = shop_with_one_of_each(env)
    result = env.service().sync_inventory("manual")
    assert result.status == "completed"
    assert_final_state(env, ids)


KILL_POINTS = [
    ("before_write_ahead", "merge"),
    ("after_write_ahead", "merge"),
    ("after_put", "merge"),
    ("after_commit", "merge"),
    ("before_write_ahead", "push"),
    ("after_put", "push"),
    ("after_write_ahead", "zero"),
    ("after_state_change", "zero"),
    ("after_commit", "pull"),
]


RESUMED = "completed after an interrupted run"


@pytest.mark.parametrize("in_flight", [1, DEFAULT_IN_FLIGHT])
@pytest.mark.parametrize(("step", "which"), KILL_POINTS)
def test_a_kill_at_any_step_then_a_normal_run_ends_as_without_faults(
    env: Env, step: str, which: str, in_flight: int
) -> None:
    """One write at a time, only the killed listing's write can have landed unfinished.
    With several in flight, the other listings' writes in flight at the kill are left
    too (their records stay, as after a real kill): each is then either completed by
    recovery or decided again, and every listing's Etsy write is sent exactly once."""
    ids = shop_with_one_of_each(env)
    env.server.reset_stats()
    with pytest.raises(Kill):
        env.service(hooks=KillAt(step, ids[which]), writes_in_flight=in_flight).sync_inventory(
            "manual"
        )
    assert env.runs()[-1].status == "failed"
    result = env.service(writes_in_flight=in_flight).sync_inventory("manual")
    assert result.status == "completed"
    assert_final_state(env, ids)
    landed = step in ("after_put", "after_state_change")
    resumed = [r for r in env.log() if RESUMED in (r.message or "")]
    assert result.recovered == len({r.etsy_listing_id for r in resumed})
    if in_flight == 1:
        assert result.recovered == (1 if landed else 0)
    else:
        assert (1 if landed else 0) <= result.recovered <= len(WRITES_ETSY)
    if landed:
        last = env.log(ids[which])[-1]
        assert RESUMED in (last.message or "")
    # Each Etsy write sent once over both runs: a landed write is completed, not resent.
    assert env.calls("updateListingInventory") == sum(WRITES_ETSY.values())
    assert env.calls("updateListing") == 1  # the zero-stock deactivation
    env.server.reset_stats()
    steady = env.service().sync_inventory("manual")
    assert (steady.counts.pushes, steady.counts.pulls, steady.counts.merges) == (0, 0, 0)
    assert env.calls("updateListingInventory") == env.calls("updateListing") == 0
    assert_final_state(env, ids)


def test_a_local_sale_during_an_interrupted_write_is_kept(env: Env) -> None:
    ids = shop_with_one_of_each(env)
    sale = KillAt("after_put", ids["merge"], just_before=lambda: env.set_local("MERGE", 3))
    with pytest.raises(Kill):
        env.service(hooks=sale).sync_inventory("manual")
    env.service().sync_inventory("manual")  # completes the merge (3), keeps the sale (2)
    env.service().sync_inventory("manual")
    assert env.local("MERGE") == 2
    assert env.etsy(ids["merge"]) == {"sku:MERGE": 2}
    actions = [r.sync_action for r in env.log(ids["merge"])]
    assert actions == ["no_change", "merge", "push_to_etsy"]
