"""The quantity-only inventory edit (etsysync_gui.sync.inventory.put_builder and answer_check).

The central promise: the PUT body equals ``Inventory.to_put_body()`` except for
``quantity`` and ``is_enabled`` of the offerings meant to change.  Every body is
also run through the fake Etsy's PUT validator, so it is one Etsy would accept.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from etsysync_gui.etsy.models import Inventory, InventoryPut
from etsysync_gui.policies import ZeroStockPolicy
from etsysync_gui.sync.inventory.answer_check import verify_written
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.inventory.put_builder import (
    ListingEdit,
    UnknownPoolError,
    plan_listing,
)
from fake_etsy.inventory import validate_inventory
from tests.sync.test_pools import (
    COLOR,
    SIZE,
    as_etsy_response,
    grid,
    inventory,
    offering,
    product,
    pv,
)

Expected = dict[int, tuple[int, bool]]  # body product position -> (quantity, is_enabled)


def plan(
    listing: Inventory,
    targets: dict[str, int],
    *,
    policy: ZeroStockPolicy = "deactivate",
    disabled: frozenset[str] = frozenset(),
    deactivated_by_us: bool = False,
    active: bool = True,
) -> ListingEdit:
    return plan_listing(
        listing,
        targets,
        zero_stock_policy=policy,
        disabled_by_us=disabled,
        listing_deactivated_by_us=deactivated_by_us,
        listing_active=active,
    )


def assert_only_stock_changed(
    original: InventoryPut, body: InventoryPut, expected: Expected
) -> None:
    """Field by field: everything as read except quantity/is_enabled where expected."""
    assert set(body) == set(original)
    for name in (
        "price_on_property",
        "quantity_on_property",
        "sku_on_property",
        "readiness_state_on_property",
    ):
        assert body[name] == original[name], name
    assert len(body["products"]) == len(original["products"])
    for position, (got, was) in enumerate(zip(body["products"], original["products"], strict=True)):
        assert set(got) == set(was)
        assert got["sku"] == was["sku"]
        assert got["property_values"] == was["property_values"]
        assert len(got["offerings"]) == len(was["offerings"])
        for got_offer, was_offer in zip(got["offerings"], was["offerings"], strict=True):
            assert set(got_offer) == set(was_offer)
            assert got_offer["price"] == was_offer["price"]
            assert repr(got_offer["price"]) == repr(was_offer["price"])
            assert got_offer["readiness_state_id"] == was_offer["readiness_state_id"]
            quantity, enabled = expected.get(
                position, (was_offer["quantity"], was_offer["is_enabled"])
            )
            assert (got_offer["quantity"], got_offer["is_enabled"]) == (quantity, enabled), position
    # A body Etsy would take: valid JSON numbers, and accepted by the fake's PUT rules.
    validate_inventory(json.loads(json.dumps(body), parse_float=Decimal))


def written(edit: ListingEdit) -> InventoryPut:
    assert edit.put_body is not None
    assert not edit.deactivate
    return edit.put_body


# --- simple listings ------------------------------------------------------------------


@pytest.mark.parametrize("price", ["0.2", "19.99", "1234.56", "5"])
@pytest.mark.parametrize("sku", [None, "MUG"])
def test_simple_listing_quantity_only(price: str, sku: str | None) -> None:
    listing = inventory(product(quantity=3, price=price, sku=sku))
    key = pools_of(listing)[0].key
    edit = plan(listing, {key: 7})
    body = written(edit)
    assert_only_stock_changed(listing.to_put_body(), body, {0: (7, True)})
    assert Decimal(repr(body["products"][0]["offerings"][0]["price"])) == Decimal(price)
    assert edit.disabled_by_us == frozenset()
    assert edit.notes == (f"{pools_of(listing)[0].label}: Etsy 3 → 7",)


def test_odd_prices_serialise_exactly() -> None:
    listing = inventory(
        *[
            product(pv(COLOR, c), price=p)
            for c, p in (("A", "0.2"), ("B", "19.99"), ("C", "1234.56"))
        ],
        quantity_on=(200,),
        price_on=(200,),
    )
    body = written(plan(listing, {"prop:Color=A": 1}))
    text = json.dumps(body)
    assert '"price": 0.2,' in text
    assert '"price": 19.99,' in text
    assert '"price": 1234.56,' in text


def test_same_quantity_writes_nothing() -> None:
    listing = inventory(product(quantity=3))
    edit = plan(listing, {"listing": 3})
    assert edit == ListingEdit(None, False, False, frozenset(), ())


def test_no_targets_writes_nothing() -> None:
    edit = plan(inventory(*grid(), quantity_on=(200, 513)), {})
    assert edit.put_body is None


# --- variations -----------------------------------------------------------------------


def test_one_variation_listing_changes_only_its_pool() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=4, price="10.00"),
        product(pv(COLOR, "Red"), quantity=2, price="12.50"),
        quantity_on=(200,),
        price_on=(200,),
    )
    body = written(plan(listing, {"prop:Color=Red": 1}))
    assert_only_stock_changed(listing.to_put_body(), body, {1: (1, True)})


def test_two_variation_listing_with_missing_skus_and_odd_prices() -> None:
    products = [
        product(pv(COLOR, "Blue"), pv(SIZE, "S"), sku="B-S", price="0.2", quantity=1),
        product(pv(COLOR, "Blue"), pv(SIZE, "M"), price="19.99", quantity=2),
        product(pv(COLOR, "Red"), pv(SIZE, "S"), sku="R-S", price="1234.56", quantity=3),
        product(pv(COLOR, "Red"), pv(SIZE, "M"), price="19.99", quantity=4),
    ]
    listing = inventory(*products, quantity_on=(200, 513), price_on=(200, 513), sku_on=(200, 513))
    keys = [p.key for p in pools_of(listing)]
    assert keys == ["sku:B-S", "prop:Color=Blue|Size=M", "sku:R-S", "prop:Color=Red|Size=M"]
    body = written(plan(listing, {"prop:Color=Blue|Size=M": 9, "sku:R-S": 0, "sku:B-S": 1}))
    assert_only_stock_changed(listing.to_put_body(), body, {1: (9, True), 2: (0, False)})
    assert body["products"][1]["sku"] == ""


def test_shared_stock_sets_every_offering_of_the_pool() -> None:
    listing = inventory(*grid(("Blue", "Red"), ("S", "M", "L"), quantity=4), price_on=(513,))
    body = written(plan(listing, {"listing": 11}))
    assert_only_stock_changed(listing.to_put_body(), body, {i: (11, True) for i in range(6)})


def test_quantity_on_one_property_sets_the_whole_value() -> None:
    listing = inventory(*grid(("Blue", "Red"), ("S", "M", "L"), quantity=4), quantity_on=(200,))
    body = written(plan(listing, {"prop:Color=Red": 2}))
    assert_only_stock_changed(
        listing.to_put_body(), body, {3: (2, True), 4: (2, True), 5: (2, True)}
    )


def test_readiness_state_and_scale_ids_go_back_as_read() -> None:
    products = [
        product(
            pv(COLOR, "Blue"), pv(SIZE, "S", scale_id=17), offerings=[offering(2, readiness=11)]
        ),
        product(
            pv(COLOR, "Blue"), pv(SIZE, "M", scale_id=17), offerings=[offering(3, readiness=22)]
        ),
    ]
    listing = inventory(*products, quantity_on=(513,), readiness_on=(513,))
    body = written(plan(listing, {"prop:Size=S": 5}))
    assert_only_stock_changed(listing.to_put_body(), body, {0: (5, True)})
    assert [p["offerings"][0]["readiness_state_id"] for p in body["products"]] == [11, 22]
    assert body["products"][0]["property_values"][1]["scale_id"] == 17


def test_deleted_products_are_left_out_and_positions_still_line_up() -> None:
    listing = inventory(
        product(pv(COLOR, "Gone"), deleted=True),
        product(pv(COLOR, "Blue"), quantity=1),
        product(pv(COLOR, "Red"), quantity=1),
        quantity_on=(200,),
    )
    body = written(plan(listing, {"prop:Color=Red": 6}))
    assert_only_stock_changed(listing.to_put_body(), body, {1: (6, True)})


# --- one pool at zero -----------------------------------------------------------------


def per_product() -> Inventory:
    return inventory(*grid(quantity=3), quantity_on=(200, 513))


def test_a_pool_at_zero_is_disabled_and_remembered() -> None:
    listing = per_product()
    edit = plan(listing, {"prop:Color=Red|Size=M": 0})
    assert_only_stock_changed(listing.to_put_body(), written(edit), {3: (0, False)})
    assert edit.disabled_by_us == frozenset({"prop:Color=Red|Size=M"})
    assert any("out of stock" in n for n in edit.notes)


def test_a_pool_etsy_already_holds_at_zero_is_not_written_on_its_own() -> None:
    # Sold out on Etsy, still enabled: Etsy shows it sold out; a pull of that 0
    # (or keeping it) must not become an inventory write nobody asked for.
    listing = inventory(
        *grid(quantity=3)[:3],
        product(pv(COLOR, "Red"), pv(SIZE, "M"), quantity=0),
        quantity_on=(200, 513),
    )
    edit = plan(listing, {"prop:Color=Red|Size=M": 0, "prop:Color=Blue|Size=S": 3})
    assert edit.put_body is None
    assert not edit.deactivate
    assert edit.disabled_by_us == frozenset()


def test_a_pool_etsy_holds_at_zero_is_disabled_when_the_listing_is_written_anyway() -> None:
    listing = inventory(
        *grid(quantity=3)[:3],
        product(pv(COLOR, "Red"), pv(SIZE, "M"), quantity=0),
        quantity_on=(200, 513),
    )
    edit = plan(listing, {"prop:Color=Red|Size=M": 0, "prop:Color=Blue|Size=S": 1})
    assert_only_stock_changed(listing.to_put_body(), written(edit), {0: (1, True), 3: (0, False)})
    assert edit.disabled_by_us == frozenset({"prop:Color=Red|Size=M"})


def test_a_disabled_pool_is_re_enabled_when_stock_returns() -> None:
    listing = inventory(
        *grid(quantity=3)[:3],
        product(pv(COLOR, "Red"), pv(SIZE, "M"), quantity=0, enabled=False),
        quantity_on=(200, 513),
    )
    remembered = frozenset({"prop:Color=Red|Size=M"})
    edit = plan(listing, {"prop:Color=Red|Size=M": 2}, disabled=remembered)
    assert_only_stock_changed(listing.to_put_body(), written(edit), {3: (2, True)})
    assert edit.disabled_by_us == frozenset()
    assert any("back in stock" in n for n in edit.notes)


def test_a_disabled_pool_still_at_zero_stays_remembered() -> None:
    listing = inventory(
        *grid(quantity=3)[:3],
        product(pv(COLOR, "Red"), pv(SIZE, "M"), quantity=0, enabled=False),
        quantity_on=(200, 513),
    )
    remembered = frozenset({"prop:Color=Red|Size=M"})
    edit = plan(
        listing, {"prop:Color=Red|Size=M": 0, "prop:Color=Blue|Size=S": 1}, disabled=remembered
    )
    assert_only_stock_changed(listing.to_put_body(), written(edit), {0: (1, True)})
    assert edit.disabled_by_us == remembered
    # Untargeted, it is remembered too.
    assert plan(listing, {}, disabled=remembered).disabled_by_us == remembered


def test_a_pool_we_disabled_is_re_enabled_even_without_a_target() -> None:
    # Stock came back through Etsy itself (a pull writes no target): switch it on again.
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=3),
        product(pv(COLOR, "Red"), quantity=4, enabled=False),
        quantity_on=(200,),
    )
    edit = plan(listing, {}, disabled=frozenset({"prop:Color=Red"}))
    assert_only_stock_changed(listing.to_put_body(), written(edit), {1: (4, True)})
    assert edit.disabled_by_us == frozenset()


def test_a_seller_disabled_offering_stays_disabled() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=3),
        product(pv(COLOR, "Red"), quantity=0, enabled=False),
        quantity_on=(200,),
    )
    edit = plan(listing, {"prop:Color=Red": 5})
    # Quantity follows the catalog; visibility stays the seller's choice.
    assert_only_stock_changed(listing.to_put_body(), written(edit), {1: (5, False)})
    assert edit.disabled_by_us == frozenset()


def test_a_seller_disabled_pool_reaching_zero_is_not_claimed() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=3),
        product(pv(COLOR, "Red"), quantity=2, enabled=False),
        quantity_on=(200,),
    )
    edit = plan(listing, {"prop:Color=Red": 0})
    assert_only_stock_changed(listing.to_put_body(), written(edit), {1: (0, False)})
    assert edit.disabled_by_us == frozenset()


def test_mixed_pool_remembers_only_what_it_disabled() -> None:
    # Quantity by Color; the seller switched off Blue / L.
    products = grid(("Blue", "Red"), ("S", "M", "L"), quantity=3)
    products[2] = product(pv(COLOR, "Blue"), pv(SIZE, "L"), quantity=3, enabled=False)
    listing = inventory(*products, quantity_on=(200,))
    edit = plan(listing, {"prop:Color=Blue": 0})
    assert_only_stock_changed(
        listing.to_put_body(), written(edit), {0: (0, False), 1: (0, False), 2: (0, False)}
    )
    assert edit.disabled_by_us == frozenset(
        {
            "prop:Color=Blue#prop:Color=Blue|Size=S",
            "prop:Color=Blue#prop:Color=Blue|Size=M",
        }
    )
    # Etsy answers; later Blue is back: S and M on again, L stays off.
    after = Inventory.from_json(as_etsy_response(written(edit)))
    back = plan(after, {"prop:Color=Blue": 4}, disabled=edit.disabled_by_us)
    assert_only_stock_changed(
        after.to_put_body(), written(back), {0: (4, True), 1: (4, True), 2: (4, False)}
    )
    assert back.disabled_by_us == frozenset()


def test_stale_entries_are_dropped_with_a_note() -> None:
    edit = plan(per_product(), {}, disabled=frozenset({"sku:GONE"}))
    assert edit.disabled_by_us == frozenset()
    assert any("no longer exists" in n for n in edit.notes)


# --- every pool at zero -----------------------------------------------------------------


def test_all_zero_with_deactivate_policy_asks_for_deactivation() -> None:
    listing = per_product()
    targets = {p.key: 0 for p in pools_of(listing)}
    edit = plan(listing, targets, policy="deactivate")
    assert edit.put_body is None
    assert edit.deactivate
    assert not edit.reactivate
    assert not edit.left_to_sell_out
    assert edit.disabled_by_us == frozenset()
    assert any("deactivated" in n for n in edit.notes)


def test_all_zero_with_leave_policy_writes_nothing_and_flags_it() -> None:
    listing = inventory(product(quantity=2))
    edit = plan(listing, {"listing": 0}, policy="leave")
    assert edit.put_body is None
    assert not edit.deactivate
    assert edit.left_to_sell_out
    assert any("left to sell out" in n for n in edit.notes)


def test_shared_stock_at_zero_is_a_whole_listing_zero() -> None:
    edit = plan(inventory(*grid()), {"listing": 0})
    assert (edit.put_body, edit.deactivate) == (None, True)


def test_only_seller_disabled_stock_left_counts_as_all_zero() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=3),
        product(pv(COLOR, "Red"), quantity=5, enabled=False),
        quantity_on=(200,),
    )
    edit = plan(listing, {"prop:Color=Blue": 0})
    assert (edit.put_body, edit.deactivate) == (None, True)


def test_all_zero_keeps_what_we_disabled_before() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), quantity=1),
        product(pv(COLOR, "Red"), quantity=0, enabled=False),
        quantity_on=(200,),
    )
    remembered = frozenset({"prop:Color=Red"})
    edit = plan(listing, {"prop:Color=Blue": 0}, disabled=remembered, policy="leave")
    assert edit.put_body is None
    assert edit.disabled_by_us == remembered


def test_a_listing_we_deactivated_stays_inactive_while_at_zero() -> None:
    listing = inventory(product(quantity=1))
    edit = plan(listing, {"listing": 0}, deactivated_by_us=True, active=False)
    assert (edit.put_body, edit.deactivate, edit.reactivate) == (None, False, False)


def test_an_inactive_listing_is_not_deactivated_by_us() -> None:
    edit = plan(inventory(product(quantity=1)), {"listing": 0}, active=False)
    assert (edit.put_body, edit.deactivate, edit.left_to_sell_out) == (None, False, False)


def test_stock_returning_reactivates_a_listing_we_deactivated() -> None:
    listing = inventory(*grid(quantity=1), quantity_on=(200, 513))
    targets = {p.key: 0 for p in pools_of(listing)} | {"prop:Color=Red|Size=S": 3}
    edit = plan(listing, targets, deactivated_by_us=True, active=False)
    assert edit.reactivate
    assert_only_stock_changed(
        listing.to_put_body(),
        written(edit),
        {0: (0, False), 1: (0, False), 2: (3, True), 3: (0, False)},
    )


def test_reactivation_without_a_quantity_change_writes_nothing() -> None:
    edit = plan(inventory(product(quantity=2)), {"listing": 2}, deactivated_by_us=True)
    assert (edit.put_body, edit.reactivate) == (None, True)


# --- bad input ------------------------------------------------------------------------


def test_unknown_pool_is_refused() -> None:
    with pytest.raises(UnknownPoolError, match="sku:NOPE"):
        plan(per_product(), {"sku:NOPE": 1})


@pytest.mark.parametrize("quantity", [-1, 1000])
def test_out_of_range_targets_are_refused(quantity: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.999"):
        plan(inventory(product()), {"listing": quantity})


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="policy"):
        plan(inventory(product()), {}, policy="explode")  # type: ignore[arg-type]


def test_ambiguous_listing_is_refused() -> None:
    with pytest.raises(AmbiguousInventoryError):
        plan(inventory(product(pv(COLOR, "Blue")), product(pv(COLOR, "Blue"))), {})


def test_no_live_products_writes_nothing() -> None:
    edit = plan(inventory(product(deleted=True)), {})
    assert edit.put_body is None
    assert not edit.deactivate


# --- verify_written -------------------------------------------------------------------


def _round_trip() -> tuple[Inventory, InventoryPut]:
    products = [
        product(pv(COLOR, c), pv(SIZE, s), sku=f"{c}{s}", price=p, quantity=2)
        for (c, s), p in zip(
            [("Blue", "S"), ("Blue", "M"), ("Red", "S"), ("Red", "M")],
            ["0.2", "19.99", "1234.56", "7"],
            strict=True,
        )
    ]
    before = inventory(*products, quantity_on=(200, 513), price_on=(200, 513), sku_on=(200, 513))
    sent = written(plan(before, {"sku:BlueM": 5, "sku:RedS": 0}))
    return before, sent


def test_verify_accepts_etsys_echo_with_new_ids() -> None:
    before, sent = _round_trip()
    after = Inventory.from_json(as_etsy_response(sent))
    assert verify_written(before, sent, after) == []


def test_verify_ignores_product_order() -> None:
    before, sent = _round_trip()
    response = as_etsy_response(sent)
    response["products"].reverse()
    assert verify_written(before, sent, Inventory.from_json(response)) == []


def test_verify_reports_a_wrong_quantity_and_enabled_state() -> None:
    before, sent = _round_trip()
    response = as_etsy_response(sent)
    response["products"][1]["offerings"][0]["quantity"] = 4
    response["products"][2]["offerings"][0]["is_enabled"] = True
    problems = verify_written(before, sent, Inventory.from_json(response))
    assert problems == [
        "Blue / M: quantity sent 5, Etsy has 4",
        "Red / S: Etsy has it enabled, which is not what was sent",
    ]


def test_verify_reports_a_changed_price_sku_and_profile() -> None:
    before, sent = _round_trip()
    response = as_etsy_response(sent)
    response["products"][0]["offerings"][0]["price"]["amount"] = 21
    response["products"][0]["sku"] = "X"
    response["products"][0]["offerings"][0]["readiness_state_id"] = 1
    problems = verify_written(before, sent, Inventory.from_json(response))
    assert "Blue / S: price sent 0.2, Etsy has 0.21" in problems
    assert "Blue / S: SKU sent 'BlueS', Etsy has 'X'" in problems
    assert "Blue / S: processing profile sent 4242, Etsy has 1" in problems


def test_verify_reports_missing_and_extra_products_and_on_property() -> None:
    before, sent = _round_trip()
    response = as_etsy_response(sent)
    response["products"][3]["property_values"][1]["values"] = ["XL"]
    response["quantity_on_property"] = [200]
    problems = verify_written(before, sent, Inventory.from_json(response))
    assert "quantity_on_property: sent [200, 513], Etsy has [200]" in problems
    assert "Red / M: sent, but missing from Etsy's inventory" in problems
    assert "Red / XL: on Etsy, but was not sent" in problems


def test_verify_says_when_etsy_ignored_the_write() -> None:
    before, sent = _round_trip()
    problems = verify_written(before, sent, before)
    assert problems[0].startswith("Etsy's inventory is unchanged")
    assert len(problems) > 1


def test_verify_reports_a_currency_change() -> None:
    before, sent = _round_trip()
    after = Inventory.from_json(as_etsy_response(sent, currency="EUR"))
    assert verify_written(before, sent, after) == ["prices are now in EUR, were in USD"]


def test_verify_reports_property_and_offering_shape_changes() -> None:
    listing = inventory(
        product(pv(COLOR, "Blue"), pv(SIZE, "S", scale_id=17), quantity=1),
        product(pv(COLOR, "Red"), pv(SIZE, "S", scale_id=17), quantity=1),
        quantity_on=(200,),
    )
    sent = written(plan(listing, {"prop:Color=Blue": 3}))
    response = as_etsy_response(sent)
    blue, red = response["products"]
    blue["property_values"][0]["values"] = ["BLUE"]  # same value to Etsy, other spelling
    blue["property_values"][1]["scale_id"] = None  # etsy/open-api#512
    blue["property_values"][1]["property_name"] = "Sizes"
    red["property_values"].pop(1)
    problems = verify_written(listing, sent, Inventory.from_json(response))
    assert problems == [
        "Red / S: sent, but missing from Etsy's inventory",
        "Red: on Etsy, but was not sent",
        "Blue / S: property 200 sent ['Blue'], Etsy has ['BLUE']",
        "Blue / S: property 513 scale sent 17, Etsy has None",
        "Blue / S: property 513 name sent 'Size', Etsy has 'Sizes'",
    ]


@pytest.mark.parametrize(("sku", "label"), [("MUG", "SKU MUG"), (None, "the listing")])
def test_verify_pairs_by_position_when_values_cannot_tell_products_apart(
    sku: str | None, label: str
) -> None:
    listing = inventory(product(quantity=1, sku=sku))
    sent = written(plan(listing, {pools_of(listing)[0].key: 2}))
    response = as_etsy_response(sent)
    extra = dict(response["products"][0], product_id=1)
    extra["offerings"] = [dict(extra["offerings"][0], quantity=9, offering_id=2)]
    extra_offering = dict(extra["offerings"][0], offering_id=3)
    response["products"].append(extra)
    response["products"][0]["offerings"].append(extra_offering)
    problems = verify_written(listing, sent, Inventory.from_json(response))
    assert problems == [
        f"{label}: on Etsy, but was not sent",
        f"{label}: sent 1 offering(s), Etsy has 2",
    ]
