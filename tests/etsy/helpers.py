"""Shared test doubles for the Etsy client tests: JSON builders and
an in-memory shop that answers getListingsByShop / batch requests through respx."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.clock import FakeClock

BASE = "https://etsy.test/v3"
TOKEN_URL = f"{BASE}/public/oauth/token"
KEY = "testkeystring"
SECRET = "testsecret"
SHOP_ID = 777


def money(amount: int, divisor: int = 100, currency: str = "USD") -> dict[str, Any]:
    return {"amount": amount, "divisor": divisor, "currency_code": currency}


def inventory_json(listing_id: int, *, quantity: int = 3, price: int = 1234) -> dict[str, Any]:
    return {
        "products": [
            {
                "product_id": listing_id * 10,
                "sku": f"SKU-{listing_id}",
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": listing_id * 100,
                        "quantity": quantity,
                        "is_enabled": True,
                        "is_deleted": False,
                        "price": money(price),
                        "readiness_state_id": 55,
                    }
                ],
                "property_values": [],
            }
        ],
        "price_on_property": [],
        "quantity_on_property": [],
        "sku_on_property": [],
        "readiness_state_on_property": [],
    }


def listing_json(
    listing_id: int,
    state: str = "active",
    *,
    created: int | None = None,
    state_timestamp: int | None = None,
    with_inventory: bool = True,
) -> dict[str, Any]:
    created = created if created is not None else 1_600_000_000 + listing_id
    data: dict[str, Any] = {
        "listing_id": listing_id,
        "user_id": 5,
        "shop_id": SHOP_ID,
        "title": f"Listing {listing_id}",
        "description": "A thing",
        "state": state,
        "quantity": 3,
        "price": money(1234),
        "url": f"https://www.etsy.com/listing/{listing_id}",
        "has_variations": False,
        "skus": [f"SKU-{listing_id}"],
        "created_timestamp": created,
        "updated_timestamp": created,
        "last_modified_timestamp": created,
        "state_timestamp": state_timestamp if state_timestamp is not None else created,
        "num_favorers": 0,
        "some_future_field": {"nested": True},
    }
    if with_inventory:
        data["inventory"] = inventory_json(listing_id)
    return data


def query(request: httpx.Request) -> dict[str, str]:
    parsed = parse_qs(request.url.query.decode(), keep_blank_values=True)
    return {k: v[-1] for k, v in parsed.items()}


class FakeShop:
    """Listings by state, ordered like Etsy's default (created, newest first).

    ``on_request(shop, n)`` runs before request number ``n`` (1-based) is
    answered, so tests can change the shop between pages.  An optional token
    bucket (capacity = qps, refilled qps/s on ``clock``) answers 429 like the
    real server when the client goes too fast; ``too_fast`` counts them.
    """

    def __init__(
        self,
        counts: dict[str, int],
        *,
        clock: FakeClock | None = None,
        qps: float | None = None,
        on_request: Callable[[FakeShop, int], None] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.listings: dict[int, dict[str, Any]] = {}
        next_id = 1000
        for state, n in counts.items():
            for _ in range(n):
                self.add(next_id, state)
                next_id += 1
        self.next_id = next_id
        self.requests = 0
        self.page_requests: list[tuple[str, int, int]] = []
        self.on_request = on_request
        self.clock = clock
        self.qps = qps
        self.bucket = qps or 0.0
        self.bucket_time = 0.0
        self.too_fast = 0

    def add(self, listing_id: int, state: str, created: int | None = None) -> None:
        with self.lock:
            self.listings[listing_id] = listing_json(listing_id, state, created=created)

    def delete(self, listing_id: int) -> None:
        with self.lock:
            del self.listings[listing_id]

    def move(self, listing_id: int, state: str, when: int) -> None:
        with self.lock:
            self.listings[listing_id] = {
                **self.listings[listing_id],
                "state": state,
                "state_timestamp": when,
            }

    def in_state(self, state: str) -> list[dict[str, Any]]:
        with self.lock:
            items = [x for x in self.listings.values() if x["state"] == state]
        return sorted(items, key=lambda x: (-x["created_timestamp"], -x["listing_id"]))

    def ids(self, states: tuple[str, ...] | None = None) -> set[int]:
        with self.lock:
            return {i for i, x in self.listings.items() if states is None or x["state"] in states}

    def _rate_ok(self) -> bool:
        if self.clock is None or self.qps is None:
            return True
        now = self.clock.monotonic()
        self.bucket = min(self.qps, self.bucket + (now - self.bucket_time) * self.qps)
        self.bucket_time = now
        if self.bucket < 1.0:
            self.too_fast += 1
            return False
        self.bucket -= 1.0
        return True

    def _count_request(self) -> httpx.Response | None:
        with self.lock:
            self.requests += 1
            n = self.requests
            if not self._rate_ok():
                return httpx.Response(
                    429,
                    json={"error": "Exceeded per second rate limit"},
                    headers={"retry-after": "1"},
                )
        if self.on_request is not None:
            self.on_request(self, n)
        return None

    def listings_page(self, request: httpx.Request) -> httpx.Response:
        limited = self._count_request()
        if limited is not None:
            return limited
        q = query(request)
        state, limit, offset = q.get("state", "active"), int(q["limit"]), int(q["offset"])
        with self.lock:
            self.page_requests.append((state, offset, limit))
            items = self.in_state(state)
            page = items[offset : offset + limit]
            return httpx.Response(200, json={"count": len(items), "results": page})

    def inventory_batch(self, request: httpx.Request) -> httpx.Response:
        limited = self._count_request()
        if limited is not None:
            return limited
        ids = [int(x) for x in query(request)["listing_ids"].split(",")]
        assert len(ids) <= 100
        with self.lock:
            if any(i not in self.listings for i in ids):
                return httpx.Response(404, json={"error": "Listing not found"})
            results = [self.listings[i] for i in ids]
            return httpx.Response(200, json={"count": len(results), "results": results})

    def single_inventory(self, request: httpx.Request, listing_id: str) -> httpx.Response:
        limited = self._count_request()
        if limited is not None:
            return limited
        with self.lock:
            item = self.listings.get(int(listing_id))
            if item is None:
                return httpx.Response(404, json={"error": "Listing not found"})
            return httpx.Response(200, json=item["inventory"])
