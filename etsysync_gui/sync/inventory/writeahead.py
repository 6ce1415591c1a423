"""The write-ahead record: what one listing's write will change, saved before the write.

Why: an inventory write spans two systems that cannot share a transaction,
Etsy and the local database.  A crash (or kill, or power cut) between the PUT
and the local commit would otherwise leave Etsy changed and the local side,
bases and log not, and the next run would see Etsy's new number as a change
made on Etsy and apply it a second time.  So, before the PUT, the engine
commits this record in ``etsy_products.pending_write``; after the PUT, ONE
transaction applies the local side, the bases and the log rows and clears the
record.  If anything stops the engine in between, ``recovery`` finds the record
at the start of the next run and decides whether the write landed.

The record holds:

* ``offering_ids``: the listing's live offering ids right before the write.
  Etsy regenerates product and offering ids on every inventory PUT
  (https://github.com/etsy/open-api/issues/523),
  so different ids on a fresh read mean a write has landed since.
* per pool: ``local_before``, ``etsy_before``, ``new_local``, ``new_etsy`` (what
  Etsy holds after the write, stored as ``base_etsy``), the action and reason.
* ``state_change`` ('inactive' / 'active') for zero-stock deactivation and
  reactivation, and the ``disabled_by_us`` / ``deactivated_by_etsysync`` values
  the listing gets once the write is applied.
* ``put_note``: what the inventory PUT changes, in words, so every audit row of
  the listing says what was written on Etsy and why (``etsy_note``).  A
  listing that writes Etsy while none of its decisions is otherwise logged
  (e.g. a deactivation while neither side changed) gets a row per pool:
  no Etsy write is ever without a log row.

The same ``ListingWrite`` (never saved) drives the commit of listings that need
no Etsy call, so there is exactly one code path that applies a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.plan_types import LOG_ACTIONS, ListingPlan, PoolPlan

RECORD_VERSION = 1
DEACTIVATED = (
    "listing set inactive on Etsy: every variation reached 0 (zero-stock policy: deactivate; "
    "Etsy cannot hold 0 for a whole listing, so it keeps its last quantities)"
)
REACTIVATED = "listing set active on Etsy again: stock is back (EtsySync had deactivated it)"


@dataclass(frozen=True, slots=True)
class PoolWrite:
    """One pool's part of a listing write (see the module notes)."""

    pool_key: str
    local_variant_id: int
    action: str
    local_before: int
    etsy_before: int
    new_local: int
    new_etsy: int
    reason: str
    store_bases: bool
    log: bool
    status: str
    sales: tuple[int, ...] = ()  # erased Etsy sales this decision counts (sync.ledger)

    @classmethod
    def of(cls, pool: PoolPlan) -> PoolWrite:
        return cls(
            pool_key=pool.pool_key,
            local_variant_id=pool.local_variant_id,
            action=pool.action.value,
            local_before=pool.local_before,
            etsy_before=pool.etsy_before,
            new_local=pool.new_local,
            new_etsy=pool.etsy_after,
            reason=pool.reason,
            store_bases=pool.action is not Action.SKIP,
            log=pool.log_worthy,
            status=pool.status,
            sales=pool.sales if pool.action is not Action.SKIP else (),
        )

    @property
    def log_action(self) -> str:
        return LOG_ACTIONS[Action(self.action)]

    @property
    def skipped(self) -> bool:
        return self.action == Action.SKIP.value

    def to_json(self) -> dict[str, Any]:
        return {
            "pool_key": self.pool_key,
            "local_variant_id": self.local_variant_id,
            "action": self.action,
            "local_before": self.local_before,
            "etsy_before": self.etsy_before,
            "new_local": self.new_local,
            "new_etsy": self.new_etsy,
            "reason": self.reason,
            "store_bases": self.store_bases,
            "log": self.log,
            "status": self.status,
            "sales": list(self.sales),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PoolWrite:
        return cls(
            pool_key=str(data["pool_key"]),
            local_variant_id=int(data["local_variant_id"]),
            action=str(data["action"]),
            local_before=int(data["local_before"]),
            etsy_before=int(data["etsy_before"]),
            new_local=int(data["new_local"]),
            new_etsy=int(data["new_etsy"]),
            reason=str(data["reason"]),
            store_bases=bool(data["store_bases"]),
            log=bool(data["log"]),
            status=str(data["status"]),
            sales=tuple(int(x) for x in data.get("sales", ())),
        )


@dataclass(frozen=True, slots=True)
class ListingWrite:
    """Everything one listing's apply changes locally (and, saved, the write-ahead record)."""

    listing_id: int
    run_id: int | None
    offering_ids: tuple[int, ...]
    put: bool
    state_change: str | None
    pools: tuple[PoolWrite, ...]
    disabled_by_us: tuple[str, ...]
    deactivated_by_etsysync: bool
    note: str | None = None
    put_note: str | None = None
    snapshot: dict[str, Any] | None = None  # the read the PUT is based on (sync.ledger)
    other_sales: tuple[int, ...] = ()  # erased sales of unlinked pools this PUT puts right
    saved_at: float | None = None  # epoch seconds by the saving process's clock (recovery)

    @classmethod
    def of(
        cls,
        plan: ListingPlan,
        *,
        run_id: int | None,
        inventory: Inventory | None,
        note: str | None = None,
        snapshot: dict[str, Any] | None = None,
    ) -> ListingWrite:
        state_change = "inactive" if plan.deactivate else "active" if plan.reactivate else None
        remote = inventory is not None and plan.etsy_write
        pools = tuple(PoolWrite.of(p) for p in plan.pools)
        if remote and not any(p.log for p in pools):
            pools = tuple(replace(p, log=True) for p in pools)
        put_note = None
        if remote and plan.put_body is not None:
            put_note = "Etsy inventory written: " + (
                "; ".join(plan.written) or "quantities and enabled flags as decided"
            )
        return cls(
            listing_id=plan.listing_id,
            run_id=run_id,
            offering_ids=live_offering_ids(inventory) if inventory is not None else (),
            put=plan.put_body is not None,
            state_change=state_change,
            pools=pools,
            disabled_by_us=tuple(sorted(plan.disabled_by_us)),
            deactivated_by_etsysync=plan.deactivated_after,
            note=note,
            put_note=put_note,
            snapshot=snapshot if remote else None,
            other_sales=plan.other_sales if remote else (),
        )

    def etsy_note(self, *, put: bool = True, state: bool = True) -> str | None:
        """What Etsy accepted of this write, in words (``put`` / ``state``: which parts did)."""
        parts = []
        if put and self.put:
            parts.append(self.put_note or "Etsy inventory written")
        if state and self.state_change == "inactive":
            parts.append(DEACTIVATED)
        elif state and self.state_change == "active":
            parts.append(REACTIVATED)
        return "; ".join(parts) or None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "listing_id": self.listing_id,
            "run_id": self.run_id,
            "offering_ids": list(self.offering_ids),
            "put": self.put,
            "state_change": self.state_change,
            "pools": [p.to_json() for p in self.pools],
            "disabled_by_us": list(self.disabled_by_us),
            "deactivated_by_etsysync": self.deactivated_by_etsysync,
            "note": self.note,
            "put_note": self.put_note,
            "snapshot": self.snapshot,
            "other_sales": list(self.other_sales),
            "saved_at": self.saved_at,
        }

    @classmethod
    def from_json(cls, data: object) -> ListingWrite:
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            raise ValueError(f"not a write-ahead record (version {RECORD_VERSION}): {data!r}")
        run_id = data.get("run_id")
        return cls(
            listing_id=int(data["listing_id"]),
            run_id=None if run_id is None else int(run_id),
            offering_ids=tuple(int(x) for x in data["offering_ids"]),
            put=bool(data["put"]),
            state_change=data.get("state_change"),
            pools=tuple(PoolWrite.from_json(p) for p in data["pools"]),
            disabled_by_us=tuple(str(x) for x in data["disabled_by_us"]),
            deactivated_by_etsysync=bool(data["deactivated_by_etsysync"]),
            note=data.get("note"),
            put_note=data.get("put_note"),
            snapshot=data.get("snapshot"),
            other_sales=tuple(int(x) for x in data.get("other_sales", ())),
            saved_at=None if data.get("saved_at") is None else float(data["saved_at"]),
        )


def live_offering_ids(inventory: Inventory) -> tuple[int, ...]:
    """The ids a PUT regenerates; sorted, so order in Etsy's answer does not matter."""
    return tuple(sorted(o.offering_id for p in inventory.live_products for o in p.live_offerings))
