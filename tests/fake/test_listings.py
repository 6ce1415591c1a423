"""Read operations and updateListing, with Etsy's shapes and parameter rules."""

from __future__ import annotations

import httpx
import pytest

from fake_etsy import FakeEtsyServer, ManualClock


def _shop_listings(
    client: httpx.Client, server: FakeEtsyServer, **params: str | int
) -> httpx.Response:
    return client.get(f"/application/shops/{server.shop_id}/listings", params=params)


def test_get_shop_and_shop_by_owner(client: httpx.Client, server: FakeEtsyServer) -> None:
    shop = client.get(f"/application/shops/{server.shop_id}").json()
    assert shop["shop_id"] == server.shop_id
    assert shop["user_id"] == server.user_id
    assert shop["listing_active_count"] == len(server.listing_ids("active"))
    assert client.get(f"/application/users/{server.user_id}/shops").json() == shop
    assert client.get("/application/shops/1").status_code == 404


def test_listings_default_to_active_25(client: httpx.Client, server: FakeEtsyServer) -> None:
    body = _shop_listings(client, server).json()
    active = server.listing_ids("active")
    assert body["count"] == len(active)
    assert len(body["results"]) == min(25, len(active))
    assert {item["state"] for item in body["results"]} == {"active"}
    assert "inventory" not in body["results"][0]


@pytest.mark.parametrize("state", ["active", "inactive", "sold_out", "draft", "expired"])
def test_every_state_can_be_listed(
    client: httpx.Client, server: FakeEtsyServer, state: str
) -> None:
    body = _shop_listings(client, server, state=state, limit=100).json()
    assert body["count"] == len(server.listing_ids(state)) > 0
    assert {item["state"] for item in body["results"]} == {state}


def test_paging_covers_every_listing_once(client: httpx.Client, server: FakeEtsyServer) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        body = _shop_listings(client, server, limit=7, offset=offset).json()
        seen.extend(item["listing_id"] for item in body["results"])
        offset += 7
        if offset >= body["count"]:
            break
    assert sorted(seen) == sorted(server.listing_ids("active"))
    created = [server.listing_json(i)["created_timestamp"] for i in seen]
    assert created == sorted(created, reverse=True)  # created, desc by default


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"state": "edit"}, {"includes": "Bogus"}],
)
def test_bad_parameters_are_400(
    client: httpx.Client, server: FakeEtsyServer, params: dict[str, str | int]
) -> None:
    response = _shop_listings(client, server, **params)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_includes_inventory(client: httpx.Client, server: FakeEtsyServer) -> None:
    body = _shop_listings(client, server, limit=100, includes="Inventory,Images").json()
    for item in body["results"]:
        inventory = item["inventory"]
        assert inventory["products"]
        assert item["images"] == []
        assert item["quantity"] == server.listing_json(item["listing_id"])["quantity"]
    repeated = client.get(
        f"/application/shops/{server.shop_id}/listings?includes=Images&includes=Inventory"
    ).json()
    assert "inventory" in repeated["results"][0]


def test_listing_quantity_and_price_are_derived(server: FakeEtsyServer) -> None:
    for listing_id in server.listing_ids():
        listing = server.listing_json(listing_id)
        offerings = [p["offerings"][0] for p in listing["inventory"]["products"]]
        enabled = [o for o in offerings if o["is_enabled"]] or offerings
        assert listing["price"]["amount"] == min(o["price"]["amount"] for o in enabled)
        if not listing["inventory"]["quantity_on_property"] and len(offerings) > 1:
            pool = {o["quantity"] for o in offerings}
            assert len(pool) == 1, "shared stock: every offering shows the pool"
        elif listing["inventory"]["quantity_on_property"] == [
            pv["property_id"] for pv in listing["inventory"]["products"][0]["property_values"]
        ]:
            assert listing["quantity"] == sum(o["quantity"] for o in offerings if o["is_enabled"])


