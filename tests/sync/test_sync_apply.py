"""Applying a plan: what happens when Etsy moves, refuses, fails, or the user cancels."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import (
    EtsyInventorySyncLog,
    EtsyProduct,
    EtsyStockPool,
    EtsySyncConfig,
    ProductVariant,
)
from etsysync_gui.errors import EXIT_NEEDS_USER
from etsysync_gui.etsy.errors import EtsyError
from etsysync_gui.sync.inventory.hooks import SyncHooks
from tests.sync.test_support import Env, linked_listing, make_env, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_a_seller_edit_between_plan_and_apply_is_re_decided(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)  # sold 2 locally: the plan pushes 3
    service = env.service()
    plan = service.plan_inventory()
    (planned,) = plan.listings
    assert planned.put_body is not None
    assert planned.pools[0].etsy_after == 3
    env.server.seller_edit(listing_id, quantity=10)  # the seller restocks 5 on etsy.com
    result = service.apply_plan(plan)
    assert result.redecided == (listing_id,)
    assert (env.local("MUG"), env.etsy(listing_id)) == (8, {"sku:MUG": 8})
    last = env.log(listing_id)[-1]
    assert last.sync_action == "merge"
    assert "re-decided" in (last.message or "")
    assert "Etsy 5 → 10" in (last.message or "")


def test_a_listing_deleted_between_plan_and_apply_is_marked_missing(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)
    service = env.service()
    plan = service.plan_inventory()
    env.server.delete_listing(listing_id)
    result = service.apply_plan(plan)
    assert result.status == "completed"
    assert result.counts.pushes == 0
    assert env.listing_row(listing_id).missing_since is not None
    assert env.local("MUG") == 3
    assert len(env.log(listing_id)) == 1


def _reject_puts_of(env: Env, listing_id: int) -> None:
    """Make Etsy refuse this listing's next inventory PUT.

    The stored inventory now names a property no product has in
    ``price_on_property``; a client that sends it back unchanged gets Etsy's 400.
    """
    with env.server.shop.lock:
        env.server.shop.listings[listing_id].inventory.price_on_property = [999]


def test_a_write_etsy_refuses_is_logged_with_etsys_words_and_the_run_goes_on(env: Env) -> None:
    bad = linked_listing(env, "BAD", etsy=5, local=5)
    good = linked_listing(env, "GOOD", etsy=5, local=5)
    _reject_puts_of(env, bad)
    env.set_local("BAD", 4)
    env.set_local("GOOD", 4)
    result = env.service().sync_inventory("manual")
    assert result.status == "completed_with_errors"
    assert result.counts.errors == 1
    assert env.etsy(good) == {"sku:GOOD": 4}
    (error,) = result.listing_errors
    assert error.listing_id == bad
    row = env.log(bad)[-1]
    assert (row.sync_action, row.sync_result) == ("push_to_etsy", "error")
    assert error.message in (row.message or "")
    assert "price_on_property" in error.message
    pool = env.pools(bad)["sku:BAD"]
    assert (pool.status, pool.base_local) == ("error", 5)  # nothing applied
    listing = env.listing_row(bad)
    assert listing.sync_status == "error"
    assert listing.pending_write is None
    with env.database.session() as session:
        config = session.scalars(select(EtsySyncConfig)).one()
    assert config.sync_status == "completed"
    assert config.sync_error is not None


def test_an_authentication_failure_stops_the_run(env: Env) -> None:
    """One write at a time: B, after the failure, is never started (see also
    ``test_sync_inflight`` for the same guarantees with several in flight)."""
    first = linked_listing(env, "A", etsy=5, local=5)
    second = linked_listing(env, "B", etsy=5, local=5)
    env.set_local("A", 1)
    env.set_local("B", 1)

    class RevokeAfterFirst(SyncHooks):
        def after_commit(self, listing_id: int) -> None:
            env.server.revoke_all_tokens()

    with pytest.raises(EtsyError) as caught:
        env.service(hooks=RevokeAfterFirst(), writes_in_flight=1).sync_inventory("cli")
    assert caught.value.needs_user
    assert caught.value.exit_code == EXIT_NEEDS_USER
    assert env.etsy(first) == {"sku:A": 1}
    assert env.etsy(second) == {"sku:B": 5}
    assert env.runs()[-1].status == "failed"
    with env.database.session() as session:
        config = session.scalars(select(EtsySyncConfig)).one()
    assert config.sync_status == "error"
    assert config.lease_holder is None


def test_pushing_to_n_listings_costs_one_batch_read_per_100_plus_one_put_each(env: Env) -> None:
    count = 120
    env.catalog({f"SKU-{i}": 5 for i in range(count)})
    ids = [env.add(simple(f"SKU-{i}", 5)) for i in range(count)]
    service = env.service()
    service.sync_all("manual")
    for i in range(count):
        env.set_local(f"SKU-{i}", 4)
    plan = service.plan_inventory()
    assert plan.totals.listings_to_write == count
    env.server.reset_stats()
    result = service.apply_plan(plan)
    assert result.counts.pushes == count
    # + 1: the sales ledger's receipts read, one call a run
    assert result.counts.api_calls == 1 + 2 + count == env.server.stats.total_requests
    assert env.calls("getShopReceipts") == 1
    assert env.calls("getListingsInventoryByListingIds") == 2
    assert env.calls("updateListingInventory") == count
    assert env.etsy(ids[-1]) == {f"sku:SKU-{count - 1}": 4}


def _snapshot(env: Env) -> list[object]:
    with env.database.session() as session:
        return [
            [tuple(r) for r in session.execute(select(t)).all()]
            for t in (
                ProductVariant.__table__,
                EtsyProduct.__table__,
                EtsyStockPool.__table__,
                EtsyInventorySyncLog.__table__,
            )
        ]


@pytest.mark.parametrize("kind", ["inventory", "all"])
def test_a_dry_run_writes_nothing(env: Env, kind: str) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 2)
    env.server.simulate_purchase(listing_id, 1)
    env.catalog({"NEW": 3})
    new_listing = env.add(simple("NEW", 9))  # linked by the real run only
    before = _snapshot(env)
    env.server.reset_stats()
    service = env.service()
    run = service.sync_inventory if kind == "inventory" else service.sync_all
    result = run("cli", dry_run=True)
    assert result.dry_run
    assert result.plan is not None
    assert result.counts.merges == 1
    planned = {x.listing_id for x in result.plan.listings}
    assert (new_listing in planned) == (kind == "all")  # sync all shows the new link
    assert env.calls("updateListingInventory") == env.calls("updateListing") == 0
    assert _snapshot(env) == before
    assert env.runs()[-1].dry_run
    assert env.runs()[-1].status == "completed"
    assert env.etsy(listing_id) == {"sku:MUG": 4}


def test_a_cancelled_run_finishes_the_listing_in_progress_and_says_so(env: Env) -> None:
    """One write at a time (``test_sync_inflight`` cancels with several in flight)."""
    first = linked_listing(env, "A", etsy=5, local=5)
    second = linked_listing(env, "B", etsy=5, local=5)
    env.set_local("A", 1)
    env.set_local("B", 1)
    cancel = threading.Event()

    class CancelDuringFirst(SyncHooks):
        def after_put(self, listing_id: int) -> None:
            cancel.set()

    service = env.service(hooks=CancelDuringFirst(), writes_in_flight=1)
    result = service.sync_inventory("manual", cancel=cancel)
    assert result.status == "cancelled"
    assert env.etsy(first) == {"sku:A": 1}
    assert env.pools(first)["sku:A"].base_etsy == 1
    assert env.etsy(second) == {"sku:B": 5}
    again = env.service().sync_inventory("manual")
    assert again.status == "completed"
    assert env.etsy(second) == {"sku:B": 1}


def test_a_write_that_may_not_have_reached_etsy_is_checked_by_the_next_run(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 2)
    env.server.faults.fail_next(20, operations=["updateListingInventory"])
    result = env.service().sync_inventory("manual")
    assert result.status == "completed_with_errors"
    assert env.listing_row(listing_id).pending_write is not None
    env.server.faults.clear()
    again = env.service().sync_inventory("manual")
    assert again.status == "completed"
    assert again.recovered == 0
    assert env.etsy(listing_id) == {"sku:MUG": 2}
    assert env.local("MUG") == 2
    pushes = [r for r in env.log(listing_id) if r.sync_action == "push_to_etsy"]
    assert len(pushes) == 1


def test_progress_reports_each_phase_in_order(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 4)
    seen: list[tuple[str, int, int]] = []
    env.service().sync_all("manual", progress=lambda *event: seen.append(event))
    phases = list(dict.fromkeys(phase for phase, _, _ in seen))
    assert phases == ["listings", "saving", "planning", "writing"]
    assert seen[-1] == ("writing", 1, 1)
    assert env.etsy(listing_id) == {"sku:MUG": 4}
