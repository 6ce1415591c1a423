"""Was a sale inside a write's window already in the read that write was based on?

Why: a sale made in the seconds around a write's inventory read is inside the
write's window (``overwrites``), so by time alone it may have been erased by
the PUT or already be in the read's numbers (and counted by the three-way
decision).  A receipts read of the write's own run, made before its
inventory read, vouches for the sales it returned.  When that receipts read
failed, nothing vouches, and counting such a sale again undersells by one.

The previous write of ours vouches instead, when the read saw exactly the
version it made.  Every landed PUT keeps what its answer held
(``overwrites.produced_by``: the quantity written to each pool and the new
product ids).  Etsy gives every product a new id on every inventory write,
ours or the seller's save on etsy.com (assumption, the one the fake and
recovery make), so a read that shows the same product ids shows that version
with only sales since: ``written - read`` units of the pool were sold before
the read.  Sales are taken in time order (second, then Etsy's increasing
transaction id): the earliest that many units sold on that version were in
the read, every later one was erased by the write.

Never oversell: whenever this cannot be known it answers ``None`` and the
sale is counted as erased (both sides may then show one less than exists);
if the run's receipts read had failed, its pool is flagged ``check`` for the
seller (``overwrites``).  That is the case when the read saw a version no
PUT of ours made (a seller's save, or a write that recovery finished and
whose answer was never seen), when the sale carries no product id, when the
previous write did not keep what it made, and when the numbers do not add
up: fewer units sold on that version than went missing (something other
than sales lowered the pool, or the ledger misses lines), or more stock
than was written.

Residual assumption: a seller's quantity change on etsy.com that kept the
product ids AND left the numbers adding up (a sale erased by the write
besides) would be read as sales before the read: one erased sale could go
uncounted.  Only a sale within the clock margin of the read can be taken
for one it showed (``latest_shown``), which narrows this to those seconds.
If Etsy is ever found to keep ids on a seller's save, drop the
rule (``units_gone_before_read`` returning ``None`` always) and every such
case becomes a counted sale and a ``check`` flag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyTransaction, EtsyWriteSnapshot


def previous_of(
    snap: EtsyWriteSnapshot, listing_snaps: Sequence[EtsyWriteSnapshot]
) -> Mapping[str, Any] | None:
    """The pools of the listing's landed write of ours just before ``snap``'s, if any."""
    earlier = [s for s in listing_snaps if s.id < snap.id]
    return max(earlier, key=lambda s: s.id).pools if earlier else None


def shown_by_read(
    session: Session,
    line: EtsyTransaction,
    pools: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    pool_key: str,
    *,
    latest_shown: int,
) -> bool | None:
    """Whether ``line`` (sold on the inventory a snapshot's ``pools`` read) was in that read.

    ``None``: it cannot be told (the module notes say when); the caller counts
    the sale as erased, the side that never oversells.
    ``previous``: the pools of the listing's write of ours before it (``previous_of``).
    ``latest_shown``: the last second a sale the read showed can carry (the read's
    second plus the clock margin); a later one the count calls shown is a
    contradiction (the seller changed the stock, see the residual assumption):
    ``None``.
    """
    gone = units_gone_before_read(pools, previous, pool_key)
    if gone is None or gone < 0 or line.product_id is None:
        return None
    sales = sold_on_version(session, line.etsy_listing_id or 0, pools, pool_key)
    if sum(sale.quantity for sale in sales) < gone:
        return None  # not only sales lowered the pool: nothing here can be trusted
    for sale in sales:
        if sale.transaction_id == line.transaction_id:
            if sale.quantity <= gone:
                return True if sale.created_ts <= latest_shown else None
            return False if gone <= 0 else None
        gone = max(0, gone - sale.quantity)
    return None


def units_gone_before_read(
    pools: Mapping[str, Any], previous: Mapping[str, Any] | None, pool_key: str
) -> int | None:
    """``written - read`` of the pool, when the read saw exactly our previous write's version."""
    produced: Mapping[str, Any] = (previous or {}).get("produced") or {}
    made: Mapping[str, str] = produced.get("made") or {}
    read_products: Mapping[str, str] = pools.get("products") or {}
    if not made or set(made) != set(read_products):
        return None  # another version: a seller's save, or one recovery never saw
    written = (produced.get("written") or {}).get(pool_key)
    read = (pools.get("quantities") or {}).get(pool_key)
    if written is None or read is None:
        return None
    return int(written) - int(read)


def sold_on_version(
    session: Session, listing_id: int, pools: Mapping[str, Any], pool_key: str
) -> list[EtsyTransaction]:
    """Every line sold on the products a snapshot read for ``pool_key``, oldest first.

    Canceled lines too: they took the stock when they were placed (a restock
    on cancel only makes fewer units look sold before the read: the safe side).
    """
    products: Mapping[str, str] = pools.get("products") or {}
    ids = [int(pid) for pid, key in products.items() if key == pool_key]
    if not ids:
        return []
    return list(
        session.scalars(
            select(EtsyTransaction)
            .where(
                EtsyTransaction.etsy_listing_id == listing_id,
                EtsyTransaction.product_id.in_(ids),
            )
            .order_by(EtsyTransaction.created_ts, EtsyTransaction.transaction_id)
        )
    )
