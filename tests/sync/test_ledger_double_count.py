"""A sale is counted once when a run's orders read fails; recovery neither loses nor repeats one.

The soak found both (seeds 1 and 3): a run whose receipts read got a 5xx wrote
a listing whose read already showed a purchase made seconds before; the next
run found that purchase inside the write's window and subtracted it again
(both sides one below the true count).  And a write killed before its PUT,
followed by the seller's save on etsy.com and a purchase of the pool, read as
landed at recovery, so the purchase was lost (one above: an oversell).

Over real HTTP against the fake Etsy, on SQLite and PostgreSQL, with one
``ManualClock`` for the fake and the client (see ``test_sync_ledger``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyTransaction
from etsysync_gui.queries.needs_you import load_needs_you
from etsysync_gui.sync.inventory.plan_types import CHECK
from etsysync_gui.sync.inventory.resolve import PoolFix, Resolution
from fake_etsy import ManualClock
from tests.sync.test_support import Env, linked_listing, make_client, make_env
from tests.sync.test_sync_crash import Kill, KillAt

RECEIPTS = "getShopReceipts"
SCOPES = ("listings_r", "listings_w", "shops_r", "transactions_r")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def env(database: Database, clock: ManualClock) -> Iterator[Env]:
    client_for = lambda s: make_client(s, clock=clock, scopes=SCOPES)  # noqa: E731
    with make_env(database, clock=clock, client_for=client_for) as made:
        yield made


def _both(env: Env, listing_id: int) -> tuple[int, int]:
    return env.local("MUG"), env.etsy(listing_id)["sku:MUG"]


def _lines(env: Env) -> list[EtsyTransaction]:
    with env.database.session() as session:
        return list(session.scalars(select(EtsyTransaction)))


def _settle(env: Env, clock: ManualClock, runs: int = 2) -> None:
    for _ in range(runs):
        clock.advance(120)
        result = env.service().sync_inventory("manual")
        assert result.status == "completed"


def test_a_sale_the_read_showed_is_not_counted_again_when_that_runs_orders_read_failed(
    env: Env, clock: ManualClock
) -> None:
    """Our write left MUG at 4; a buyer buys 1 in the second of the next run's read.

    That run's receipts read gets 503s: the three-way merge counts the sale
    (Etsy 3 = written 4 - 1) and writes 2 (1 sold here too).  The next run
    reads the order inside that write's window.  The read saw exactly the
    version our previous write made (same product ids) with one unit gone, so
    the one sale on it was in the read: not subtracted again.
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 4)
    env.service().sync_inventory("manual")
    assert _both(env, listing_id) == (4, 4)
    clock.advance(120)
    env.server.simulate_purchase(listing_id, 1)  # the same second as the next read
    env.set_local("MUG", 3)
    env.server.faults.fail_next(status=503, count=10, operations=[RECEIPTS])
    merged = env.service().sync_inventory("manual")
    assert merged.counts.merges == 1
    assert _both(env, listing_id) == (2, 2)  # base 4 - 1 here - 1 on Etsy
    env.server.faults.clear()
    _settle(env, clock)
    assert _both(env, listing_id) == (2, 2)
    (line,) = _lines(env)
    assert line.overwritten_by is None
    assert line.applied_run_id is None


def test_a_sale_erased_by_that_write_is_still_counted_when_its_orders_read_failed(
    env: Env, clock: ManualClock
) -> None:
    """Same failed orders read, but one sale before the read and one between read and PUT.

    Written 4, read 3: one unit was gone before the read, so the earlier sale
    was in it and the later one was erased by the PUT: exactly one is counted.
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 4)
    env.service().sync_inventory("manual")
    clock.advance(120)
    env.server.simulate_purchase(listing_id, 1)  # in the read
    env.set_local("MUG", 3)
    buy = lambda: env.server.simulate_purchase(listing_id, 1)  # noqa: E731
    env.server.on_request("before", "updateListingInventory", buy, listing_id=listing_id)
    env.server.faults.fail_next(status=503, count=10, operations=[RECEIPTS])
    env.service().sync_inventory("manual")
    assert _both(env, listing_id) == (2, 2)  # the second sale was erased by the PUT
    env.server.faults.clear()
    _settle(env, clock)
    assert _both(env, listing_id) == (1, 1)  # 5 - 1 here - 2 on Etsy, never 2 (oversell)
    counted = [line for line in _lines(env) if line.overwritten_by is not None]
    assert len(counted) == 1


def test_a_kill_before_the_put_then_a_seller_save_and_a_sale_loses_no_sale(
    env: Env, clock: ManualClock
) -> None:
    """Killed after the write-ahead record (PUT never sent), the seller saves a new price
    (new product ids), a buyer buys 1: Etsy now shows exactly what the write meant (4).

    Recovery must not take the write as landed: the orders since the record's
    read add the purchase back (4 + 1 = 5, what Etsy held before), so the
    record is dropped and the pool decided again: 5 - 1 here - 1 on Etsy = 3.
    Taken as landed, both sides would stay at 4 (one sold that does not exist).
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 4)
    with pytest.raises(Kill):
        env.service(hooks=KillAt("after_write_ahead", listing_id)).sync_inventory("manual")
    clock.advance(60)
    env.server.seller_edit(listing_id, sku="MUG", price="14.00")
    env.server.simulate_purchase(listing_id, 1)
    assert _both(env, listing_id) == (4, 4)
    clock.advance(60)
    recovering = env.service().sync_inventory("manual")
    assert recovering.recovered == 0
    assert _both(env, listing_id) == (3, 3)
    _settle(env, clock)
    assert _both(env, listing_id) == (3, 3)


