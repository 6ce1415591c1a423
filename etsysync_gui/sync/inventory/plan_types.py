"""``SyncPlan``: everything an inventory sync would do, decided before anything is written.

Why a plan object: the seller can review it (``--dry-run``, the GUI's preview),
scripts can read it (``--json``), and ``apply`` executes exactly it, so what was
shown is what happens.  It holds, per listing, the decision for each linked
stock pool (quantities before and after, the reason in words, conflict and
clamp flags) and the listing edit (the full inventory PUT body or none,
deactivate / reactivate, left to sell out), plus totals.

Per pool, ``etsy_after`` is what Etsy will really hold after the listing edit:
the decision's ``new_etsy`` when the PUT is sent, Etsy's current quantity when
nothing can be written (zero-stock policy).  That is the value stored as
``base_etsy`` (see ``decide``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etsysync_gui.etsy.models import InventoryPut
from etsysync_gui.policies import ConflictPolicy, ZeroStockPolicy
from etsysync_gui.sync.inventory.decide import Action, FirstTruth, PoolDecision

LOG_ACTIONS = {
    Action.PUSH: "push_to_etsy",
    Action.PULL: "pull_from_etsy",
    Action.MERGE: "merge",
    Action.NO_CHANGE: "no_change",
    Action.SKIP: "no_change",
}
WRITING_ACTIONS = (Action.PUSH, Action.PULL, Action.MERGE)
RELINK = "relink"
"""Pool status: its variation vanished from Etsy; skipped until it is linked again."""
CHECK = "check"
"""Pool status: an Etsy sale was counted that the read before a write may already have
shown (``sync.ledger.visible``); both sides may show one less than exists.  The pool
keeps syncing; the flag stays in Needs you until the seller settles the number."""


@dataclass(frozen=True, slots=True)
class PoolPlan:
    """The decision for one linked stock pool."""

    pool_key: str
    label: str
    sku: str | None
    local_variant_id: int
    first_truth: FirstTruth
    base_local: int | None
    base_etsy: int | None
    local_before: int
    etsy_before: int
    action: Action
    new_local: int
    new_etsy: int
    etsy_after: int
    reason: str
    conflict: bool
    clamped: bool
    status_before: str
    status: str
    sales: tuple[int, ...] = ()  # erased Etsy sales (transaction ids) this decision counts

    @property
    def first_link(self) -> bool:
        return self.base_local is None

    @property
    def bases_move(self) -> bool:
        """Whether applying this decision stores new bases (never for ``SKIP``)."""
        if self.action is Action.SKIP:
            return False
        return (self.base_local, self.base_etsy) != (self.new_local, self.etsy_after)

    @property
    def log_worthy(self) -> bool:
        """Whether the audit log gets a row for it (see ``audit``).

        A pool flagged ``relink`` is logged when it becomes flagged, not at
        every run after: nothing happens to it until the seller links it again.
        """
        if self.status == RELINK == self.status_before:
            return False
        return (
            self.action in WRITING_ACTIONS
            or self.action is Action.SKIP
            or self.first_link
            or self.conflict
            or self.bases_move
        )

    @property
    def needs_commit(self) -> bool:
        return self.log_worthy or self.status != self.status_before

    @property
    def log_action(self) -> str:
        return LOG_ACTIONS[self.action]

    def decision(self) -> PoolDecision:
        return PoolDecision(
            self.action, self.new_local, self.new_etsy, self.conflict, self.clamped, self.reason
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "pool_key": self.pool_key,
            "label": self.label,
            "sku": self.sku,
            "local_variant_id": self.local_variant_id,
            "action": self.action.value,
            "local_before": self.local_before,
            "etsy_before": self.etsy_before,
            "base_local": self.base_local,
            "base_etsy": self.base_etsy,
            "new_local": self.new_local,
            "new_etsy": self.new_etsy,
            "etsy_after": self.etsy_after,
            "reason": self.reason,
            "conflict": self.conflict,
            "clamped": self.clamped,
            "first_link": self.first_link,
            "status": self.status,
            "erased_sales": list(self.sales),
        }


@dataclass(frozen=True, slots=True)
class ListingPlan:
    """What happens to one listing: its pool decisions and the one listing edit.

    ``error`` is set when the listing cannot be synced (ambiguous pools, a
    linked pool gone on Etsy, an interrupted write not yet completed); such a
    listing has no decisions.  ``gone``: Etsy no longer has the listing.
    ``written``: what ``put_body`` changes, in short phrases for the audit log.
    """

    listing_id: int
    title: str
    state: str | None
    pools: tuple[PoolPlan, ...]
    put_body: InventoryPut | None
    deactivate: bool
    reactivate: bool
    left_to_sell_out: bool
    disabled_by_us_before: frozenset[str]
    disabled_by_us: frozenset[str]
    deactivated_before: bool
    notes: tuple[str, ...]
    error: str | None = None
    gone: bool = False
    written: tuple[str, ...] = ()
    other_sales: tuple[int, ...] = ()  # erased sales of unlinked pools the PUT puts right

    @property
    def etsy_write(self) -> bool:
        """Whether applying it calls Etsy (inventory PUT and/or a state change)."""
        return self.put_body is not None or self.deactivate or self.reactivate

    @property
    def deactivated_after(self) -> bool:
        if self.deactivate:
            return True
        if self.reactivate:
            return False
        return self.deactivated_before

    @property
    def needs_commit(self) -> bool:
        return (
            self.etsy_write
            or any(p.needs_commit for p in self.pools)
            or self.disabled_by_us != self.disabled_by_us_before
        )

    @property
    def zero_stock_action(self) -> bool:
        return self.deactivate or self.reactivate or self.left_to_sell_out

    def to_json(self) -> dict[str, Any]:
        return {
            "listing_id": self.listing_id,
            "title": self.title,
            "state": self.state,
            "pools": [p.to_json() for p in self.pools],
            "put_body": self.put_body,
            "deactivate": self.deactivate,
            "reactivate": self.reactivate,
            "left_to_sell_out": self.left_to_sell_out,
            "disabled_by_us": sorted(self.disabled_by_us),
            "notes": list(self.notes),
            "error": self.error,
            "gone": self.gone,
        }


@dataclass(frozen=True, slots=True)
class PlanTotals:
    listings: int = 0
    listings_to_write: int = 0
    pushes: int = 0
    pulls: int = 0
    merges: int = 0
    conflicts: int = 0
    zero_stock_actions: int = 0
    clamps: int = 0
    errors: int = 0

    @classmethod
    def of(cls, listings: tuple[ListingPlan, ...], in_step: int = 0) -> PlanTotals:
        """``in_step``: linked listings left out of the plan because nothing moved."""
        pools = [p for listing in listings for p in listing.pools]
        return cls(
            listings=len(listings) + in_step,
            listings_to_write=sum(1 for x in listings if x.etsy_write),
            pushes=sum(1 for p in pools if p.action is Action.PUSH),
            pulls=sum(1 for p in pools if p.action is Action.PULL),
            merges=sum(1 for p in pools if p.action is Action.MERGE),
            conflicts=sum(1 for p in pools if p.conflict),
            zero_stock_actions=sum(1 for x in listings if x.zero_stock_action),
            clamps=sum(1 for p in pools if p.clamped),
            errors=sum(1 for x in listings if x.error is not None),
        )

    def to_json(self) -> dict[str, int]:
        return {
            "listings": self.listings,
            "listings_to_write": self.listings_to_write,
            "pushes": self.pushes,
            "pulls": self.pulls,
            "merges": self.merges,
            "conflicts": self.conflicts,
            "zero_stock_actions": self.zero_stock_actions,
            "clamps": self.clamps,
            "errors": self.errors,
        }


@dataclass(frozen=True, slots=True)
class SyncPlan:
    """The inventory plan of one shop; ``source`` says where Etsy's numbers came from.

    ``source`` is ``"fresh"`` (read for this plan) or ``"listing_sync"`` (the
    inventories a listing sync had just read, as ``sync all`` does).
    """

    shop_id: int
    created_at: datetime
    policy: ConflictPolicy
    zero_stock_policy: ZeroStockPolicy
    source: str
    listings: tuple[ListingPlan, ...]
    totals: PlanTotals
    confirmed_states: tuple[tuple[int, str], ...] = ()
    """Listing states read from Etsy for this plan (``state_check``); applying stores them."""
    in_step: int = 0
    """Linked listings read unchanged with nothing moved since the last sync, so not in
    ``listings`` (``sync.listings.in_step``); counted in ``totals.listings``."""
    left_out: tuple[int, ...] = ()
    """Listings the seller unticked in the review (``plan_subset``): applying this plan
    leaves them for the next one, so it does not settle a CSV import (``import_mark``)."""

    @classmethod
    def build(
        cls,
        *,
        shop_id: int,
        created_at: datetime,
        policy: ConflictPolicy,
        zero_stock_policy: ZeroStockPolicy,
        source: str,
        listings: tuple[ListingPlan, ...],
        in_step: int = 0,
    ) -> SyncPlan:
        return cls(
            shop_id,
            created_at,
            policy,
            zero_stock_policy,
            source,
            listings,
            PlanTotals.of(listings, in_step),
            in_step=in_step,
        )

    @property
    def changes(self) -> tuple[ListingPlan, ...]:
        """Listings whose apply does something (an Etsy write or a local commit)."""
        return tuple(x for x in self.listings if x.needs_commit or x.error or x.gone)

    def to_json(self) -> dict[str, Any]:
        return {
            "shop_id": self.shop_id,
            "created_at": self.created_at.isoformat(),
            "policy": self.policy.value,
            "zero_stock_policy": self.zero_stock_policy,
            "source": self.source,
            "totals": self.totals.to_json(),
            "in_step_skipped": self.in_step,
            "listings": [x.to_json() for x in self.changes],
        }
