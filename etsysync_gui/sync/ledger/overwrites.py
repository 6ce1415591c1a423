"""Which sales an inventory write erased, and counting each of them exactly once.

The window.  A write is based on the inventory read just before it (the
*snapshot*); its PUT replaces every quantity with one computed from that read.
A sale of the listing created after the read and before the PUT's answer was
erased by it.  A sale created before the read is in the snapshot's numbers and
is counted by the normal three-way decision; it must not be counted again.

Boundary (Etsy timestamps are whole seconds, and this machine's clock is not
Etsy's): the window is ``[floor(read sent) - SKEW_S, ceil(answer received) +
SKEW_S]``, inclusive.  Assumption: this machine's clock is within ``SKEW_S`` of
Etsy's (NTP keeps it well under that).  The safe side is chosen on purpose: a
sale in the same second as the read (or within the skew) is counted as erased,
so in that rare case one sale is subtracted twice (both sides show one less than
exists: the shop can undersell, never oversell).  Missing an erased sale would
leave Etsy selling stock that does not exist.

Known before the read.  Every run reads the receipts BEFORE it reads any
inventory, so a line that a receipts read of the write's own run (or an earlier
one) had already returned existed before the snapshot was read: it is in the
snapshot's numbers and is never counted as erased, even inside the skew margin.
Assumption: Etsy shows an order's stock decrement no later than the order
itself (the quantity goes down when the order is placed).  What stays
ambiguous is a sale made in the seconds between that receipts read and the
snapshot read; it is counted as erased (the safe side above).  When the
write's own run could not read the receipts, the previous write of ours may
vouch instead (``visible``); where nothing does, the sale is counted and its
pool flagged ``check`` for the seller (``_mark_unsure``, ``Sale.unsure``).

Sold after the answer.  Etsy gives every product a new id on every inventory
write, and a sale carries the ``product_id`` at the time of sale.  A sale made
on the snapshot's inventory carries one of the snapshot's product ids; a sale
made after the PUT landed carries one of the new ids, is visible in every later
read, and is not erased, whatever its second says.  So the upper boundary is
exact whenever Etsy sends ``product_id`` (the spec marks it nullable).

Which pool.  The snapshot's product-to-pool map finds it; without a
``product_id``, its SKU; else, for a listing with one pool, that pool.  A sale
that matches no pool is stored but not counted.  Canceled orders are never
counted; a restock on cancel is Etsy's own quantity change and flows through
the normal decision.

Overlapping windows.  Two writes of one listing can have windows that overlap:
a write completed by recovery spans from its run's read to the recovery, and
the recovering run may write the listing again seconds later; whole seconds
and the skew margin widen every window too.  A sale is matched with the first
write (oldest answer first) whose window holds it AND whose snapshot places
it; a window that holds it but whose snapshot does not know its product id
(sold on another write's inventory) is passed over, never the end of the
search.  Every write gives every product a new id, so a product id is in at
most one landed write's snapshot: that write erased the sale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyTransaction, EtsyWriteSnapshot
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.sync.inventory.pools import pools_of
from etsysync_gui.sync.ledger.visible import previous_of, shown_by_read

SKEW_S = 2


@dataclass(frozen=True, slots=True)
class Sale:
    """An erased sale waiting to be counted by its pool's next decision."""

    transaction_id: int
    receipt_id: int
    quantity: int
    unsure: bool = False  # maybe in the write's read already: counted, and the pool flagged


def snapshot_of(inventory: Inventory, read_at: float) -> dict[str, Any]:
    """What a write-ahead record keeps of the read a write is based on."""
    quantities: dict[str, int] = {}
    products: dict[str, str] = {}
    skus: dict[str, str | None] = {}
    for pool in pools_of(inventory):
        quantities[pool.key] = pool.quantity
        for index in pool.product_indexes:
            product = inventory.products[index]
            products[str(product.product_id)] = pool.key
            folded = product.sku.casefold()
            if folded:
                skus[folded] = pool.key if skus.get(folded, pool.key) == pool.key else None
    return {
        "read_ts": math.floor(read_at),
        "quantities": quantities,
        "products": products,
        "skus": {sku: key for sku, key in skus.items() if key is not None},
    }


