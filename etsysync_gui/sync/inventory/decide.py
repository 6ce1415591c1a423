"""The three-way stock decision for one stock pool.

Why three-way: comparing only "local" with "Etsy" cannot tell a sale on Etsy
from a restock at home; both just look like "different".  Remembering what each
side held right after the last successful sync (the BASES) turns the question
into "what changed where since then?", and sales on both sides can be merged
instead of one side overwriting the other.

Why TWO bases: normally both sides hold the same number after a sync, but not
always.  Etsy holds at most 999 per offering (see below), so a local
stock of 1200 leaves Etsy at 999; and when a listing is deactivated or left to
sell out at zero (``inventory_edit``), Etsy keeps its last quantity while local
says 0.  With one base such a sync would look like a change on the next run and
be "synced back" forever; with a base per side it is a steady state.

Contract with the engine: after a decision other than ``SKIP`` has been applied,
store ``base_local = new_local`` and ``base_etsy =`` the quantity Etsy really
holds (``new_etsy``, or Etsy's old quantity when the listing edit wrote nothing).
Re-deciding with unchanged sides then gives ``NO_CHANGE``.  After ``SKIP`` keep
the old bases, so the conflict is shown again until someone resolves it.

Assumptions (each the safe choice):

* Etsy's per-offering cap is 999: Etsy answers "quantity cannot be greater than
  999" (https://github.com/etsy/open-api/issues/214), while the
  updateListingInventory schema in the Open API v3 reference gives no maximum.
  Etsy gets ``min(true, 999)`` and the decision says ``clamped``.
* A pull never writes Etsy, even when Etsy ends up below the true stock (after a
  clamp, Etsy at 998 while local has 1199).  Etsy is topped up at the next
  local change; showing less than there is can never oversell.
* Under ``merge`` an increase on both sides counts as two separate restocks.
  If a seller typed the same restock on both sides it is counted twice; the
  plan review shows both additions in ``reason`` so it can be caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from etsysync_gui.policies import ConflictPolicy

ETSY_MAX_QUANTITY = 999


class Action(StrEnum):
    """What a decision does; the values are the audit log's ``sync_action`` words."""

    NO_CHANGE = "no_change"
    PUSH = "push_to_etsy"
    PULL = "pull_from_etsy"
    MERGE = "merge"
    SKIP = "skipped"


class FirstTruth(StrEnum):
    """Which side wins the first sync of a new link (no bases yet)."""

    ETSY = "etsy"
    LOCAL = "local"


