"""Writing one chunk of checked catalog rows: a few set-based statements, no ORM objects.

Why Core rather than ORM objects: a million-row import through the session's
identity map took 5.9 GB and 337 s.  Here each chunk costs one SELECT of the
variants its Etsy pools are linked to, one SELECT of the existing SKUs, one
executemany UPDATE for changed variants, one INSERT … RETURNING for new
products and one executemany INSERT for new variants, and nothing stays in
memory between chunks except the ids of products that named groups
(``product`` column) resolved to.

A row is matched by its Etsy pool first (``etsy_listing`` + ``etsy_pool_key``,
written by the export for variants made from SKU-less listings), then by SKU.
An SKU typed into a pool-matched row is given to its variant unless another
variant has it already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from etsysync_gui.catalog.csv_rows import CatalogRow
from etsysync_gui.db.models import Base, EtsyStockPool, Product, ProductVariant
from etsysync_gui.db.types import utcnow

_PRODUCTS = Base.metadata.tables[Product.__tablename__]
_VARIANTS = Base.metadata.tables[ProductVariant.__tablename__]
_POOLS = Base.metadata.tables[EtsyStockPool.__tablename__]
_STORED = (
    _VARIANTS.c.id,
    _VARIANTS.c.sku,
    _VARIANTS.c.quantity,
    _VARIANTS.c.price,
    _VARIANTS.c.name,
)
PoolRef = tuple[int, str]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class GroupIds:
    """Product ids by group name (the CSV's ``product`` column), filled as the import goes."""

    ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Stored:
    """A variant as stored, to compare a row with (and to know the SKU it has)."""

    id: int
    sku: str | None
    quantity: int
    price: Any
    name: str | None


def _by_sku(conn: Connection, skus: list[str]) -> dict[str, _Stored]:
    if not skus:
        return {}
    query = select(*_STORED).where(_VARIANTS.c.sku.in_(skus))
    found = (_Stored(*values) for values in conn.execute(query))
    return {stored.sku: stored for stored in found if stored.sku is not None}


def _by_pool(conn: Connection, pools: set[PoolRef]) -> dict[PoolRef, _Stored]:
    """The variants the chunk's Etsy pools are linked to, in one query."""
    if not pools:
        return {}
    p = _POOLS.c
    listings = sorted({listing for listing, _key in pools})
    query = (
        select(p.etsy_listing_id, p.pool_key, *_STORED)
        .join_from(_POOLS, _VARIANTS, _VARIANTS.c.id == p.local_variant_id)
        .where(p.etsy_listing_id.in_(listings))
    )
    found: dict[PoolRef, _Stored] = {}
    for listing, key, *values in conn.execute(query):
        if (listing, key) in pools:
            found[(listing, key)] = _Stored(*values)
    return found


@dataclass
class Match:
    """Which stored variant each row of a chunk is (none: a new variant)."""

    updates: list[tuple[CatalogRow, _Stored, str | None]] = field(default_factory=list)
    """Row, its variant, and the SKU to store (a typed SKU it is given, or the one it has)."""
    new: list[CatalogRow] = field(default_factory=list)
    unlinked: list[CatalogRow] = field(default_factory=list)


def match_rows(conn: Connection, rows: list[CatalogRow]) -> Match:
    """Pool first (rows exported from SKU-less listings), then SKU; unknown SKUs are new."""
    by_pool = _by_pool(conn, {r.pool for r in rows if r.pool is not None})
    by_sku = _by_sku(conn, [r.sku for r in rows if r.sku])
    match = Match()
    for row in rows:
        stored = by_pool.get(row.pool) if row.pool is not None else None
        if stored is not None:
            holder = by_sku.get(row.sku) if row.sku else None
            given = bool(row.sku) and (holder is None or holder.id == stored.id)
            match.updates.append((row, stored, row.sku if given else stored.sku))
        elif row.sku and row.sku in by_sku:
            match.updates.append((row, by_sku[row.sku], row.sku))
        elif row.sku:
            match.new.append(row)
        else:
            match.unlinked.append(row)
    return match


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One stored value a row changes: the preview's "before → after"."""

    name: str
    before: Any
    after: Any


def field_changes(row: CatalogRow, stored: _Stored, sku: str | None) -> list[FieldChange]:
    """What ``row`` changes in its variant; absent price/title keep the stored value.

    The import and its preview both ask this, so "changed" means the same in each.
    """
    price = stored.price
    old_price = None if price is None else Decimal(price).quantize(Decimal("0.01"))
    new_price = row.price if row.price is not None else old_price
    new_name = row.title if row.title is not None else stored.name
    pairs = (
        ("quantity", stored.quantity, row.quantity),
        ("price", old_price, new_price),
        ("name", stored.name, new_name),
        ("sku", stored.sku, sku),
    )
    return [FieldChange(name, old, new) for name, old, new in pairs if old != new]


def _updates(
    updates: list[tuple[CatalogRow, _Stored, str | None]], counts: Counts
) -> list[dict[str, Any]]:
    """Changed variants as UPDATE parameters; absent price/title keep the stored value."""
    now = utcnow()
    changes: list[dict[str, Any]] = []
    for row, stored, sku in updates:
        if not field_changes(row, stored, sku):
            counts.unchanged += 1
            continue
        counts.updated += 1
        new_price = row.price if row.price is not None else stored.price
        new_name = row.title if row.title is not None else stored.name
        changes.append({"v_id": stored.id, "v_q": row.quantity, "v_p": new_price, "v_n": new_name})
        changes[-1].update(v_s=sku, v_t=now)
    return changes


def _resolve_groups(conn: Connection, names: set[str], groups: GroupIds) -> None:
    """Existing products a new variant may join by name: the oldest with that title."""
    wanted = sorted(n for n in names if n not in groups.ids)
    if not wanted:
        return
    query = select(_PRODUCTS.c.title, func.min(_PRODUCTS.c.id)).where(_PRODUCTS.c.title.in_(wanted))
    for title, pid in conn.execute(query.group_by(_PRODUCTS.c.title)):
        groups.ids[title] = int(pid)


def _insert_products(conn: Connection, titles: list[str]) -> list[int]:
    if not titles:
        return []
    now = utcnow()
    statement = insert(_PRODUCTS).returning(_PRODUCTS.c.id, sort_by_parameter_order=True)
    params = [{"title": t, "created_at": now, "updated_at": now} for t in titles]
    return [int(pid) for (pid,) in conn.execute(statement, params)]


def _inserts(conn: Connection, rows: list[CatalogRow], groups: GroupIds) -> list[dict[str, Any]]:
    """New variants as INSERT parameters, creating the products they belong to first."""
    _resolve_groups(conn, {r.product for r in rows if r.product}, groups)
    new_groups = sorted({r.product for r in rows if r.product and r.product not in groups.ids})
    groups.ids.update(zip(new_groups, _insert_products(conn, new_groups), strict=True))
    singles = [r for r in rows if not r.product]
    single_ids = _insert_products(conn, [r.title or r.sku for r in singles])
    product_of = {r.sku: pid for r, pid in zip(singles, single_ids, strict=True)}
    now = utcnow()
    return [
        {
            "product_id": groups.ids[r.product] if r.product else product_of[r.sku],
            "sku": r.sku,
            "name": r.title,
            "price": r.price,
            "quantity": r.quantity,
            "created_at": now,
            "updated_at": now,
        }
        for r in rows
    ]


def upsert_chunk(
    conn: Connection, rows: list[CatalogRow], groups: GroupIds, counts: Counts
) -> list[CatalogRow]:
    """Insert or update the variants of ``rows`` (SKUs and pools unique within the import).

    Returns the rows left out: no SKU, and their Etsy pool is no longer linked
    to a catalog variant, so there is nothing to update and no SKU to create.
    """
    match = match_rows(conn, rows)
    changes = _updates(match.updates, counts)
    if changes:
        statement = (
            update(_VARIANTS)
            .where(_VARIANTS.c.id == bindparam("v_id"))
            .values(
                sku=bindparam("v_s"),
                quantity=bindparam("v_q"),
                price=bindparam("v_p"),
                name=bindparam("v_n"),
                updated_at=bindparam("v_t"),
            )
        )
        conn.execute(statement, changes)
    if match.new:
        conn.execute(insert(_VARIANTS), _inserts(conn, match.new, groups))
        counts.created += len(match.new)
    return match.unlinked
