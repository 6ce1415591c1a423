"""Every fake response for every modelled operation validates against Etsy's spec.

Happy paths and error bodies go through ``contract_server``, whose observers validate
each request and response; the fixture fails the test on any violation. Deliberately
malformed requests switch request validation off (the spec would rightly reject them)
while their error responses are still validated.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from fake_etsy import OPERATIONS, FakeEtsyServer, ManualClock
from fake_etsy.routing import route

from .spec import (
    OAUTH_ENDPOINTS_NOT_IN_SPEC,
    OAUTH_ERROR_SCHEMA,
    TOKEN_RESPONSE_SCHEMA,
    UNDOCUMENTED_ERROR_STATUSES,
    SpecRecorder,
    validate_json,
)


def _put_body(inventory: dict[str, object]) -> dict[str, object]:
    body: dict[str, Any] = json.loads(json.dumps(inventory))
    for product in body["products"]:
        del product["product_id"], product["is_deleted"]
        for value in product["property_values"]:
            del value["scale_name"]
        for offering in product["offerings"]:
            del offering["offering_id"], offering["is_deleted"]
            offering["price"] = offering["price"]["amount"] / offering["price"]["divisor"]
    return body


def _validated(recorder: SpecRecorder) -> dict[str, set[int]]:
    """operationId -> statuses whose responses were validated."""
    seen: dict[str, set[int]] = {}
    for key in recorder.checked:
        kind, method, path, *status = key.split(" ")
        if kind != "response":
            continue
        found = route(method, urlsplit(path).path)
        assert found is not None, key
        seen.setdefault(found[0].operation_id, set()).add(int(status[0]))
    return seen


def test_happy_paths_of_every_operation(
    contract_server: FakeEtsyServer, contract_client: httpx.Client, spec_recorder: SpecRecorder
) -> None:
    server, client = contract_server, contract_client
    shop = server.shop_id
    assert client.get("/application/openapi-ping").status_code == 200
    assert client.get("/application/users/me").status_code == 200
    assert client.get(f"/application/users/{server.user_id}/shops").status_code == 200
    assert client.get(f"/application/shops/{shop}").status_code == 200
    for state in ("active", "inactive", "sold_out", "draft", "expired"):
        response = client.get(
            f"/application/shops/{shop}/listings",
            params={"state": state, "limit": 100, "includes": "Inventory,Images,Shop"},
        )
        assert response.status_code == 200
    client.get(
        f"/application/shops/{shop}/listings",
        params={"sort_on": "price", "sort_order": "asc", "offset": 3, "limit": 2},
    )
    ids = server.listing_ids()
    joined = ",".join(map(str, ids))
    assert client.get("/application/listings/batch", params={"listing_ids": joined}).is_success
    assert client.get(
        "/application/listings/batch", params={"listing_ids": joined, "includes": "Images,Shop"}
    ).is_success
    assert client.get("/application/listings/batch/inventory", params={"listing_ids": joined})
    for listing_id in ids:
        assert client.get(f"/application/listings/{listing_id}").status_code == 200
        inventory = client.get(f"/application/listings/{listing_id}/inventory")
        assert inventory.status_code == 200
    active = server.listing_ids("active")[0]
    client.get(f"/application/listings/{active}/inventory", params={"includes": "Listing"})
    body = _put_body(server.inventory_json(active))
    put = client.put(f"/application/listings/{active}/inventory", json=body)
    assert put.status_code == 200, put.text
    server.simulate_purchase(active, 1)
    receipts = client.get(f"/application/shops/{shop}/receipts", params={"limit": 100})
    assert receipts.status_code == 200
    assert receipts.json()["count"] == 1
    patch = client.patch(f"/application/shops/{shop}/listings/{active}", data={"state": "inactive"})
    assert patch.status_code == 200
    seen = _validated(spec_recorder)
    assert set(seen) == {operation.operation_id for operation in OPERATIONS}
    assert all(200 in statuses for statuses in seen.values())


def test_error_responses_of_well_formed_requests(
    make_contract_server: Callable[..., FakeEtsyServer],
    spec_recorder: SpecRecorder,
) -> None:
    clock = ManualClock()
    server = make_contract_server(clock=clock)
    access, _, _ = server.issue_tokens()
    read_only, _, _ = server.issue_tokens(scopes=["listings_r"])
    key = {"x-api-key": server.api_key_header}
    bearer = {**key, "authorization": f"Bearer {access}"}
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        assert http.get("/application/listings/1", headers=key).status_code == 404
        assert http.get("/application/shops/1", headers=key).status_code == 404
        assert http.get("/application/listings/1/inventory", headers=bearer).status_code == 404
        missing = http.get(
            "/application/listings/batch/inventory",
            params={"listing_ids": f"{server.listing_ids()[0]},1"},
            headers=bearer,
        )
        assert missing.status_code == 404
        assert http.get("/application/users/1/shops", headers=key).status_code == 404
        scope = http.get(
            "/application/users/me", headers={**key, "authorization": f"Bearer {read_only}"}
        )
        assert scope.status_code == 403
        clock.advance(7200)
        expired = http.get("/application/users/me", headers=bearer)
        assert expired.status_code == 401
        assert expired.json()["error_description"] == "access token is expired"
        wrong = http.get("/application/openapi-ping", headers={"x-api-key": "a:b"})
        assert wrong.status_code == 403
        only_key = http.get("/application/openapi-ping", headers={"x-api-key": server.keystring})
        assert only_key.status_code == 403
    assert spec_recorder.errors == []


def test_error_responses_of_malformed_requests(
    contract_server: FakeEtsyServer, contract_client: httpx.Client, spec_recorder: SpecRecorder
) -> None:
    spec_recorder.validate_requests = False  # the spec rightly rejects these requests
    server, client = contract_server, contract_client
    shop = server.shop_id
    listing_id = server.listing_ids("active")[0]
    checks = [
        client.get(f"/application/shops/{shop}/listings", params={"limit": 500}),
        client.get(f"/application/shops/{shop}/listings", params={"state": "edit"}),
        client.get("/application/listings/batch"),
        client.get("/application/listings/batch/inventory", params={"listing_ids": "x"}),
        client.get(f"/application/listings/{listing_id}", params={"includes": "Inventory"}),
        client.put(f"/application/listings/{listing_id}/inventory", json={}),
        client.put(
            f"/application/listings/{listing_id}/inventory",
            json=server.inventory_json(listing_id),
        ),
        client.patch(f"/application/shops/{shop}/listings/{listing_id}", data={"state": "x"}),
        client.get("/application/openapi-ping", headers={"x-api-key": ""}),
    ]
    assert [response.status_code for response in checks] == [400] * 8 + [403]
    validated = sum(n for key, n in spec_recorder.checked.items() if key.startswith("response"))
    assert validated == len(checks)


def test_rate_limit_and_server_errors_are_error_bodies(
    make_contract_server: Callable[..., FakeEtsyServer], spec_recorder: SpecRecorder
) -> None:
    """UNDOCUMENTED_ERROR_STATUSES: 429 and 5xx appear in no operation's responses."""
    assert UNDOCUMENTED_ERROR_STATUSES
    server = make_contract_server(qps=None, qpd=2)
    access, _, _ = server.issue_tokens()
    headers = {"x-api-key": server.api_key_header, "authorization": f"Bearer {access}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as http:
        statuses = [http.get("/application/users/me").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        server.set_rate_limits(qps=None, qpd=None)
        server.faults.fail_next(operations=["getListingInventory"])
        listing_id = server.listing_ids()[0]
        assert http.get(f"/application/listings/{listing_id}/inventory").status_code == 500
        server.faults.fail_next(status=503)
        assert http.get("/application/openapi-ping").status_code == 503
        server.faults.rate_limit_next()
        assert http.get(f"/application/shops/{server.shop_id}").status_code == 429
    assert spec_recorder.errors == []


def test_token_endpoint_is_outside_the_spec_and_follows_rfc_6749(
    contract_server: FakeEtsyServer,
) -> None:
    """OAUTH_ENDPOINTS_NOT_IN_SPEC: checked against local schemas instead."""
    assert OAUTH_ENDPOINTS_NOT_IN_SPEC
    server = contract_server
    _, refresh, _ = server.issue_tokens()
    fields = {
        "grant_type": "refresh_token",
        "client_id": server.keystring,
        "refresh_token": refresh,
    }
    with httpx.Client(timeout=10) as http:
        ok = http.post(server.token_url, data=fields)
        validate_json(ok.json(), TOKEN_RESPONSE_SCHEMA, "token response")
        assert ok.headers["cache-control"] == "no-store"
        reused = http.post(server.token_url, data=fields)
        validate_json(reused.json(), OAUTH_ERROR_SCHEMA, "token error")
        assert reused.status_code == 400


@pytest.mark.parametrize("includes", ["Inventory", "Images", "Shop", "Inventory,Images,Shop"])
def test_listing_includes_validate(
    contract_server: FakeEtsyServer, contract_client: httpx.Client, includes: str
) -> None:
    response = contract_client.get(
        f"/application/shops/{contract_server.shop_id}/listings",
        params={"includes": includes, "limit": 10},
    )
    assert response.status_code == 200