def produced_by(answer: Inventory) -> dict[str, Any]:
    """What a PUT left on Etsy: each pool's written quantity and the new product ids.

    Kept with the write's snapshot so the next write of the listing, when it
    read exactly this version, can tell which of its sales that read already
    showed (``visible``).
    """
    made = snapshot_of(answer, 0)
    return {"written": made["quantities"], "made": made["products"]}


def record_snapshot(
    session: Session,
    *,
    shop_id: int,
    listing_id: int,
    run_id: int | None,
    snapshot: Mapping[str, Any],
    written_at: float,
    now: datetime,
    produced: Mapping[str, Any] | None = None,
) -> None:
    """Keep a landed write's snapshot (same transaction as the write's local commit).

    ``produced`` (``produced_by``) is absent when recovery found the write
    landed: its read may already show a later version (a seller's save), so
    nothing is known of the version the PUT itself made.
    """
    pools = {k: v for k, v in snapshot.items() if k != "read_ts"}
    if produced is not None:
        pools["produced"] = dict(produced)
    session.add(
        EtsyWriteSnapshot(
            shop_id=shop_id,
            etsy_listing_id=listing_id,
            run_id=run_id,
            read_ts=int(snapshot["read_ts"]),
            written_ts=math.ceil(written_at),
            pools=pools,
            created_at=now,
        )
    )


def match_overwrites(session: Session, transaction_ids: Sequence[int]) -> int:
    """Match not-yet-matched lines among ``transaction_ids`` with the writes that erased them.

    Returns how many lines were found erased.
    """
    lines: list[EtsyTransaction] = []
    for chunk in chunks(list(transaction_ids), IN_CHUNK):
        lines.extend(
            session.scalars(
                select(EtsyTransaction).where(
                    EtsyTransaction.transaction_id.in_(chunk),
                    EtsyTransaction.overwritten_by.is_(None),
                    EtsyTransaction.etsy_listing_id.is_not(None),
                )
            )
        )
    if not lines:
        return 0
    snapshots = _snapshots(
        session, {line.etsy_listing_id for line in lines if line.etsy_listing_id}
    )
    found = 0
    for line in lines:
        listing_snaps = snapshots.get(line.etsy_listing_id or 0, [])
        for snap in listing_snaps:
            pool_key = _pool_of(line, snap.pools) if _in_window(line, snap) else None
            if pool_key is None:
                continue
            previous = previous_of(snap, listing_snaps)
            latest = snap.read_ts + SKEW_S
            shown = shown_by_read(
                session, line, snap.pools, previous, pool_key, latest_shown=latest
            )
            if not shown:
                line.overwritten_by, line.pool_key = snap.id, pool_key
                found += 1
                if shown is None and snap.pools.get("orders_read") is False:
                    _mark_unsure(snap, line.transaction_id)
            break
    return found


def _mark_unsure(snap: EtsyWriteSnapshot, transaction_id: int) -> None:
    """Nothing vouches either way (the run's orders read failed, ``visible`` cannot tell).

    The sale is counted as erased (never oversell) and its pool is flagged for
    the seller (``Sale.unsure``), who may have one more than both sides show.
    Kept in the snapshot's JSON, next to the read it is unsure about.
    """
    unsure = sorted({*snap.pools.get("unsure", ()), transaction_id})
    snap.pools = {**snap.pools, "unsure": unsure}  # a new dict: the JSON column sees the change


