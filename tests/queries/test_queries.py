"""The GUI's read models and catalog edits, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from etsysync_gui.catalog import editing as edits
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, Product, ProductVariant
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.queries.inventory import load_pools
from etsysync_gui.queries.link_suggestions import listing_links, suggest_variants
from etsysync_gui.queries.listings import load_listings
from etsysync_gui.queries.log import LogFilter, fetch_log_page

from .logdata import fill_log

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
SHOP = 77


def _shop(database: Database) -> dict[str, int]:
    """Three listings: one linked (bases 5/5), one half linked, one unlinked."""
    with database.session() as session:
        mug = Product(title="Blue ceramic mug")
        mug.variants = [
            ProductVariant(sku="MUG-BLUE", name="Blue", quantity=7, price=Decimal("12.00")),
            ProductVariant(sku="MUG-RED", name="Red", quantity=1200),
        ]
        scarf = Product(title="Wool scarf", variants=[ProductVariant(sku="scarf-1", quantity=2)])
        session.add_all([mug, scarf])
        session.flush()
        ids = {v.sku or "": v.id for v in [*mug.variants, *scarf.variants]}
    rows = [
        (101, "Blue ceramic mug, handmade", "active", mug.id),
        (102, "Red ceramic mug", "active", mug.id),
        (103, "Wool scarf, grey", "draft", None),
    ]
    with database.session() as session:
        session.execute(
            insert(EtsyProduct),
            [
                {"etsy_listing_id": lid, "shop_id": SHOP, "title": title, "state": state,
                 "local_product_id": product, "sync_status": "synced",
                 "url": f"https://www.etsy.com/listing/{lid}"}
                for lid, title, state, product in rows
            ],
        )  # fmt: skip
        session.execute(
            insert(EtsyStockPool),
            [
                {"etsy_listing_id": 101, "pool_key": "sku:MUG-BLUE", "label": "Whole listing",
                 "sku": "MUG-BLUE", "local_variant_id": ids["MUG-BLUE"], "base_local": 5,
                 "base_etsy": 5, "etsy_quantity": 4, "status": "ok"},
                {"etsy_listing_id": 102, "pool_key": "sku:MUG-RED", "label": "Red",
                 "sku": "MUG-RED", "local_variant_id": ids["MUG-RED"], "base_local": 1200,
                 "base_etsy": 999, "etsy_quantity": 999, "status": "clamped"},
                {"etsy_listing_id": 102, "pool_key": "sku:MUG-GREEN", "label": "Green",
                 "sku": "MUG-GREEN", "status": "unlinked"},
                {"etsy_listing_id": 103, "pool_key": "listing", "label": "Whole listing",
                 "sku": "SCARF-1", "status": "unlinked"},
            ],
        )  # fmt: skip
    return ids


def test_listings_with_their_links(database: Database) -> None:
    _shop(database)
    rows = {r.listing_id: r for r in load_listings(database, SHOP)}
    assert [rows[i].link for i in (101, 102, 103)] == ["linked", "partly linked", "unlinked"]
    assert rows[101].local_product == "Blue ceramic mug"
    assert rows[102].pools == 2
    assert load_listings(database, SHOP + 1) == []


def test_listing_prices_and_times_read_raw_come_out_exact(database: Database) -> None:
    """The listings query skips SQLAlchemy's conversions for speed; the values must not suffer."""
    _shop(database)
    synced = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    with database.session() as session:
        for lid, price in ((101, Decimal("24.10")), (102, Decimal("0.07"))):
            query = select(EtsyProduct).where(EtsyProduct.etsy_listing_id == lid)
            listing = session.scalars(query).one()
            listing.price, listing.last_synced_at = price, synced
            if lid == 102:
                listing.missing_since = synced
    rows = {r.listing_id: r for r in load_listings(database, SHOP)}
    assert rows[101].price == Decimal("24.10")
    assert str(rows[102].price) == "0.07"
    assert rows[103].price is None
    assert rows[101].last_synced_at == synced
    assert rows[103].last_synced_at is None
    assert rows[102].missing
    assert not rows[101].missing


