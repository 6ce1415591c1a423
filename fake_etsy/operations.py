"""Handlers for the modelled Open API v3 operations, after auth and rate limiting.

Why: each handler only translates query/body parameters into a call on the shop state
and renders Etsy's response shape; the cross-cutting checks (x-api-key, limits, bearer
token, scopes, faults) happen once in ``app``. Parameter rules follow the spec: e.g.
``limit`` 1..100, ``state`` enum, at most 100 ``listing_ids``.

Array query parameters are read comma-joined (``listing_ids=1,2,3``) and also as
repeated or ``name[]`` parameters: the spec gives no style, clients send commas
(for example etsy/open-api#236). Assumptions (strict choices): an ``includes`` value
outside the spec's enum for that operation is a 400, so ``includes=Inventory`` on
getListing or the batch endpoint fails instead of being silently ignored;
getListingsByListingIds leaves unknown ids out, while getListingsInventoryByListingIds
404s on any unknown id (documented); the batch inventory endpoint returns each listing
with its ``inventory`` association; SKUs are only shown to the authenticated owner
(empty otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fake_etsy.errors import bad_request, not_found
from fake_etsy.inventory import parse_inventory_request
from fake_etsy.model import LISTING_STATES
from fake_etsy.receipts import RECEIPT_SORTS, ReceiptQuery, receipts_page
from fake_etsy.shop import DESCENDING, SORT_KEYS, ShopState
from fake_etsy.tokens import Principal
from fake_etsy.wire import FakeRequest, FakeResponse, json_response

MAX_BATCH = 100
SORT_ORDERS = ("asc", "ascending", "up", *DESCENDING)
SHOP_LISTING_INCLUDES = (
    "Shipping",
    "Images",
    "Shop",
    "User",
    "Translations",
    "Inventory",
    "Videos",
    "Personalization",
    "BuyerPrice",
)
LISTING_INCLUDES = (
    "Images",
    "Shop",
    "User",
    "Translations",
    "Videos",
    "Personalization",
    "BuyerPrice",
)


@dataclass(frozen=True)
class Context:
    """Everything a handler may use."""

    request: FakeRequest
    path_params: dict[str, int]
    principal: Principal | None
    shop: ShopState
    application_id: int

    @property
    def is_owner(self) -> bool:
        return self.principal is not None and self.principal.user_id == self.shop.user_id

    def query(self) -> dict[str, list[str]]:
        return self.request.query_params()


Handler = Callable[[Context], FakeResponse]


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


def _int_param(
    params: dict[str, list[str]], name: str, default: int, low: int, high: int | None = None
) -> int:
    raw = _single(params, name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: expected an integer") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise bad_request(f"Invalid value for {name}: must be {bound}")
    return value


def _enum_param(
    params: dict[str, list[str]], name: str, default: str, allowed: Sequence[str]
) -> str:
    raw = _single(params, name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise bad_request(f"Invalid value for {name}: must be one of {', '.join(allowed)}")
    return raw


def _list_param(params: dict[str, list[str]], name: str) -> list[str]:
    items: list[str] = []
    for key in (name, f"{name}[]"):
        for raw in params.get(key, []):
            items.extend(part.strip() for part in raw.split(",") if part.strip())
    return items


def _includes(params: dict[str, list[str]], allowed: Sequence[str]) -> list[str]:
    values = _list_param(params, "includes")
    for value in values:
        if value not in allowed:
            raise bad_request(
                f"Invalid value for includes: {value!r} (allowed: {', '.join(allowed)})"
            )
    return values


def _listing_ids(params: dict[str, list[str]]) -> list[int]:
    raw = _list_param(params, "listing_ids")
    if not raw:
        raise bad_request("Missing input parameter: [listing_ids]")
    ids: list[int] = []
    for item in raw:
        try:
            value = int(item)
        except ValueError:
            raise bad_request(f"Invalid listing_id {item!r}: expected an integer") from None
        if value < 1:
            raise bad_request(f"Invalid listing_id {item!r}: must be >= 1")
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_BATCH:
        raise bad_request(f"listing_ids cannot contain more than {MAX_BATCH} ids")
    return ids


def _bool_param(params: dict[str, list[str]], name: str) -> bool:
    raw = _single(params, name)
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise bad_request(f"Invalid value for {name}: expected true or false")


def _check_shop(ctx: Context) -> None:
    if ctx.path_params["shop_id"] != ctx.shop.shop_id:
        raise not_found(f"Shop {ctx.path_params['shop_id']} not found")


def ping(ctx: Context) -> FakeResponse:
    return json_response(200, {"application_id": ctx.application_id})


def get_me(ctx: Context) -> FakeResponse:
    return json_response(200, {"user_id": ctx.shop.user_id, "shop_id": ctx.shop.shop_id})


def get_shop(ctx: Context) -> FakeResponse:
    _check_shop(ctx)
    return json_response(200, ctx.shop.shop_json())


def get_shop_by_owner(ctx: Context) -> FakeResponse:
    if ctx.path_params["user_id"] != ctx.shop.user_id:
        raise not_found(f"User {ctx.path_params['user_id']} has no shop")
    return json_response(200, ctx.shop.shop_json())


def get_listings_by_shop(ctx: Context) -> FakeResponse:
    _check_shop(ctx)
    params = ctx.query()
    page = ctx.shop.listings_page(
        state=_enum_param(params, "state", "active", LISTING_STATES),
        limit=_int_param(params, "limit", 25, 1, 100),
        offset=_int_param(params, "offset", 0, 0),
        sort_on=_enum_param(params, "sort_on", "created", SORT_KEYS),
        sort_order=_enum_param(params, "sort_order", "desc", SORT_ORDERS),
        includes=_includes(params, SHOP_LISTING_INCLUDES),
        show_skus=ctx.is_owner,
    )
    return json_response(200, page)


def get_listing(ctx: Context) -> FakeResponse:
    includes = _includes(ctx.query(), LISTING_INCLUDES)
    with ctx.shop.lock:
        listing = ctx.shop.get(ctx.path_params["listing_id"])
        body = ctx.shop.render_listing(listing, show_skus=ctx.is_owner, includes=includes)
    return json_response(200, body)


def get_listings_by_ids(ctx: Context) -> FakeResponse:
    params = ctx.query()
    ids = _listing_ids(params)
    includes = _includes(params, LISTING_INCLUDES)
    body = ctx.shop.listings_batch(
        ids, includes=includes, show_skus=ctx.is_owner, all_required=False
    )
    return json_response(200, body)


def get_inventories_by_ids(ctx: Context) -> FakeResponse:
    ids = _listing_ids(ctx.query())
    body = ctx.shop.listings_batch(
        ids, includes=("Inventory",), show_skus=ctx.is_owner, all_required=True
    )
    return json_response(200, body)


def get_listing_inventory(ctx: Context) -> FakeResponse:
    params = ctx.query()
    _bool_param(params, "show_deleted")  # nothing is ever deleted-but-kept in the fake
    include_listing = _enum_param(params, "includes", "", ("Listing",)) == "Listing"
    with ctx.shop.lock:
        listing = ctx.shop.get(ctx.path_params["listing_id"])
        body = ctx.shop.inventory_json(listing.listing_id, show_skus=ctx.is_owner)
        if include_listing:
            body["listing"] = ctx.shop.render_listing(listing, show_skus=ctx.is_owner)
    return json_response(200, body)


def update_listing_inventory(ctx: Context) -> FakeResponse:
    variations = _enum_param(ctx.query(), "max_variations_supported", "2", ("2", "3"))
    listing_id = ctx.path_params["listing_id"]
    with ctx.shop.lock:
        ctx.shop.get(listing_id)  # 404 before 400, like Etsy
    data = parse_inventory_request(
        ctx.request.body, ctx.request.media_type(), max_properties=int(variations)
    )
    return json_response(200, ctx.shop.replace_inventory(listing_id, data))


def update_listing(ctx: Context) -> FakeResponse:
    _check_shop(ctx)
    if ctx.request.body and ctx.request.media_type() != "application/x-www-form-urlencoded":
        raise bad_request("updateListing expects an application/x-www-form-urlencoded body")
    fields = {k: v[-1] for k, v in ctx.request.form().items() if v}
    body = ctx.shop.update_listing(ctx.path_params["listing_id"], fields)
    return json_response(200, body)


def get_shop_receipts(ctx: Context) -> FakeResponse:
    """getShopReceipts: the shop's orders, filtered by time, paged (limit 1..100)."""
    _check_shop(ctx)
    params = ctx.query()
    times = {
        name: _int_param(params, name, 0, 946_684_800) or None
        for name in ("min_created", "max_created", "min_last_modified", "max_last_modified")
    }
    canceled = _single(params, "was_canceled")
    query = ReceiptQuery(
        limit=_int_param(params, "limit", 25, 1, 100),
        offset=_int_param(params, "offset", 0, 0),
        sort_on=_enum_param(params, "sort_on", "created", RECEIPT_SORTS),
        descending=_enum_param(params, "sort_order", "desc", SORT_ORDERS) in DESCENDING,
        was_canceled=None if not canceled else _bool_param(params, "was_canceled"),
        **times,
    )
    with ctx.shop.lock:
        body = receipts_page(
            ctx.shop.receipts, query, seller=ctx.shop.user_id, currency=ctx.shop.currency_code
        )
    return json_response(200, body)


HANDLERS: dict[str, Handler] = {
    "getShopReceipts": get_shop_receipts,
    "ping": ping,
    "getMe": get_me,
    "getShop": get_shop,
    "getShopByOwnerUserId": get_shop_by_owner,
    "getListingsByShop": get_listings_by_shop,
    "getListing": get_listing,
    "getListingsByListingIds": get_listings_by_ids,
    "getListingsInventoryByListingIds": get_inventories_by_ids,
    "getListingInventory": get_listing_inventory,
    "updateListingInventory": update_listing_inventory,
    "updateListing": update_listing,
}
