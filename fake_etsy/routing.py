"""The table of modelled Etsy operations: method, path template, OAuth scopes.

Why: one declarative list keeps the fake honest against Etsy's OpenAPI document
(a contract test compares every row with the spec's path, method and ``security``)
and gives each request an operation id for stats and fault targeting. The spec file is
not shipped with the app, so the scopes are copied here rather than read at runtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

API_PREFIX = "/v3/application/"
TOKEN_PATH = "/v3/public/oauth/token"
CONNECT_PATH = "/oauth/connect"
TOKEN_OPERATION = "oauthToken"
CONNECT_OPERATION = "oauthConnect"
UNKNOWN_OPERATION = "unknown"


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    pattern: re.Pattern[str]


def _operation(operation_id: str, method: str, path: str, *scopes: str) -> Operation:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", path)
    return Operation(operation_id, method, path, scopes, re.compile(f"^{regex}$"))


OPERATIONS: tuple[Operation, ...] = (
    _operation("ping", "GET", "/v3/application/openapi-ping"),
    _operation("getMe", "GET", "/v3/application/users/me", "shops_r"),
    _operation("getShopByOwnerUserId", "GET", "/v3/application/users/{user_id}/shops"),
    _operation("getShop", "GET", "/v3/application/shops/{shop_id}"),
    _operation(
        "getListingsByShop", "GET", "/v3/application/shops/{shop_id}/listings", "listings_r"
    ),
    _operation(
        "updateListing",
        "PATCH",
        "/v3/application/shops/{shop_id}/listings/{listing_id}",
        "listings_w",
    ),
    _operation(
        "getShopReceipts", "GET", "/v3/application/shops/{shop_id}/receipts", "transactions_r"
    ),
    _operation("getListingsByListingIds", "GET", "/v3/application/listings/batch"),
    _operation(
        "getListingsInventoryByListingIds",
        "GET",
        "/v3/application/listings/batch/inventory",
        "listings_r",
    ),
    _operation("getListing", "GET", "/v3/application/listings/{listing_id}"),
    _operation(
        "getListingInventory",
        "GET",
        "/v3/application/listings/{listing_id}/inventory",
        "listings_r",
    ),
    _operation(
        "updateListingInventory",
        "PUT",
        "/v3/application/listings/{listing_id}/inventory",
        "listings_w",
    ),
)


def route(method: str, path: str) -> tuple[Operation, dict[str, int]] | None:
    """The operation for a request and its integer path parameters, or None."""
    for operation in OPERATIONS:
        if operation.method != method:
            continue
        match = operation.pattern.match(path)
        if match:
            return operation, {k: int(v) for k, v in match.groupdict().items()}
    return None


def operation_name(method: str, path: str) -> str:
    """The id used for stats and fault targeting, including the OAuth endpoints."""
    if path == CONNECT_PATH:
        return CONNECT_OPERATION
    if path == TOKEN_PATH:
        return TOKEN_OPERATION
    found = route(method, path)
    return found[0].operation_id if found else UNKNOWN_OPERATION
