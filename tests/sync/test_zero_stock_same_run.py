"""Never plan what won't happen: a zero-stock (de)activation in a plan is carried out by
that run, or not planned.

The case that used to repeat: a customer buys the last item, Etsy sets the
listing ``sold_out`` itself, and EtsySync (still believing it ``active``)
planned "deactivate listing" in every run without ever doing it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from tests.sync.test_support import Env, linked_listing, make_env


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_a_planned_deactivation_is_carried_out_in_the_same_run(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=1, local=1)
    env.set_local("MUG", 0)  # sold at a fair: Etsy still shows 1
    service = env.service()
    plan = service.plan_inventory()
    assert [x.deactivate for x in plan.listings] == [True]
    result = service.apply_plan(plan)
    assert result.counts.etsy_writes == 1
    assert env.etsy_state(listing_id) == "inactive"
    again = service.plan_inventory()
    assert not any(x.deactivate or (x.zero_stock_action and x.etsy_write) for x in again.listings)


def test_a_listing_etsy_sold_out_itself_is_not_planned_for_deactivation(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=1, local=1)
    env.server.simulate_purchase(listing_id, 1)
    assert env.etsy_state(listing_id) == "sold_out"
    service = env.service()
    plan = service.plan_inventory()
    assert [x.deactivate for x in plan.listings] == [False]
    assert plan.totals.listings_to_write == 0
    result = service.apply_plan(plan)
    assert result.counts.etsy_writes == 0
    assert env.local("MUG") == 0
    assert env.listing_row(listing_id).state == "sold_out"  # remembered for the next plan
    env.server.reset_stats()
    again = service.plan_inventory()
    assert [x.deactivate for x in again.listings] == [False]
    assert env.calls("getListingsByListingIds") == 0  # nothing left to confirm


def test_the_scheduled_path_does_not_deactivate_a_sold_out_listing(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=1, local=1)
    env.server.simulate_purchase(listing_id, 1)
    result = env.service().sync_inventory("scheduled")
    assert result.counts.etsy_writes == 0
    assert env.listing_row(listing_id).state == "sold_out"
