"""Every Etsy write a run sends is counted (``etsy_writes``) and said in the audit log.

Why: pushes, pulls and merges count decisions, not requests.  A re-enabled
offering, the zero-stock policy's deactivate / reactivate and a PUT that a pull
still needed are writes too; a seller reading "0 Etsy writes" must be able to
trust that nothing changed on Etsy.  The fake's ``accepted_writes`` (write
requests it answered 2xx) is the independent witness for each run's total.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.queries.log import load_runs
from etsysync_gui.sync.inventory.writeahead import DEACTIVATED, REACTIVATED
from etsysync_gui.sync.runs.records import RunResult
from tests.sync.test_support import Env, linked_listing, make_env, one_property, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def writes_match(env: Env, result: RunResult, expected: int) -> None:
    """The run's total, its ``sync_runs`` row and the fake's witness all say ``expected``."""
    assert result.counts.etsy_writes == env.server.stats.accepted_writes == expected
    assert env.runs()[-1].etsy_writes == expected
    assert load_runs(env.database, env.shop_id)[0].counts.etsy_writes == expected


def messages(env: Env, listing_id: int, run_id: int) -> list[str]:
    return [row.message or "" for row in env.log(listing_id) if row.run_id == run_id]


def test_a_first_sync_that_writes_nothing_counts_zero(env: Env) -> None:
    env.catalog({"MUG": 5, "CUP": 3})
    env.add(simple("MUG", 5))
    env.add(one_property([("Red", "CUP", 3, "9.00"), ("Blue", "CUP-B", 0, "9.00")]))
    env.server.reset_stats()
    result = env.service().sync_all("manual")
    assert result.status == "completed"
    writes_match(env, result, 0)
    assert env.calls("updateListingInventory") == env.calls("updateListing") == 0


def test_pushes_count_one_write_per_listing_and_say_what_was_written(env: Env) -> None:
    first = linked_listing(env, "MUG", etsy=5, local=5)
    second = linked_listing(env, "CUP", etsy=4, local=4)
    env.set_local("MUG", 3)
    env.set_local("CUP", 1)
    env.server.reset_stats()
    result = env.service().sync_inventory("manual")
    assert result.counts.pushes == 2
    writes_match(env, result, 2)
    (message,) = messages(env, first, result.run_id)
    assert "Etsy inventory written: " in message
    assert "Etsy 5 → 3" in message
    assert "Etsy 4 → 1" in messages(env, second, result.run_id)[0]


def test_a_zero_stock_deactivation_is_a_counted_and_logged_write(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=2, local=2)
    env.set_local("MUG", 0)
    env.server.reset_stats()
    result = env.service().sync_inventory("manual")
    assert env.etsy_state(listing_id) == "inactive"
    assert env.calls("updateListingInventory") == 0
    assert env.calls("updateListing") == 1
    writes_match(env, result, 1)
    (message,) = messages(env, listing_id, result.run_id)
    assert DEACTIVATED in message
    assert "Etsy inventory written" not in message


def test_a_reactivation_counts_the_inventory_write_and_the_state_change(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=2, local=2)
    service = env.service()
    env.set_local("MUG", 0)
    service.sync_inventory("manual")
    env.set_local("MUG", 4)
    env.server.reset_stats()
    result = service.sync_inventory("manual")
    assert env.etsy_state(listing_id) == "active"
    assert env.etsy(listing_id) == {"sku:MUG": 4}
    writes_match(env, result, 2)
    (message,) = messages(env, listing_id, result.run_id)
    assert "Etsy 2 → 4" in message
    assert REACTIVATED in message


def test_a_deactivation_no_decision_asked_for_still_gets_a_log_row(env: Env) -> None:
    """Both sides unchanged (no pool would be logged), yet the listing is switched off."""
    listing_id = linked_listing(env, "MUG", etsy=2, local=2)
    service = env.service()
    env.set_local("MUG", 0)
    service.sync_inventory("manual")
    env.server.set_listing_state(listing_id, "active")  # the seller switches it back on
    service.sync_listings("manual")
    env.server.reset_stats()
    result = service.sync_inventory("manual")
    assert result.counts.pushes == result.counts.pulls == result.counts.merges == 0
    writes_match(env, result, 1)
    rows = [row for row in env.log(listing_id) if row.run_id == result.run_id]
    assert [(r.sync_action, r.sync_result) for r in rows] == [("no_change", "success")]
    assert DEACTIVATED in (rows[0].message or "")


def test_a_pull_that_needs_a_put_to_disable_a_sold_out_offering_is_visible(env: Env) -> None:
    rows = [("Red", "MUG-R", 1, "10.00"), ("Blue", "MUG-B", 3, "10.00")]
    env.catalog({"MUG-R": 1, "MUG-B": 3})
    listing_id = env.add(one_property(rows))
    service = env.service()
    service.sync_all("manual")
    env.server.simulate_purchase(listing_id, 1, sku="MUG-R")  # Red sells out on Etsy
    env.set_local("MUG-B", 2)  # Blue sells locally: a PUT is sent anyway
    env.server.reset_stats()
    result = service.sync_inventory("manual")
    assert (result.counts.pushes, result.counts.pulls) == (1, 1)
    writes_match(env, result, 1)
    red = env.server.inventory_json(listing_id)["products"][0]["offerings"][0]
    assert (red["quantity"], red["is_enabled"]) == (0, False)
    logged = messages(env, listing_id, result.run_id)
    assert len(logged) == 2
    assert all("offering(s) disabled at 0" in m and "Etsy 3 → 2" in m for m in logged)
    env.set_local("MUG-R", 4)  # restocked: the offering EtsySync disabled comes back
    env.server.reset_stats()
    result = service.sync_inventory("manual")
    writes_match(env, result, 1)
    assert any("offering(s) re-enabled" in m for m in messages(env, listing_id, result.run_id))


def test_a_retried_write_counts_once(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)
    env.server.faults.fail_next(1, status=503, operations=["updateListingInventory"])
    env.server.reset_stats()
    result = env.service().sync_inventory("manual")
    assert env.calls("updateListingInventory") == 2
    assert env.etsy(listing_id) == {"sku:MUG": 3}
    writes_match(env, result, 1)


def test_a_dry_run_counts_no_writes(env: Env) -> None:
    linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)
    env.server.reset_stats()
    result = env.service().sync_inventory("manual", dry_run=True)
    assert result.dry_run
    assert result.counts.pushes == 1
    writes_match(env, result, 0)
