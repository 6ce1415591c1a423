"""The Sales view's numbers come from the ledger the stock syncs fill, with no Etsy call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.queries.sales import sales_per_day, sales_per_item
from fake_etsy import ManualClock
from tests.sync.test_support import Env, linked_listing, make_env
from tests.sync.test_sync_ledger import SCOPES, _client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()  # 2026-01-01 00:00 UTC


@pytest.fixture
def env(database: Database, clock: ManualClock) -> Iterator[Env]:
    with make_env(database, clock=clock, client_for=lambda s: _client(s, clock, SCOPES)) as made:
        yield made


def test_sales_per_day_and_per_item(env: Env, clock: ManualClock) -> None:
    mug = linked_listing(env, "MUG", etsy=20, local=20)
    cup = linked_listing(env, "CUP", etsy=20, local=20)
    clock.advance(3600)
    env.server.simulate_purchase(mug, 2)
    env.server.simulate_purchase(cup, 1)
    env.service().sync_inventory("manual")
    clock.advance(86_400)
    env.server.simulate_purchase(mug, 1)
    env.server.simulate_purchase(mug, 3)
    env.server.cancel_order(env.server.last_receipt_id(), restock=True)
    env.service().sync_inventory("manual")
    env.server.reset_stats()
    days = sales_per_day(env.database, env.shop_id)
    assert [(d.day.isoformat(), d.orders, d.units, d.canceled_units) for d in days] == [
        ("2026-01-02", 1, 1, 3),
        ("2026-01-01", 2, 3, 0),
    ]
    items = sales_per_item(env.database, env.shop_id)
    assert [(i.listing_id, i.sku, i.orders, i.units) for i in items] == [
        (mug, "MUG", 2, 3),
        (cup, "CUP", 1, 1),
    ]
    assert items[0].last_sold == datetime(2026, 1, 2, 1, tzinfo=UTC)
    since = int(datetime(2026, 1, 2, tzinfo=UTC).timestamp())
    assert [i.units for i in sales_per_item(env.database, env.shop_id, since=since)] == [1]
    assert env.server.stats.total_requests == 0