def test_pools_say_what_the_next_sync_would_do(database: Database) -> None:
    _shop(database)
    pools = {p.pool_key: p for p in load_pools(database, SHOP, ConflictPolicy.MERGE)}
    blue = pools["sku:MUG-BLUE"]  # local 5 → 7, Etsy 5 → 4: both changed
    assert (blue.local_quantity, blue.etsy_quantity, blue.base) == (7, 4, "5")
    assert blue.next_action == "merge"
    assert "sold 1 on Etsy" in blue.next_reason
    red = pools["sku:MUG-RED"]
    assert red.base == "1200 / 999"
    assert red.next_action == "nothing"
    assert red.status == "clamped"
    assert red.needs_attention
    assert pools["listing"].next_action == "not linked"
    assert pools["listing"].needs_attention
    skip = {p.pool_key: p for p in load_pools(database, SHOP, ConflictPolicy.SKIP)}
    assert skip["sku:MUG-BLUE"].next_action == "skip (conflict)"
    assert skip["sku:MUG-BLUE"].conflict


def test_link_suggestions_rank_sku_then_title(database: Database) -> None:
    _shop(database)
    links = listing_links(database, 103)
    assert [p.pool_key for p in links.pools] == ["listing"]
    found = suggest_variants(database, links.title, links.pools[0])
    assert found[0].sku == "scarf-1"
    assert found[0].confidence == 0.95
    assert "other letter case" in found[0].reason
    mug = suggest_variants(database, "Blue ceramic mug, handmade", None)
    assert mug
    assert all(s.reason.startswith("title") for s in mug)
    assert mug[0].product_title == "Blue ceramic mug"
    assert mug[0].linked_to is not None
    assert [s.sku for s in suggest_variants(database, "x", None, search="scarf")] == ["scarf-1"]


def test_log_pages_cover_every_row_once_newest_first(database: Database) -> None:
    fill_log(database, shop_id=SHOP, runs=2, per_run=130, end=NOW)
    seen, after, pages = [], None, 0
    while True:
        page = fetch_log_page(database, LogFilter(), after, limit=100)
        seen.extend(page.rows)
        pages += 1
        if page.next_key is None:
            break
        after = page.next_key
    assert pages == 3
    assert len(seen) == 260
    assert len({r.id for r in seen}) == 260
    assert [r.synced_at for r in seen] == sorted((r.synced_at for r in seen), reverse=True)
    one = fetch_log_page(database, LogFilter(listing_id=1003, result="error"), None)
    assert one.rows
    assert all(r.listing_id == 1003 and r.result == "error" for r in one.rows)


def test_catalog_edits_keep_the_rules(database: Database) -> None:
    ids = _shop(database)
    assert edits.parse_quantity(" 12 ") == 12
    for bad in ("-1", "1.5", "", "ten"):
        with pytest.raises(edits.CatalogEditError):
            edits.parse_quantity(bad)
    with pytest.raises(edits.CatalogEditError, match="already has SKU 'MUG-BLUE'"):
        edits.add_product(database, "Copy", edits.VariantInput("MUG-BLUE", None, None, 1))
    with pytest.raises(edits.LinkedVariantError, match="listing 101"):
        edits.delete_variant(database, ids["MUG-BLUE"])
    edits.delete_variant(database, ids["scarf-1"])  # not linked: fine
    edits.delete_variant(database, ids["MUG-BLUE"], unlink=True)
    pools = {p.pool_key: p for p in load_pools(database, SHOP)}
    assert pools["sku:MUG-BLUE"].local_variant_id is None
    edits.set_variant_quantity(database, ids["MUG-RED"], 3)
    with pytest.raises(edits.CatalogEditError):
        edits.set_variant_quantity(database, ids["MUG-RED"], -3)