def test_get_listing_and_its_inventory(client: httpx.Client, server: FakeEtsyServer) -> None:
    listing_id = server.listing_ids("active")[0]
    listing = client.get(f"/application/listings/{listing_id}").json()
    assert listing["listing_id"] == listing_id
    assert listing["price"]["divisor"] == 100
    inventory = client.get(f"/application/listings/{listing_id}/inventory").json()
    assert inventory == server.inventory_json(listing_id)
    with_listing = client.get(
        f"/application/listings/{listing_id}/inventory", params={"includes": "Listing"}
    ).json()
    assert with_listing["listing"]["listing_id"] == listing_id
    assert client.get("/application/listings/12345/inventory").status_code == 404
    assert client.get("/application/listings/12345").status_code == 404


def test_get_listing_does_not_accept_inventory_include(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids()[0]
    response = client.get(f"/application/listings/{listing_id}", params={"includes": "Inventory"})
    assert response.status_code == 400


def test_batch_listings(client: httpx.Client, server: FakeEtsyServer) -> None:
    ids = server.listing_ids()[:5]
    body = client.get(
        "/application/listings/batch",
        params={"listing_ids": ",".join(map(str, [*ids, 999]))},
    ).json()
    assert [item["listing_id"] for item in body["results"]] == ids  # unknown id left out
    assert body["count"] == 5
    too_many = ",".join(str(i) for i in range(1, 102))
    response = client.get("/application/listings/batch", params={"listing_ids": too_many})
    assert response.status_code == 400
    assert client.get("/application/listings/batch").status_code == 400
    inventory_include = client.get(
        "/application/listings/batch",
        params={"listing_ids": str(ids[0]), "includes": "Inventory"},
    )
    assert inventory_include.status_code == 400


def test_batch_inventory_is_all_or_nothing(client: httpx.Client, server: FakeEtsyServer) -> None:
    ids = server.listing_ids()[:100]
    body = client.get(
        "/application/listings/batch/inventory", params={"listing_ids": ",".join(map(str, ids))}
    ).json()
    assert [item["listing_id"] for item in body["results"]] == ids
    assert all(item["inventory"]["products"] for item in body["results"])
    missing = client.get(
        "/application/listings/batch/inventory",
        params={"listing_ids": f"{ids[0]},999"},
    )
    assert missing.status_code == 404
    assert "999" in missing.json()["error"]
    too_many = ",".join(str(i) for i in range(1, 102))
    response = client.get("/application/listings/batch/inventory", params={"listing_ids": too_many})
    assert response.status_code == 400


def test_update_listing_state_and_timestamps(
    client: httpx.Client, server: FakeEtsyServer, clock: ManualClock
) -> None:
    listing_id = server.listing_ids("active")[0]
    before = server.listing_json(listing_id)
    clock.advance(60)
    url = f"/application/shops/{server.shop_id}/listings/{listing_id}"
    response = client.patch(url, data={"state": "inactive", "title": "Renamed"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "inactive"
    assert body["title"] == "Renamed"
    assert body["last_modified_timestamp"] == body["updated_timestamp"] == int(clock())
    assert body["state_timestamp"] == int(clock())
    assert body["updated_timestamp"] > before["updated_timestamp"]
    assert client.patch(url, data={"state": "active"}).json()["state"] == "active"
    assert client.patch(url, data={"state": "sold_out"}).status_code == 400
    assert client.patch(url, json={"state": "inactive"}).status_code == 400


def test_update_listing_ignores_price_and_quantity(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("active")[0]
    before = server.listing_json(listing_id)
    url = f"/application/shops/{server.shop_id}/listings/{listing_id}"
    body = client.patch(url, data={"quantity": "999", "price": "1.00"}).json()
    assert body["quantity"] == before["quantity"]
    assert body["price"] == before["price"]


def test_cannot_activate_a_listing_without_stock(
    client: httpx.Client, server: FakeEtsyServer
) -> None:
    listing_id = server.listing_ids("sold_out")[0]
    url = f"/application/shops/{server.shop_id}/listings/{listing_id}"
    response = client.patch(url, data={"state": "active"})
    assert response.status_code == 400
