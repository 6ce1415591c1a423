"""The bulk writes store what one statement per row would have stored, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from etsysync_gui.db.bulk import insert_rows, update_rows
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool
from etsysync_gui.db.sql_helpers import table_of, upsert

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)
NOW = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _listing(lid: int, title: str) -> dict[str, object]:
    return {
        "etsy_listing_id": lid,
        "shop_id": 7,
        "title": title,
        "price": Decimal("12.50"),
        "state": "active",
        "disabled_by_us": ["sku:A"],
        "last_synced_at": NOW,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _pool(lid: int, key: str, quantity: int) -> dict[str, object]:
    return {
        "etsy_listing_id": lid,
        "pool_key": key,
        "label": key,
        "etsy_quantity": quantity,
        "etsy_enabled": True,
        "price": Decimal("3.10"),
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_upsert_keeps_the_last_row_of_a_key_and_round_trips_values(database: Database) -> None:
    with database.session() as session:
        rows = [_listing(1, "first"), _listing(2, "two"), _listing(1, "again")]
        upsert(session, LISTINGS, rows, keys=["etsy_listing_id"], update=["title", "updated_at"])
    later = NOW + timedelta(hours=1)
    with database.session() as session:
        row = {**_listing(2, "renamed"), "updated_at": later}
        upsert(session, LISTINGS, [row], keys=["etsy_listing_id"], update=["title", "updated_at"])
    with database.session() as session:
        stored = {p.etsy_listing_id: p for p in session.scalars(select(EtsyProduct)).all()}
        assert {lid: p.title for lid, p in stored.items()} == {1: "again", 2: "renamed"}
        assert stored[1].price == Decimal("12.50")
        assert stored[1].disabled_by_us == ["sku:A"]
        assert stored[1].last_synced_at == NOW
        assert stored[2].updated_at == later
        assert stored[2].created_at == NOW


def test_update_rows_sets_matched_rows_only(database: Database) -> None:
    with database.session() as session:
        upsert(
            session,
            LISTINGS,
            [_listing(1, "one")],
            keys=["etsy_listing_id"],
            update=["title"],
        )
        insert_rows(session, POOLS, [_pool(1, "a", 4), _pool(1, "b", 5)])
    later = NOW + timedelta(minutes=5)
    with database.session() as session:
        update_rows(
            session,
            POOLS,
            [
                {"b_lid": 1, "b_key": "a", "v_message": "old"},
                {"b_lid": 1, "b_key": "missing", "v_message": "nothing"},
                {"b_lid": 1, "b_key": "a", "v_message": "last wins"},
            ],
            match={"b_lid": "etsy_listing_id", "b_key": "pool_key"},
            values={"v_message": "message"},
            constants={"status": "ok", "updated_at": later},
        )
        update_rows(
            session,
            LISTINGS,
            [{"b_lid": 1, "v_disabled": ["sku:B", "sku:C"]}],
            match={"b_lid": "etsy_listing_id"},
            values={"v_disabled": "disabled_by_us"},
            constants={"sync_error": None},
        )
    with database.session() as session:
        pools = {p.pool_key: p for p in session.scalars(select(EtsyStockPool)).all()}
        assert set(pools) == {"a", "b"}
        assert (pools["a"].message, pools["a"].status, pools["a"].updated_at) == (
            "last wins",
            "ok",
            later,
        )
        assert (pools["b"].message, pools["b"].status, pools["b"].updated_at) == (
            None,
            "unlinked",
            NOW,
        )
        assert pools["a"].price == Decimal("3.10")
        listing = session.scalars(select(EtsyProduct)).one()
        assert listing.disabled_by_us == ["sku:B", "sku:C"]
