"""``EtsyClient.get_orders``: the shop's receipts since a moment, 100 a page, none lost."""

from __future__ import annotations

from fake_etsy import FakeEtsyServer, ManualClock
from tests.sync.test_support import make_client, simple


def _shop_with_orders(count: int) -> tuple[FakeEtsyServer, ManualClock, int]:
    clock = ManualClock()
    server = FakeEtsyServer(listings=0, qps=None, qpd=None, clock=clock).start()
    listing_id = server.add_listing(inventory=simple("MUG", 999))
    for _ in range(count):
        clock.advance(1)
        server.simulate_purchase(listing_id, 1)
    return server, clock, listing_id


def test_orders_since_a_moment_in_one_call() -> None:
    server, clock, listing_id = _shop_with_orders(3)
    start = int(clock())
    clock.advance(10)
    server.simulate_purchase(listing_id, 2)
    try:
        with make_client(server) as client:
            read = client.get_orders(server.shop_id, since=start + 5)
            assert read.complete
            assert read.calls == 1
            (order,) = read.orders
            (line,) = order.lines
            assert (line.listing_id, line.sku, line.quantity) == (listing_id, "MUG", 2)
            assert line.created == int(clock())
            assert not order.canceled
            assert order.receipt_id == server.last_receipt_id() == line.receipt_id
    finally:
        server.stop()


def test_many_orders_are_read_100_a_page() -> None:
    server, _clock, _ = _shop_with_orders(230)
    try:
        with make_client(server) as client:
            read = client.get_orders(server.shop_id, since=946_684_800)
            assert read.complete
            assert read.calls == 3
            assert len({o.receipt_id for o in read.orders}) == 230
    finally:
        server.stop()


def test_an_order_changed_during_the_read_costs_a_second_pass_not_a_loss() -> None:
    """A cancellation moves an early receipt to the end: the first pass skips one."""
    server, _clock, _ = _shop_with_orders(150)
    first = server.shop.receipts[0].receipt_id
    server.on_request("after", "getShopReceipts", lambda: server.cancel_order(first, restock=False))
    try:
        with make_client(server) as client:
            read = client.get_orders(server.shop_id, since=946_684_800)
            assert read.complete
            assert read.calls == 4
            assert len(read.orders) == 150
            assert next(o for o in read.orders if o.receipt_id == first).canceled
    finally:
        server.stop()
