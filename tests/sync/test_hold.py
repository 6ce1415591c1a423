"""When a background plan waits for the seller (``hold_reason``), on real plans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etsysync_gui.catalog.importer import import_catalog
from etsysync_gui.db.engine import Database
from etsysync_gui.policies import WriteMode
from etsysync_gui.scheduling.guarded import guarded_run
from etsysync_gui.scheduling.requests import SyncRequest
from etsysync_gui.sync.inventory.hold import HoldRules, hold_reason
from etsysync_gui.sync.inventory.plan_subset import without_listings
from etsysync_gui.sync.runs.import_mark import clear_import_mark, import_pending
from tests.sync.test_support import Env, linked_listing, make_env


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_nothing_to_do_never_waits(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    plan = env.service().plan_inventory()
    assert hold_reason(plan, HoldRules(WriteMode.DRAFTS)) is None


def test_drafts_hold_every_change_and_autopilot_only_unusual_ones(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    env.set_local("MUG", 8)
    plan = env.service().plan_inventory()
    assert "drafts mode" in (hold_reason(plan, HoldRules(WriteMode.DRAFTS)) or "")
    assert hold_reason(plan, HoldRules()) is None
    assert "more than the 0" not in (hold_reason(plan, HoldRules(max_listings=1)) or "")
    assert "would write 1 listings" in (hold_reason(plan, HoldRules(max_listings=0)) or "")


def test_a_drop_of_more_than_half_waits(env: Env) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    env.set_local("MUG", 4)
    plan = env.service().plan_inventory()
    reason = hold_reason(plan, HoldRules())
    assert reason is not None
    assert "would drop from 10 to 4" in reason
    assert hold_reason(plan, HoldRules(drop_percent=70)) is None


def test_a_plan_after_a_csv_import_waits_until_a_sync_is_applied(env: Env, tmp_path: Path) -> None:
    listing = linked_listing(env, "MUG", etsy=10, local=10)
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text("sku,quantity\nMUG,11\n", encoding="utf-8")
    import_catalog(env.database, csv_file, now=env.clock.utcnow())
    env.clock.advance(60)
    service = env.service()
    imported_at = import_pending(env.database, env.shop_id)
    assert imported_at is not None
    plan = service.plan_inventory()
    assert "CSV import" in (hold_reason(plan, HoldRules(), imported_at) or "")
    assert hold_reason(plan, HoldRules()) is None  # a routine +1 without the import
    scheduled = SyncRequest("inventory", trigger="scheduled")
    held = guarded_run(service, scheduled)
    assert held.held is not None
    assert "CSV import" in held.held
    assert env.etsy(listing) == {"sku:MUG": 10}  # nothing written
    assert import_pending(env.database, env.shop_id) is not None  # a held run clears nothing
    service.apply_plan(held.plan or plan)  # the seller's review applies it
    assert env.etsy(listing) == {"sku:MUG": 11}
    assert import_pending(env.database, env.shop_id) is None
    env.set_local("MUG", 12)
    env.clock.advance(60)
    routine = guarded_run(env.service(), scheduled)
    assert routine.held is None
    assert env.etsy(listing) == {"sku:MUG": 12}


def test_listings_left_out_of_a_reviewed_import_plan_wait_for_the_seller_again(
    env: Env, tmp_path: Path
) -> None:
    """Unticked in the review means "not now", not "autopilot may write it later"."""
    mug = linked_listing(env, "MUG", etsy=10, local=10)
    cup = linked_listing(env, "CUP", etsy=5, local=5)
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text("sku,quantity\nMUG,11\nCUP,6\n", encoding="utf-8")
    import_catalog(env.database, csv_file, now=env.clock.utcnow())
    env.clock.advance(60)
    scheduled = SyncRequest("inventory", trigger="scheduled")
    held = guarded_run(env.service(), scheduled)
    assert held.held is not None
    assert held.plan is not None
    partial = without_listings(held.plan, {cup})
    assert partial.left_out == (cup,)
    env.service().apply_plan(partial)  # the seller unticked the cup
    assert (env.etsy(mug), env.etsy(cup)) == ({"sku:MUG": 11}, {"sku:CUP": 5})
    assert import_pending(env.database, env.shop_id) is not None

    env.clock.advance(300)
    again = guarded_run(env.service(), scheduled)
    assert again.held is not None
    assert "CSV import" in again.held
    assert env.etsy(cup) == {"sku:CUP": 5}  # not written behind the seller's back
    assert again.plan is not None
    assert [x.listing_id for x in again.plan.changes] == [cup]
    env.service().apply_plan(again.plan)  # this time the seller applies all of it
    assert env.etsy(cup) == {"sku:CUP": 6}
    assert import_pending(env.database, env.shop_id) is None


def test_an_import_during_planning_stays_marked(env: Env, tmp_path: Path) -> None:
    linked_listing(env, "MUG", etsy=10, local=10)
    plan_time = env.clock.utcnow()
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text("sku,quantity\nMUG,11\n", encoding="utf-8")
    env.clock.advance(5)
    import_catalog(env.database, csv_file, now=env.clock.utcnow())
    clear_import_mark(env.database, env.shop_id, plan_time)
    assert import_pending(env.database, env.shop_id) is not None
