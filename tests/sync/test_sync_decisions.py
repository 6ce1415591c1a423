"""Every decision branch end to end: fake Etsy over HTTP, a real database, the service.

Each test starts from a linked, synced listing (both bases set) unless it is
about the first sync of a link, changes one side or both, syncs, and checks
what a seller would see: the local stock, Etsy's stock, the listing's state
and the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.sync.inventory.decide import FirstTruth
from tests.sync.test_support import Env, linked_listing, make_env, one_property, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def actions(env: Env, listing_id: int) -> list[tuple[str, str]]:
    return [(row.sync_action, row.sync_result) for row in env.log(listing_id)]


def test_first_sync_with_equal_sides_changes_nothing_and_a_second_sync_is_silent(
    env: Env,
) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    assert actions(env, listing_id) == [("no_change", "success")]  # the first link is noted
    env.server.reset_stats()
    result = env.service().sync_inventory("manual")
    assert result.status == "completed"
    assert result.counts.pushes == result.counts.pulls == 0
    assert env.calls("updateListingInventory") == 0
    assert actions(env, listing_id) == [("no_change", "success")]  # nothing new logged
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.base_local, pool.base_etsy, pool.status) == (5, 5, "ok")


def test_local_sale_is_pushed_to_etsy(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 3)
    result = env.service().sync_inventory("cli")
    assert result.counts.pushes == 1
    assert result.status == "completed"
    assert env.etsy(listing_id) == {"sku:MUG": 3}
    assert env.local("MUG") == 3
    assert actions(env, listing_id)[-1] == ("push_to_etsy", "success")
    last = env.log(listing_id)[-1]
    assert (last.local_quantity, last.etsy_quantity, last.quantity_diff) == (3, 5, -2)
    assert "Etsy 5 → 3" in (last.message or "")


def test_etsy_sale_is_pulled_without_writing_etsy(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.server.simulate_purchase(listing_id, 2)
    env.server.reset_stats()
    result = env.service().sync_inventory("manual")
    assert result.counts.pulls == 1
    assert env.local("MUG") == 3
    assert env.calls("updateListingInventory") == 0
    assert actions(env, listing_id)[-1] == ("pull_from_etsy", "success")


def test_a_sale_on_each_side_ends_with_both_at_base_minus_two(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.server.simulate_purchase(listing_id, 1)
    env.set_local("MUG", 4)
    result = env.service().sync_inventory("manual")
    assert result.counts.merges == 1
    assert env.local("MUG") == 3
    assert env.etsy(listing_id) == {"sku:MUG": 3}
    assert actions(env, listing_id)[-1] == ("merge", "success")
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.base_local, pool.base_etsy) == (3, 3)


@pytest.mark.parametrize(
    ("policy", "local", "etsy", "status", "logged"),
    [
        ("merge", 13, 13, "ok", ("merge", "success")),
        ("local_wins", 14, 14, "ok", ("push_to_etsy", "success")),
        ("etsy_wins", 4, 4, "ok", ("pull_from_etsy", "success")),
        ("skip", 14, 4, "conflict", ("no_change", "skipped")),
    ],
)
def test_each_conflict_policy(
    env: Env, policy: str, local: int, etsy: int, status: str, logged: tuple[str, str]
) -> None:
    """Base 5: the seller restocked 9 locally (14) while a buyer bought 1 on Etsy (4)."""
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 14)
    env.server.simulate_purchase(listing_id, 1)
    result = env.service().sync_inventory("manual", policy=policy)
    assert (env.local("MUG"), env.etsy(listing_id)["sku:MUG"]) == (local, etsy)
    assert actions(env, listing_id)[-1] == logged
    assert env.pools(listing_id)["sku:MUG"].status == status
    assert result.counts.conflicts == (0 if policy == "merge" else 1)
    if policy == "skip":  # the conflict stays visible until the seller resolves it
        env.service().sync_inventory("manual", policy="skip")
        assert actions(env, listing_id)[-1] == ("no_change", "skipped")
        assert (env.local("MUG"), env.etsy(listing_id)["sku:MUG"]) == (14, 4)


def test_first_link_takes_etsy_stock_by_default(env: Env) -> None:
    env.catalog({"MUG": 7})
    listing_id = env.add(simple("MUG", 5))
    result = env.service().sync_all("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.linked == 1
    assert (env.local("MUG"), env.etsy(listing_id)["sku:MUG"]) == (5, 5)
    assert actions(env, listing_id) == [("pull_from_etsy", "success")]


def test_first_link_made_local_first_pushes_local_stock(env: Env) -> None:
    env.catalog({"LOCAL-1": 7})
    listing_id = env.add(simple("ETSY-SKU", 5))
    service = env.service()
    service.sync_listings("manual")
    service.link("LOCAL-1", listing_id, first_truth=FirstTruth.LOCAL)
    service.sync_inventory("manual")
    assert (env.local("LOCAL-1"), env.etsy(listing_id)["sku:ETSY-SKU"]) == (7, 7)
    assert actions(env, listing_id) == [("push_to_etsy", "success")]


def test_variations_sharing_one_stock_move_together(env: Env) -> None:
    shared = one_property(
        [("Red", "MUG", 6, "10.00"), ("Blue", "MUG", 6, "12.50"), ("Green", "MUG", 6, "9.99")],
        per_value_stock=False,
        per_value_sku=False,
    )
    env.catalog({"MUG": 6})
    listing_id = env.add(shared)
    env.service().sync_all("manual")
    env.set_local("MUG", 4)
    env.server.simulate_purchase(listing_id, 1, property_values={"Primary color": "Blue"})
    env.service().sync_inventory("manual")
    assert env.local("MUG") == 3
    quantities = [
        p["offerings"][0]["quantity"] for p in env.server.inventory_json(listing_id)["products"]
    ]
    assert quantities == [3, 3, 3]


def test_per_variation_stock_only_moves_the_variation_that_changed(env: Env) -> None:
    rows = [("Red", "MUG-R", 5, "10.00"), ("Blue", "MUG-B", 8, "10.00")]
    env.catalog({"MUG-R": 5, "MUG-B": 8})
    listing_id = env.add(one_property(rows))
    env.service().sync_all("manual")
    env.set_local("MUG-B", 2)
    env.service().sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:MUG-R": 5, "sku:MUG-B": 2}


def test_local_stock_above_999_is_clamped_on_etsy_and_stays_steady(env: Env) -> None:
    env.catalog({"BEAD": 1200})
    listing_id = env.add(simple("BEAD", 10))
    service = env.service()
    service.sync_listings("manual")
    service.link("BEAD", listing_id, first_truth=FirstTruth.LOCAL)
    first = service.sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:BEAD": 999}
    assert env.local("BEAD") == 1200
    pool = env.pools(listing_id)["sku:BEAD"]
    assert (pool.status, pool.base_local, pool.base_etsy) == ("clamped", 1200, 999)
    assert first.plan is not None
    assert first.plan.totals.clamps == 1
    env.server.reset_stats()
    again = service.sync_inventory("manual")  # a steady state, not "changed again"
    assert again.counts.pushes == again.counts.pulls == again.counts.merges == 0
    assert env.calls("updateListingInventory") == 0
    env.server.simulate_purchase(listing_id, 9)  # Etsy 990; true stock 1191
    service.sync_inventory("manual")
    assert env.local("BEAD") == 1191
    assert env.etsy(listing_id) == {"sku:BEAD": 990}


def _without_stock(inventory: dict[str, Any]) -> dict[str, Any]:
    """The inventory with ids, quantities and is_enabled removed: what a push must keep."""
    products = []
    for product in inventory["products"]:
        products.append(
            {
                "sku": product["sku"],
                "property_values": [
                    {k: v for k, v in pv.items() if k != "value_ids"}
                    for pv in product["property_values"]
                ],
                "offerings": [
                    {
                        k: v
                        for k, v in o.items()
                        if k not in ("offering_id", "quantity", "is_enabled")
                    }
                    for o in product["offerings"]
                ],
            }
        )
    return {**{k: v for k, v in inventory.items() if k != "products"}, "products": products}


def test_a_push_changes_nothing_but_quantities_and_enabled_flags(env: Env) -> None:
    rows = [
        ("Red", "P-R", 5, "0.20"),
        ("Blue", "P-B", 5, "1234.56"),
        ("Green", "P-G", 5, "19.99"),
    ]
    env.catalog({"P-R": 5, "P-B": 5, "P-G": 5})
    listing_id = env.add(one_property(rows))
    env.service().sync_all("manual")
    before = env.server.inventory_json(listing_id)
    env.set_local("P-R", 2)
    env.set_local("P-G", 0)  # disabled on Etsy, the listing still sells Red and Blue
    env.service().sync_inventory("manual")
    after = env.server.inventory_json(listing_id)
    assert _without_stock(after) == _without_stock(before)
    stock = [
        (p["sku"], p["offerings"][0]["quantity"], p["offerings"][0]["is_enabled"])
        for p in after["products"]
    ]
    assert stock == [("P-R", 2, True), ("P-B", 5, True), ("P-G", 0, False)]
    prices = [p["offerings"][0]["price"] for p in after["products"]]
    assert prices == [
        {"amount": 20, "divisor": 100, "currency_code": "USD"},
        {"amount": 123456, "divisor": 100, "currency_code": "USD"},
        {"amount": 1999, "divisor": 100, "currency_code": "USD"},
    ]


def test_zero_stock_deactivates_the_listing_and_restock_reactivates_it(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=2, local=2)
    env.set_local("MUG", 0)
    service = env.service()
    result = service.sync_inventory("manual")
    assert result.plan is not None
    assert result.plan.totals.zero_stock_actions == 1
    assert env.etsy_state(listing_id) == "inactive"
    row = env.listing_row(listing_id)
    assert row.deactivated_by_etsysync
    assert row.state == "inactive"
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.base_local, pool.base_etsy) == (0, 2)  # Etsy still holds 2, inactive
    env.server.reset_stats()
    service.sync_inventory("manual")  # steady: nothing to do while out of stock
    assert env.calls("updateListingInventory") == env.calls("updateListing") == 0
    env.set_local("MUG", 4)
    service.sync_inventory("manual")
    assert env.etsy_state(listing_id) == "active"
    assert env.etsy(listing_id) == {"sku:MUG": 4}
    assert not env.listing_row(listing_id).deactivated_by_etsysync


def test_one_variation_at_zero_is_disabled_and_enabled_again_on_restock(env: Env) -> None:
    rows = [("Red", "MUG-R", 3, "10.00"), ("Blue", "MUG-B", 3, "10.00")]
    env.catalog({"MUG-R": 3, "MUG-B": 3})
    listing_id = env.add(one_property(rows))
    service = env.service()
    service.sync_all("manual")
    env.set_local("MUG-R", 0)
    service.sync_inventory("manual")
    red = env.server.inventory_json(listing_id)["products"][0]["offerings"][0]
    assert (red["quantity"], red["is_enabled"]) == (0, False)
    assert env.etsy_state(listing_id) == "active"
    env.set_local("MUG-R", 5)
    service.sync_inventory("manual")
    red = env.server.inventory_json(listing_id)["products"][0]["offerings"][0]
    assert (red["quantity"], red["is_enabled"]) == (5, True)


def test_leave_policy_leaves_the_listing_to_sell_out(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=2, local=2)
    env.set_local("MUG", 0)
    env.server.reset_stats()
    env.service(zero_stock_policy="leave").sync_inventory("manual")
    assert env.etsy_state(listing_id) == "active"
    assert env.calls("updateListingInventory") == env.calls("updateListing") == 0
    assert env.pools(listing_id)["sku:MUG"].status == "sold_out_left"
    assert env.local("MUG") == 0
