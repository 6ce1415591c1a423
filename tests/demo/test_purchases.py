"""Simulated buyers: deterministic sales on the fake shop that the next stock sync pulls."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.db.models import EtsyInventorySyncLog, EtsyStockPool
from etsysync_gui.demo.first_run import unlink_a_few
from etsysync_gui.demo.purchases import Purchase, PurchaseSimulator
from etsysync_gui.demo.shop import DemoShop
from etsysync_gui.etsy_account import client_from_settings
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from fake_etsy import FakeEtsyServer


def stock(server: FakeEtsyServer, purchase: Purchase) -> int:
    wanted = dict(purchase.property_values)
    for product in server.inventory_json(purchase.listing_id)["products"]:
        values = {pv["property_name"]: "/".join(pv["values"]) for pv in product["property_values"]}
        if values == wanted:
            return int(product["offerings"][0]["quantity"])
    raise AssertionError("product not found")


def test_a_purchase_takes_one_unit_of_an_in_stock_offering() -> None:
    with FakeEtsyServer(listings=40, seed=3, qps=None, qpd=None) as server:
        before = {i: server.inventory_json(i) for i in server.listing_ids()}
        purchase = PurchaseSimulator(server, seed=1).buy_one()
        assert purchase is not None
        assert stock(server, purchase) == purchase.left
        old = {
            tuple((pv["property_name"], "/".join(pv["values"])) for pv in p["property_values"]): p
            for p in before[purchase.listing_id]["products"]
        }[purchase.property_values]
        assert old["offerings"][0]["quantity"] == purchase.left + 1
        changed = [i for i in before if server.inventory_json(i) != before[i]]
        assert changed == [purchase.listing_id]


def test_the_same_seed_buys_the_same_things() -> None:
    def sales(seed: int) -> list[Purchase | None]:
        with FakeEtsyServer(listings=40, seed=3, qps=None, qpd=None) as server:
            simulator = PurchaseSimulator(server, seed=seed)
            return [simulator.buy_one() for _ in range(5)]

    assert sales(4) == sales(4)
    assert sales(4) != sales(5)


def test_nothing_in_stock_means_no_purchase() -> None:
    with FakeEtsyServer(listings=0, qps=None, qpd=None) as server:
        assert PurchaseSimulator(server).buy_one() is None


def test_the_background_buyer_buys_every_interval_and_stops() -> None:
    bought = threading.Event()
    seen: list[Purchase] = []

    def on_purchase(purchase: Purchase) -> None:
        seen.append(purchase)
        if len(seen) >= 3:
            bought.set()

    with FakeEtsyServer(listings=20, seed=3, qps=None, qpd=None) as server:
        simulator = PurchaseSimulator(server, interval_s=0.01, on_purchase=on_purchase)
        simulator.start()
        try:
            assert bought.wait(10)
        finally:
            simulator.stop()
        assert not simulator.running
        count = len(simulator.purchases)
        assert simulator.buy_one() is not None  # still usable by hand after stop
        assert len(simulator.purchases) == count + 1


def test_interval_must_be_positive() -> None:
    with (
        FakeEtsyServer(listings=0, qps=None, qpd=None) as server,
        pytest.raises(ValueError, match="interval_s must be positive"),
    ):
        PurchaseSimulator(server, interval_s=0)


@pytest.fixture
def service(demo: DemoShop) -> Iterator[SyncService]:
    settings = demo.settings()
    database = Database.open(settings.effective_database_url())
    upgrade_to_head(database.engine)
    svc = SyncService(
        database,
        lambda: client_from_settings(settings, store=demo.credentials),
        SyncOptions.from_settings(settings),
    )
    try:
        yield svc
    finally:
        svc.close()
        database.dispose()


def test_purchases_are_pulled_by_the_next_inventory_sync(
    demo: DemoShop, service: SyncService
) -> None:
    first = service.sync_listings(import_unlinked=True)
    assert first.status == "completed"
    assert first.counts.listings == 60
    assert service.sync_inventory().counts.pulls == 0  # the import left nothing to do
    with service.database.session() as session:
        linked = set(
            session.scalars(
                select(EtsyStockPool.etsy_listing_id).where(
                    EtsyStockPool.local_variant_id.is_not(None)
                )
            )
        )
    purchases = [demo.purchases.buy_one() for _ in range(6)]
    sold = {p.listing_id for p in purchases if p is not None and p.listing_id in linked}
    assert sold, "the seed should sell some linked stock"

    result = service.sync_inventory()

    assert result.status == "completed"
    assert result.counts.pulls >= len(sold)
    with service.database.session() as session:
        pulled = set(
            session.scalars(
                select(EtsyInventorySyncLog.etsy_listing_id).where(
                    EtsyInventorySyncLog.run_id == result.run_id,
                    EtsyInventorySyncLog.sync_action == "pull_from_etsy",
                )
            )
        )
    assert pulled == sold
    assert service.sync_inventory().counts.pulls == 0  # pulled once, not again


def test_the_first_run_leaves_a_few_listings_unlinked(service: SyncService) -> None:
    service.sync_listings(import_unlinked=True)
    chosen = unlink_a_few(service, 5)
    assert len(chosen) == 5 == len(set(chosen))
    with service.database.session() as session:
        unlinked = set(
            session.scalars(
                select(EtsyStockPool.etsy_listing_id).where(
                    EtsyStockPool.local_variant_id.is_(None)
                )
            )
        )
    assert set(chosen) <= unlinked
    assert unlink_a_few(service, 5) != chosen  # only linked ones are picked
