"""Listing sync (Etsy → local): rows, stock pools, missing listings, links by SKU, imports."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.db.models import EtsyProduct, EtsySyncConfig, Product, ProductVariant
from etsysync_gui.db.types import utcnow
from etsysync_gui.etsy.models import Listing
from etsysync_gui.sync.listings.run import ShopRead, store_listings
from fake_etsy import FakeEtsyServer
from tests.sync.test_support import Env, make_env, one_property, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def problems(env: Env) -> dict[int, str | None]:
    with env.database.session() as session:
        query = select(EtsyProduct.etsy_listing_id, EtsyProduct.link_problem)
        return {listing_id: problem for listing_id, problem in session.execute(query)}


def test_every_listing_in_every_state_is_stored_with_its_fields(env: Env) -> None:
    ids = {
        state: env.add(simple(f"S-{state}", 3, "12.34"), state=state, title=f"A {state} thing")
        for state in ("active", "inactive", "draft", "expired")
    }
    result = env.service().sync_listings("manual")
    assert result.status == "completed"
    assert result.counts.listings == 4
    assert result.listing_sync is not None
    assert result.listing_sync.new == 4
    row = env.listing_row(ids["draft"])
    listing = env.server.listing_json(ids["draft"])
    assert (row.title, row.state, row.sku, row.quantity) == ("A draft thing", "draft", "S-draft", 3)
    assert row.price == Decimal("12.34")
    assert row.url == listing["url"]
    assert row.description == listing["description"]
    assert not row.has_variations
    assert row.etsy_last_modified_at is not None
    assert row.etsy_last_modified_at.timestamp() == listing["last_modified_timestamp"]
    assert (row.sync_status, row.last_synced_at, row.shop_id) == (
        "synced",
        env.clock.now,
        env.shop_id,
    )
    with env.database.session() as session:
        config = session.scalars(select(EtsySyncConfig)).one()
    assert config.last_product_sync == env.clock.now
    assert config.sync_status == "completed"


def test_stock_pools_are_stored_per_shared_stock_with_the_lowest_price(env: Env) -> None:
    shared = one_property(
        [("Red", "M-R", 4, "10.00"), ("Blue", "M-B", 4, "7.50")], per_value_stock=False
    )
    per_value = one_property([("Red", "T-R", 2, "5.00"), ("Blue", "T-B", 9, "6.00")])
    shared_id, per_value_id = env.add(shared), env.add(per_value)
    env.service().sync_listings("manual")
    (pool,) = env.pools(shared_id).values()
    assert (pool.pool_key, pool.label, pool.etsy_quantity, pool.price) == (
        "listing",
        "All variations",
        4,
        Decimal("7.50"),
    )
    assert env.listing_row(shared_id).has_variations
    assert env.listing_row(shared_id).sku is None
    pools = env.pools(per_value_id)
    assert {k: (p.label, p.sku, p.etsy_quantity) for k, p in pools.items()} == {
        "sku:T-R": ("Red", "T-R", 2),
        "sku:T-B": ("Blue", "T-B", 9),
    }


def test_pools_that_vanish_are_deleted_but_their_log_stays(env: Env) -> None:
    env.catalog({"T-R": 2, "T-B": 9})
    listing_id = env.add(one_property([("Red", "T-R", 2, "5.00"), ("Blue", "T-B", 9, "6.00")]))
    service = env.service()
    service.sync_all("manual")
    assert len(env.log(listing_id)) == 2
    env.server.seller_replace_inventory(
        listing_id, one_property([("Red", "T-R", 2, "5.00"), ("Green", "T-G", 1, "6.00")])
    )
    result = service.sync_listings("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.pools_removed == 1
    assert set(env.pools(listing_id)) == {"sku:T-R", "sku:T-G"}
    assert len(env.log(listing_id)) == 2  # the history of the Blue pool is kept


def test_a_deleted_listing_is_marked_missing_kept_and_no_longer_synced(env: Env) -> None:
    env.catalog({"GONE": 4, "STAYS": 2})
    gone, stays = env.add(simple("GONE", 4)), env.add(simple("STAYS", 2))
    service = env.service()
    service.sync_all("manual")
    env.server.delete_listing(gone)
    result = service.sync_listings("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.missing == (gone,)
    row = env.listing_row(gone)
    assert row.missing_since == env.clock.now
    assert row.local_product_id is not None
    assert len(env.log(gone)) == 1
    assert env.local("GONE") == 4
    env.set_local("GONE", 1)
    env.set_local("STAYS", 1)
    env.server.reset_stats()
    run = service.sync_inventory("manual")
    assert run.counts.listings == 1
    assert run.counts.pushes == 1
    assert run.counts.errors == 0
    assert env.calls("updateListingInventory") == 1  # only the listing that still exists
    assert env.etsy(stays) == {"sku:STAYS": 1}


def test_a_listing_that_comes_back_is_no_longer_missing(env: Env) -> None:
    listing_id = env.add(simple("BACK", 1))
    service = env.service()
    service.sync_listings("manual")
    with env.database.session() as session:
        session.execute(update(EtsyProduct).values(missing_since=utcnow()))
    result = service.sync_listings("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.returned == (listing_id,)
    assert env.listing_row(listing_id).missing_since is None


def test_a_listing_stored_under_another_shop_is_taken_over_not_duplicated(env: Env) -> None:
    """A row of another shop (a profile switched shops) is found and overwritten: the
    read's "is this listing new?" shortcut knows every stored id, whatever its shop."""
    env.catalog({"MOVED": 3})
    listing_id = env.add(simple("MOVED", 3))
    service = env.service()
    service.sync_listings("manual")
    with env.database.session() as session:
        products = session.scalar(select(func.count()).select_from(Product))
        session.execute(update(EtsyProduct).values(shop_id=env.shop_id + 1, local_product_id=None))
    result = service.sync_listings("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.new == 1  # new to this shop
    row = env.listing_row(listing_id)
    assert row.shop_id == env.shop_id
    assert row.local_product_id is not None  # given its product back, not a new one
    with env.database.session() as session:
        assert session.scalar(select(func.count()).select_from(EtsyProduct)) == 1
        assert session.scalar(select(func.count()).select_from(Product)) == products


def test_pools_link_by_exact_sku_and_problems_are_reported(env: Env) -> None:
    env.catalog({"MATCH": 3, "DUP": 1, "dup-other": 1})
    matched = env.add(simple("MATCH", 3))
    no_sku = env.add(simple("", 2))
    dup_a, dup_b = env.add(simple("DUP", 1)), env.add(simple("DUP", 1))
    no_match = env.add(simple("NOBODY", 5))
    result = env.service().sync_listings("manual")
    sync = result.listing_sync
    assert sync is not None
    assert sync.linked == 1
    assert sync.problem_counts() == {
        "ambiguous": 0,
        "duplicate_sku": 2,
        "no_match": 1,
        "no_sku": 1,
    }
    assert problems(env) == {
        matched: None,
        no_sku: "no_sku",
        dup_a: "duplicate_sku",
        dup_b: "duplicate_sku",
        no_match: "no_match",
    }
    pool = env.pools(matched)["sku:MATCH"]
    assert (pool.link_source, pool.first_truth, pool.base_local) == ("sku", "etsy", None)
    assert env.listing_row(matched).local_product_id is not None
    assert all(p.local_variant_id is None for p in env.pools(dup_a).values())


def test_a_listing_whose_pools_cannot_be_told_apart_is_reported_ambiguous(env: Env) -> None:
    """Etsy (and the fake) refuse such inventories; one read from elsewhere must not crash."""
    listing_id = env.add(one_property([("Red", "", 1, "5.00"), ("Blue", "", 1, "5.00")]))
    data = env.server.listing_json(listing_id)
    data["inventory"]["products"][1]["property_values"][0]["values"] = ["Red"]
    listing = Listing.from_json(data)
    with env.database.session() as session:
        result = store_listings(
            session, env.shop_id, ShopRead((listing,), frozenset()), now=env.clock.now
        )
    assert result.problem_counts()["ambiguous"] == 1
    assert problems(env)[listing_id] == "ambiguous"
    assert "cannot be told apart" in (env.listing_row(listing_id).sync_error or "")
    assert env.pools(listing_id) == {}


def test_import_unlinked_creates_linked_variants_already_in_step(env: Env) -> None:
    rows = [("Red", "", 2, "5.00"), ("Blue", "", 7, "6.25")]
    variations = env.add(one_property(rows, per_value_sku=False), title="Two colours")
    lonely = env.add(simple("NEW-SKU", 4, "3.00"), title="Lonely")
    service = env.service()
    result = service.sync_listings("manual", import_unlinked=True)
    sync = result.listing_sync
    assert sync is not None
    assert (sync.imported_products, sync.imported_variants) == (2, 3)
    assert sync.link_problems == ()
    with env.database.session() as session:
        variants = {
            (title, v.sku, v.name, v.quantity, v.price)
            for v, title in session.execute(select(ProductVariant, Product.title).join(Product))
        }
    assert variants == {
        ("Two colours", None, "Red", 2, Decimal("5.00")),
        ("Two colours", None, "Blue", 7, Decimal("6.25")),
        ("Lonely", "NEW-SKU", "Whole listing", 4, Decimal("3.00")),
    }
    pools = list(env.pools(variations).values()) + list(env.pools(lonely).values())
    assert all(p.base_local == p.base_etsy == p.etsy_quantity for p in pools)
    env.server.reset_stats()
    run = service.sync_inventory("manual")
    assert (run.counts.pushes, run.counts.pulls, run.counts.merges) == (0, 0, 0)
    assert env.calls("updateListingInventory") == 0


def test_a_sku_link_follows_the_sku_and_an_unlink_sticks(env: Env) -> None:
    env.catalog({"OLD": 1, "NEW": 1})
    listing_id = env.add(simple("OLD", 1))
    service = env.service()
    service.sync_all("manual")
    env.server.seller_replace_inventory(listing_id, simple("NEW", 1))
    service.sync_listings("manual")
    (pool,) = env.pools(listing_id).values()
    assert (pool.pool_key, pool.link_source) == ("sku:NEW", "sku")
    service.unlink(listing_id)
    service.sync_listings("manual")
    (pool,) = env.pools(listing_id).values()
    assert (pool.local_variant_id, pool.link_source) == (None, "unlinked")


def test_a_listing_the_seller_switched_back_on_is_no_longer_ours_to_switch(env: Env) -> None:
    listing_id = env.add(simple("X", 1))
    service = env.service()
    service.sync_listings("manual")
    with env.database.session() as session:
        session.execute(update(EtsyProduct).values(deactivated_by_etsysync=True))
    service.sync_listings("manual")
    assert not env.listing_row(listing_id).deactivated_by_etsysync


def test_a_dry_run_listing_sync_writes_nothing(env: Env) -> None:
    env.catalog({"A": 1})
    env.add(simple("A", 1))
    result = env.service().sync_listings("cli", dry_run=True)
    assert result.dry_run
    assert result.listing_sync is not None
    assert result.listing_sync.linked == 1
    with env.database.session() as session:
        assert session.scalar(select(func.count()).select_from(EtsyProduct)) == 0
        config = session.scalars(select(EtsySyncConfig)).one()
    assert config.last_product_sync is None
    assert config.lease_holder is None
    assert [(r.kind, r.dry_run, r.status) for r in env.runs()] == [("products", True, "completed")]


@pytest.mark.slow
def test_ten_thousand_listings_are_inserted_then_updated(tmp_path: Path) -> None:
    """How long this takes is measured by benchmarks/store_bench.py, not asserted here."""
    fake = FakeEtsyServer(listings=10_000, seed=3)  # never started: the shop model only
    listings = tuple(Listing.from_json(fake.listing_json(i)) for i in fake.listing_ids())
    database = Database.open(f"sqlite:///{tmp_path / 'big.db'}")
    upgrade_to_head(database.engine)
    try:
        for _ in range(2):  # the first sync inserts, the second updates
            with database.session() as session:
                result = store_listings(
                    session, fake.shop_id, ShopRead(listings, frozenset()), now=utcnow()
                )
        assert result.listings_read == 10_000
        assert result.updated == 10_000
        assert result.pools > 10_000
    finally:
        database.dispose()


def test_a_repeat_sync_skips_listings_etsy_did_not_change(env: Env) -> None:
    """Unchanged listings are not rewritten (``updated_at`` stays) but are stamped as read."""
    same = env.add(simple("U-SAME", 3))
    edited = env.add(simple("U-EDIT", 5))
    first = env.service().sync_listings("manual").listing_sync
    assert first is not None
    assert first.unchanged == 0
    written = env.listing_row(same).updated_at
    env.clock.advance(60)
    env.server.seller_edit(edited, quantity=7)
    result = env.service().sync_listings("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.unchanged == 1
    assert result.to_json()["listing_sync"]["unchanged_skipped"] == 1
    row = env.listing_row(same)
    assert (row.updated_at, row.last_synced_at) == (written, env.clock.now)
    assert env.listing_row(edited).updated_at == env.clock.now
    (pool,) = env.pools(edited).values()
    assert pool.etsy_quantity == 7


def test_a_listing_takes_the_product_of_its_first_linked_pool(env: Env) -> None:
    """New listings are inserted with their product when their links settle it (one
    product, or none); pools on several products keep the first pool's, as stored."""
    one = env.catalog({"ONE-A": 1, "ONE-B": 1}, title="One")
    two = env.catalog({"TWO-A": 1}, title="Two")
    rows = [("Red", "TWO-A", 1, "5.00"), ("Blue", "ONE-A", 1, "5.00")]
    mixed = env.add(one_property(rows))
    same = env.add(one_property([("Red", "ONE-B", 1, "5.00"), ("Blue", "", 1, "5.00")]))
    none = env.add(simple("NOBODY", 1))
    env.service().sync_listings("manual")
    with env.database.session() as session:
        query = select(ProductVariant.id, ProductVariant.product_id)
        product_of = {vid: pid for vid, pid in session.execute(query)}
    first = min(env.pools(mixed).values(), key=lambda pool: pool.id)
    assert first.local_variant_id is not None
    assert env.listing_row(mixed).local_product_id == product_of[first.local_variant_id]
    assert {product_of[one["ONE-A"]], product_of[two["TWO-A"]]} == {
        product_of[p.local_variant_id] for p in env.pools(mixed).values() if p.local_variant_id
    }
    assert env.listing_row(same).local_product_id == product_of[one["ONE-B"]]
    assert env.listing_row(none).local_product_id is None
