"""Helpers shared by the fake-server tests: PKCE pairs and the GET -> PUT transform."""

from __future__ import annotations

import base64
import copy
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from fake_etsy import FakeEtsyServer

JSON = dict[str, Any]


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) the way Etsy suggests: 32 random bytes, base64url."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def put_body(inventory: JSON) -> JSON:
    """Turn a getListingInventory body into a valid updateListingInventory body."""
    body = copy.deepcopy(inventory)
    body.pop("listing", None)
    for product in body["products"]:
        product.pop("product_id", None)
        product.pop("is_deleted", None)
        for value in product["property_values"]:
            value.pop("scale_name", None)
        for offering in product["offerings"]:
            offering.pop("offering_id", None)
            offering.pop("is_deleted", None)
            money = offering["price"]
            offering["price"] = money["amount"] / money["divisor"]
    return body


def find_listing(server: FakeEtsyServer, predicate: Callable[[JSON], bool]) -> int:
    """The first listing id whose owner-view JSON (with inventory) matches."""
    for listing_id in server.listing_ids():
        if predicate(server.listing_json(listing_id)):
            return listing_id
    raise LookupError("no listing matches")


def is_simple(listing: JSON) -> bool:
    return len(listing["inventory"]["products"]) == 1 and not listing["has_variations"]


def property_count(listing: JSON) -> int:
    return len(listing["inventory"]["products"][0]["property_values"])