def _in_window(line: EtsyTransaction, snap: EtsyWriteSnapshot) -> bool:
    """Whether ``line`` was created between the snapshot's read and the write's answer.

    A line a receipts read had already returned before the write's run read
    Etsy (``first_seen_run_id`` at or before the write's run) is in the
    snapshot, whatever its second says.
    """
    if snap.read_ts - SKEW_S > line.created_ts or line.created_ts > snap.written_ts + SKEW_S:
        return False
    seen, run = line.first_seen_run_id, snap.run_id
    return seen is None or run is None or seen > run


def _snapshots(session: Session, listing_ids: Iterable[int]) -> dict[int, list[EtsyWriteSnapshot]]:
    by_listing: dict[int, list[EtsyWriteSnapshot]] = {}
    for chunk in chunks(sorted(listing_ids), IN_CHUNK):
        query = (
            select(EtsyWriteSnapshot)
            .where(EtsyWriteSnapshot.etsy_listing_id.in_(chunk))
            .order_by(EtsyWriteSnapshot.written_ts, EtsyWriteSnapshot.id)
        )
        for snap in session.scalars(query):
            by_listing.setdefault(snap.etsy_listing_id, []).append(snap)
    return by_listing


def _pool_of(line: EtsyTransaction, pools: Mapping[str, Any]) -> str | None:
    products: Mapping[str, str] = pools.get("products", {})
    if line.product_id is not None:
        return products.get(str(line.product_id))  # None: sold after the PUT
    return _pool_by_sku(line.sku, pools)


def _pool_by_sku(sku: str | None, pools: Mapping[str, Any]) -> str | None:
    skus: Mapping[str, str] = pools.get("skus", {})
    if sku and sku.casefold() in skus:
        return skus[sku.casefold()]
    quantities: Mapping[str, int] = pools.get("quantities", {})
    return next(iter(quantities)) if len(quantities) == 1 else None


def pending_sales(session: Session, shop_id: int) -> dict[tuple[int, str], tuple[Sale, ...]]:
    """Erased sales not yet counted, per ``(listing id, pool key)``."""
    query = (
        select(
            EtsyTransaction.etsy_listing_id,
            EtsyTransaction.pool_key,
            EtsyTransaction.transaction_id,
            EtsyTransaction.receipt_id,
            EtsyTransaction.quantity,
            EtsyWriteSnapshot.pools,
        )
        .join(EtsyWriteSnapshot, EtsyWriteSnapshot.id == EtsyTransaction.overwritten_by)
        .where(
            EtsyTransaction.shop_id == shop_id,
            EtsyTransaction.overwritten_by.is_not(None),
            EtsyTransaction.applied_run_id.is_(None),
            EtsyTransaction.canceled.is_(False),
        )
        .order_by(EtsyTransaction.transaction_id)
    )
    found: dict[tuple[int, str], list[Sale]] = {}
    for row in session.execute(query):
        key = (row.etsy_listing_id, row.pool_key)
        unsure = row.transaction_id in (row.pools or {}).get("unsure", ())
        sale = Sale(row.transaction_id, row.receipt_id, row.quantity, unsure)
        found.setdefault(key, []).append(sale)
    return {key: tuple(sales) for key, sales in found.items()}


def mark_applied(
    session: Session, transaction_ids: Sequence[int], *, run_id: int | None, now: datetime
) -> None:
    """The decision counting these sales is committed (same transaction): never again."""
    for chunk in chunks(list(transaction_ids), IN_CHUNK):
        session.execute(
            update(EtsyTransaction)
            .where(
                EtsyTransaction.transaction_id.in_(chunk),
                EtsyTransaction.applied_run_id.is_(None),
            )
            .values(applied_run_id=run_id or 0, applied_at=now)
        )


def sales_note(sales: Sequence[Sale]) -> str:
    """E.g. "sold 2 on Etsy that an earlier write had erased: receipt 123456, 123457"."""
    count = sum(s.quantity for s in sales)
    receipts = ", ".join(str(r) for r in dict.fromkeys(s.receipt_id for s in sales))
    plural = "receipts" if len({s.receipt_id for s in sales}) > 1 else "receipt"
    return f"sold {count} on Etsy that an earlier write had erased: {plural} {receipts}"


