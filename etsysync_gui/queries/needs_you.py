"""What waits for the seller: the read model behind the "Needs you" inbox and its count.

Why one list: conflicts, refused writes, unlinked and vanished variations used
to be scattered over the Inventory and Listings tables, and a seller had to
know where to look.  Here each becomes one ``NeedsYouItem`` with a sentence
saying what happened and the fixes that apply (the view shows them as
buttons).  Items coming from outside the database (Etsy wants a reconnect, a
scheduled plan waits for review) are added by the view from the controller.

``key`` identifies an item across reloads, so the app can tell the seller
about *new* items only (one tray message, not one per reload).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, ProductVariant

# The inbox lists the first ones of each and counts the rest: a new shop has hundreds of
# unlinked listings, a shop on the "skip" policy may collect many conflicts, and every
# listed item is a row of widgets built on the GUI thread.
MAX_UNLINKED = 200
MAX_FLAGGED = 300

# Fix words the view turns into buttons.
KEEP_MINE, KEEP_ETSY, MERGE, COUNTED = "keep_mine", "keep_etsy", "merge", "counted"
LINK, RELINK, RECONNECT, REVIEW = "link", "relink", "reconnect", "review"


@dataclass(frozen=True, slots=True)
class NeedsYouItem:
    """One thing the seller must decide, with the fixes that settle it."""

    kind: str  # conflict, refused, unlinked, vanished, reconnect, review
    key: str
    title: str
    detail: str
    fixes: tuple[str, ...]
    listing_id: int | None = None
    pool_key: str | None = None
    local: int | None = None
    etsy: int | None = None


@dataclass(frozen=True, slots=True)
class NeedsYou:
    """The items, and how many unlinked pools there are beyond the ones listed."""

    items: tuple[NeedsYouItem, ...]
    unlinked_total: int = 0
    flagged_total: int = 0

    @property
    def count(self) -> int:
        """Every item, listed or not."""
        unlinked = sum(1 for item in self.items if item.kind in ("unlinked", "vanished"))
        flagged = sum(1 for item in self.items if item.kind in ("conflict", "refused", "check"))
        unlisted = max(0, self.unlinked_total - unlinked) + max(0, self.flagged_total - flagged)
        return len(self.items) + unlisted


def load_needs_you(database: Database, shop_id: int) -> NeedsYou:
    """Pools in conflict or refused by Etsy, then unlinked ones (see the module notes)."""
    p, e, v = EtsyStockPool, EtsyProduct, ProductVariant
    base = (
        select(p.etsy_listing_id, e.title, p.pool_key, p.label, p.status, p.message)
        .join(e, e.etsy_listing_id == p.etsy_listing_id)
        .where(e.shop_id == shop_id, e.missing_since.is_(None))
    )
    flagged_where = (
        p.local_variant_id.is_not(None),
        p.status.in_(("conflict", "error", "check")),
    )
    unlinked_where = (p.local_variant_id.is_(None), p.status == "unlinked")
    with database.session() as session:
        flagged = session.execute(
            base.add_columns(v.quantity, p.etsy_quantity, p.base_local)
            .join(v, v.id == p.local_variant_id)
            .where(*flagged_where)
            .order_by(p.etsy_listing_id, p.id)
            .limit(MAX_FLAGGED)
        ).all()
        unlinked = session.execute(
            base.add_columns(e.local_product_id)
            .where(*unlinked_where)
            .order_by(e.local_product_id.is_(None), p.etsy_listing_id, p.id)
            .limit(MAX_UNLINKED)
        ).all()
        totals = [
            session.scalar(
                select(func.count())
                .select_from(p)
                .join(e, e.etsy_listing_id == p.etsy_listing_id)
                .where(e.shop_id == shop_id, e.missing_since.is_(None), *where)
            )
            or 0
            for where in (unlinked_where, flagged_where)
        ]
    items = [_flagged(row) for row in flagged] + [_unlinked(row) for row in unlinked]
    return NeedsYou(tuple(items), *totals)


def _name(row: Any) -> str:
    title = row.title or f"Listing {row.etsy_listing_id}"
    label = row.label or ""
    return f"{title} — {label}" if label and label != row.pool_key else title


def _flagged(row: Any) -> NeedsYouItem:
    local, etsy = row.quantity, row.etsy_quantity
    fixes = (KEEP_MINE, KEEP_ETSY) + ((MERGE,) if row.base_local is not None else ()) + (COUNTED,)
    if row.status == "check":
        return _check(row)
    if row.status == "conflict":
        kind = "conflict"
        detail = (
            f"Both sides changed since the last sync (here {local}, on Etsy {etsy}). "
            "Choose which number is right, or count the stock and enter it."
        )
    else:
        kind = "refused"
        detail = (
            f"Etsy refused the last write: {row.message or 'no reason given'}. "
            "Choose the number to write again, or count the stock and enter it."
        )
    return NeedsYouItem(
        kind,
        f"{kind}:{row.etsy_listing_id}:{row.pool_key}",
        _name(row),
        detail,
        fixes,
        row.etsy_listing_id,
        row.pool_key,
        local,
        etsy,
    )


def _check(row: Any) -> NeedsYouItem:
    """A sale EtsySync could not place before or after a write's read (``sync.ledger.visible``)."""
    detail = (
        f"An Etsy sale around one of EtsySync's writes was counted although Etsy's "
        f"number may already have shown it (the orders could not be read then), so "
        f"here {row.quantity} and on Etsy {row.etsy_quantity} may be one less than you "
        "have. Count the stock and enter it, or keep the number if it is right."
    )
    return NeedsYouItem(
        "check",
        f"check:{row.etsy_listing_id}:{row.pool_key}",
        _name(row),
        detail,
        (COUNTED, KEEP_MINE),
        row.etsy_listing_id,
        row.pool_key,
        row.quantity,
        row.etsy_quantity,
    )


def _unlinked(row: Any) -> NeedsYouItem:
    if row.local_product_id is not None:
        kind, fixes = "vanished", (RELINK,)
        detail = (
            "This variation is new or was changed on Etsy and is no longer linked; "
            "relink it to its catalog item so its stock syncs again."
        )
    else:
        kind, fixes = "unlinked", (LINK,)
        detail = "This listing is not linked to your catalog, so its stock is not synced; link it."
    return NeedsYouItem(
        kind,
        f"{kind}:{row.etsy_listing_id}:{row.pool_key}",
        _name(row),
        detail,
        fixes,
        row.etsy_listing_id,
        row.pool_key,
    )