@dataclass(frozen=True, slots=True)
class PoolState:
    """Both sides' current quantities and what each held right after the last sync.

    Both bases are ``None`` for a new link, or both are set.
    """

    local: int
    etsy: int
    base_local: int | None
    base_etsy: int | None

    def __post_init__(self) -> None:
        if (self.base_local is None) != (self.base_etsy is None):
            raise ValueError("base_local and base_etsy must both be set or both be None")
        for name in ("local", "etsy", "base_local", "base_etsy"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative, got {value}")


@dataclass(frozen=True, slots=True)
class PoolDecision:
    """The quantities both sides should hold after this sync.

    ``new_local`` is the true stock (except for ``SKIP``, where nothing moves);
    ``new_etsy`` is what Etsy should hold: the true stock capped at 999
    (``clamped``) for pushes and merges, Etsy's current quantity for pulls.
    ``conflict`` is set when both sides changed and the outcome drops one
    side's change (``local_wins`` / ``etsy_wins``) or leaves both (``skip``).
    """

    action: Action
    new_local: int
    new_etsy: int
    conflict: bool
    clamped: bool
    reason: str


def decide(
    state: PoolState,
    *,
    policy: ConflictPolicy = ConflictPolicy.MERGE,
    first_truth: FirstTruth = FirstTruth.ETSY,
) -> PoolDecision:
    """Decide one pool; pure and total over valid ``PoolState`` values."""
    if state.base_local is None or state.base_etsy is None:
        return _first_link(state, first_truth)
    d_local = state.local - state.base_local
    d_etsy = state.etsy - state.base_etsy
    if d_local == 0 and d_etsy == 0:
        return PoolDecision(
            Action.NO_CHANGE,
            state.local,
            state.etsy,
            conflict=False,
            clamped=False,
            reason=f"no change since the last sync (local {state.local}, Etsy {state.etsy})",
        )
    what = _changes(d_local, d_etsy) + " since the last sync"
    if d_etsy == 0:
        return _push(state, what)
    pulled = max(0, state.base_local + d_etsy)
    if d_local == 0:
        return _pull(state, pulled, what)
    if policy is ConflictPolicy.MERGE:
        raw = state.base_local + d_local + d_etsy
        true = max(0, raw)
        new_etsy, clamped = _cap(true)
        nothing_to_write = true == state.local and new_etsy == state.etsy  # floored at 0
        return PoolDecision(
            Action.NO_CHANGE if nothing_to_write else Action.MERGE,
            true,
            new_etsy,
            conflict=False,
            clamped=clamped,
            reason=f"{what}: {state.base_local} → {true}"
            + _floor_note(raw)
            + _clamp_note(clamped, true),
        )
    if policy is ConflictPolicy.LOCAL_WINS:
        return _push(state, what + "; local wins", conflict=True)
    if policy is ConflictPolicy.ETSY_WINS:
        return _pull(state, pulled, what + "; Etsy wins", conflict=True)
    return PoolDecision(
        Action.SKIP,
        state.local,
        state.etsy,
        conflict=True,
        clamped=False,
        reason=f"{what}; left for you to resolve (local {state.local}, Etsy {state.etsy})",
    )


def _first_link(state: PoolState, first_truth: FirstTruth) -> PoolDecision:
    if state.local == state.etsy:
        return PoolDecision(
            Action.NO_CHANGE,
            state.local,
            state.etsy,
            conflict=False,
            clamped=False,
            reason=f"newly linked; both sides already hold {state.local}",
        )
    if first_truth is FirstTruth.ETSY:
        return _pull(state, state.etsy, "newly linked, Etsy's stock is the starting point")
    return _push(state, "newly linked, local stock is the starting point")


def _push(state: PoolState, what: str, *, conflict: bool = False) -> PoolDecision:
    new_etsy, clamped = _cap(state.local)
    if new_etsy == state.etsy:
        return PoolDecision(
            Action.NO_CHANGE,
            state.local,
            state.etsy,
            conflict=conflict,
            clamped=clamped,
            reason=f"{what}: Etsy already holds {state.etsy}" + _clamp_note(clamped, state.local),
        )
    return PoolDecision(
        Action.PUSH,
        state.local,
        new_etsy,
        conflict=conflict,
        clamped=clamped,
        reason=f"{what}: Etsy {state.etsy} → {new_etsy}" + _clamp_note(clamped, state.local),
    )


def _pull(state: PoolState, true: int, what: str, *, conflict: bool = False) -> PoolDecision:
    floored = ""
    if state.base_local is not None and state.base_etsy is not None:
        floored = _floor_note(state.base_local + state.etsy - state.base_etsy)
    if true == state.local:
        action, outcome = Action.NO_CHANGE, f"local stays at {true}"
    else:
        action, outcome = Action.PULL, f"local {state.local} → {true}"
    return PoolDecision(
        action,
        true,
        state.etsy,
        conflict=conflict,
        clamped=False,
        reason=f"{what}: {outcome}{floored}",
    )


def _cap(true: int) -> tuple[int, bool]:
    if true > ETSY_MAX_QUANTITY:
        return ETSY_MAX_QUANTITY, True
    return true, False


def _clamp_note(clamped: bool, true: int) -> str:
    if not clamped:
        return ""
    return f" (Etsy holds at most {ETSY_MAX_QUANTITY}; local keeps {true})"


def _floor_note(raw: int) -> str:
    return f" (would be {raw}; stock cannot go below 0)" if raw < 0 else ""


def _change(delta: int, where: str) -> str:
    return f"sold {-delta} {where}" if delta < 0 else f"added {delta} {where}"


def _changes(d_local: int, d_etsy: int) -> str:
    """E.g. "sold 2 on Etsy and 1 locally", "added 3 locally"."""
    if not d_etsy:
        return _change(d_local, "locally")
    etsy = _change(d_etsy, "on Etsy")
    if not d_local:
        return etsy
    local = _change(d_local, "locally")
    if (d_local < 0) == (d_etsy < 0):
        local = local.split(" ", 1)[1]  # "sold 2 on Etsy and 1 locally"
    return f"{etsy} and {local}"