def test_a_kill_after_the_put_then_a_sale_is_counted_once(env: Env, clock: ManualClock) -> None:
    """Killed right after the PUT landed (4), a buyer buys 1 on the new version (3).

    Recovery adds the purchase back (3 + 1 = 4, the written number): landed.
    The purchase is not one the PUT erased (its product id is the PUT's own),
    so it is counted once, by the three-way decision: 5 - 1 - 1 = 3.
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 4)
    with pytest.raises(Kill):
        env.service(hooks=KillAt("after_put", listing_id)).sync_inventory("manual")
    clock.advance(60)
    env.server.simulate_purchase(listing_id, 1)
    clock.advance(60)
    recovering = env.service().sync_inventory("manual")
    assert recovering.recovered == 1
    _settle(env, clock)
    assert _both(env, listing_id) == (3, 3)
    assert all(line.overwritten_by is None for line in _lines(env))


def test_a_sale_no_read_can_place_is_counted_and_the_pool_flagged_for_the_seller(
    env: Env, clock: ManualClock
) -> None:
    """The read saw a version no write of ours made (the seller saved a price), and the
    run's orders read failed: nothing tells whether the sale in the second of the
    read was in it.  Counted (never oversell: both sides one below the true 2),
    and the pool waits in Needs you until the seller enters the count.
    """
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.set_local("MUG", 4)
    env.service().sync_inventory("manual")
    clock.advance(120)
    env.server.seller_edit(listing_id, sku="MUG", price="14.00")  # new product ids
    env.server.simulate_purchase(listing_id, 1)  # the same second as the next read
    env.set_local("MUG", 3)
    env.server.faults.fail_next(status=503, count=10, operations=[RECEIPTS])
    env.service().sync_inventory("manual")
    assert _both(env, listing_id) == (2, 2)  # true: 5 - 2 here - 1 on Etsy
    env.server.faults.clear()
    _settle(env, clock)
    assert _both(env, listing_id) == (1, 1)  # one below, never above
    assert env.pools(listing_id)["sku:MUG"].status == CHECK
    (item,) = [i for i in load_needs_you(env.database, env.shop_id).items if i.kind == "check"]
    assert (item.listing_id, item.local, item.etsy) == (listing_id, 1, 1)
    fix = PoolFix(listing_id, "sku:MUG", Resolution.COUNTED, count=2)
    assert env.service().resolve(fix).status == "completed"
    _settle(env, clock)
    assert _both(env, listing_id) == (2, 2)
    assert env.pools(listing_id)["sku:MUG"].status == "ok"
    assert load_needs_you(env.database, env.shop_id).items == ()


def test_an_erased_sale_on_a_seller_saved_version_is_counted_without_a_flag(
    env: Env, clock: ManualClock
) -> None:
    """Same seller's save, but the run's orders read worked: the sale, bought between
    the read and the PUT, is erased for sure; counted, nothing to check."""
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    clock.advance(120)
    env.server.seller_edit(listing_id, sku="MUG", price="14.00")
    env.set_local("MUG", 4)
    buy = lambda: env.server.simulate_purchase(listing_id, 1)  # noqa: E731
    env.server.on_request("before", "updateListingInventory", buy, listing_id=listing_id)
    env.service().sync_inventory("manual")
    _settle(env, clock)
    assert _both(env, listing_id) == (3, 3)
    assert env.pools(listing_id)["sku:MUG"].status == "ok"