def sold_since(session: Session, listing_id: int, snapshot: Mapping[str, Any]) -> dict[str, int]:
    """Units sold on Etsy per pool key since a write-ahead record's snapshot was read.

    For recovery (``landed(sold_since=...)``): purchases after an interrupted
    write can make Etsy's numbers look like the written ones; adding them back
    tells a landed write from one that did not land.  Every line created from
    the snapshot's read on (less ``SKEW_S``) counts, canceled ones excepted; a
    line is placed by the snapshot's product ids, else its SKU, else the single
    pool.  Only what the ledger has read is known: read it before recovery.
    """
    query = select(EtsyTransaction).where(
        EtsyTransaction.etsy_listing_id == listing_id,
        EtsyTransaction.created_ts >= int(snapshot["read_ts"]) - SKEW_S,
        EtsyTransaction.canceled.is_(False),
    )
    sold: dict[str, int] = {}
    for line in session.scalars(query):
        # A product id the snapshot does not know is one the write itself made.
        key = _pool_of(line, snapshot) or _pool_by_sku(line.sku, snapshot)
        if key is not None:
            sold[key] = sold.get(key, 0) + line.quantity
    return sold


@dataclass(frozen=True, slots=True)
class SoldAfterRead:
    """Units sold on Etsy after a write-ahead record's read, per pool key (for recovery).

    ``erasable``: the part sold on the very inventory the read saw; a PUT that
    landed erased those, so they do not lower Etsy's number under "landed".
    """

    sold: dict[str, int]
    erasable: dict[str, int]


def sold_after_read(
    session: Session, listing_id: int, snapshot: Mapping[str, Any], run_id: int | None
) -> SoldAfterRead:
    """What ``sold_since`` counts, less the sales the record's read already showed.

    A line a receipts read returned before the record's run read Etsy
    (``first_seen_run_id`` at or before ``run_id``), or one the previous write
    of ours shows was in the read (``visible.shown_by_read``), is in the
    read's numbers: adding it back would make a write that landed look as if
    it had not (and a local sale would be pushed twice).
    """
    previous = session.scalars(
        select(EtsyWriteSnapshot.pools)
        .where(EtsyWriteSnapshot.etsy_listing_id == listing_id)
        .order_by(EtsyWriteSnapshot.id.desc())
        .limit(1)
    ).first()
    query = select(EtsyTransaction).where(
        EtsyTransaction.etsy_listing_id == listing_id,
        EtsyTransaction.created_ts >= int(snapshot["read_ts"]) - SKEW_S,
        EtsyTransaction.canceled.is_(False),
    )
    sold: dict[str, int] = {}
    erasable: dict[str, int] = {}
    for line in session.scalars(query):
        seen = line.first_seen_run_id
        if seen is not None and run_id is not None and seen <= run_id:
            continue
        key = _pool_of(line, snapshot)
        on_read = key is not None and line.product_id is not None
        latest = int(snapshot["read_ts"]) + SKEW_S
        if on_read and shown_by_read(
            session, line, snapshot, previous, key or "", latest_shown=latest
        ):
            continue
        key = key or _pool_by_sku(line.sku, snapshot)
        if key is not None:
            sold[key] = sold.get(key, 0) + line.quantity
            if on_read:
                erasable[key] = erasable.get(key, 0) + line.quantity
    return SoldAfterRead(sold, erasable)


def rematch_listing(session: Session, listing_id: int, since_ts: int) -> int:
    """Match the listing's unmatched lines from ``since_ts`` on (a write recovery just recorded)."""
    ids = session.scalars(
        select(EtsyTransaction.transaction_id).where(
            EtsyTransaction.etsy_listing_id == listing_id,
            EtsyTransaction.created_ts >= since_ts - SKEW_S,
            EtsyTransaction.overwritten_by.is_(None),
        )
    ).all()
    return match_overwrites(session, list(ids)) if ids else 0
