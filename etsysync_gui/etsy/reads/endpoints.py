"""Etsy's multi-request reads: which endpoint, which parameters, which shape.

Why separate from ``client``: ``paging`` and ``batch`` know how to spread many
requests over the worker pool safely but nothing about Etsy's paths; the
client knows single operations.  This module is the glue for the three bulk
reads a sync does, so each stays small and readable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Protocol, TypeVar

from etsysync_gui.etsy.errors import NotFoundError
from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.models import Inventory, Listing
from etsysync_gui.etsy.reads.by_ids import read_by_ids
from etsysync_gui.etsy.reads.page_memo import PageMemo
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.etsy.reads.shop_pages import (
    ListingsPage,
    OnPage,
    Progress,
    S,
    read_shop_listings,
    stream_shop_listings,
)
from etsysync_gui.etsy.transport import QueryValue, Recall, csv

PAGE_SIZE = 100
BATCH_SIZE = 100
T = TypeVar("T")


class GetJson(Protocol):
    """``EtsyClient._get``: one GET, decoded JSON back."""

    def __call__(
        self,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        *,
        bearer: bool = True,
        require_user: bool = True,
        cancel: threading.Event | None = None,
        recall: Recall | None = None,
    ) -> object: ...


def shop_listings(
    get: GetJson,
    executor: Executor,
    shop_id: int,
    states: Sequence[str],
    *,
    include_inventory: bool,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[Listing]:
    """getListingsByShop over every state, ``limit=100``: every listing (see ``shop_pages``)."""
    fetch = _page_reader(get, shop_id, include_inventory, cancel, Listing.from_json)
    return read_shop_listings(
        fetch, states, executor=executor, page_size=PAGE_SIZE, progress=progress, cancel=cancel
    )


def stream_shop_records(
    get: GetJson,
    executor: Executor,
    shop_id: int,
    states: Sequence[str],
    on_page: OnPage[ListingRecord],
    *,
    include_inventory: bool,
    memo: PageMemo,
    progress: Progress | None,
    cancel: threading.Event | None,
    idle: Callable[[], None] | None = None,
) -> frozenset[int]:
    """As ``shop_listings``, but each page goes to ``on_page`` as it arrives, unparsed
    (``records``), or recalled from ``memo`` if its body was read before
    (``page_memo``); returns the ids found (``stream_shop_listings``, which calls
    ``idle``)."""
    path, params = _page_request(shop_id, include_inventory)

    def fetch(state: str, offset: int, limit: int) -> ListingsPage[ListingRecord]:
        probe = memo.probe()
        body = get(path, params(state, offset, limit), cancel=cancel, recall=probe.recall)
        if isinstance(body, ListingsPage):
            return body
        page = _decoded_page(body, ListingRecord.from_json)
        probe.remember(page)
        return page

    return stream_shop_listings(
        fetch, states, on_page, executor=executor, progress=progress, cancel=cancel, idle=idle
    )


def _page_reader(
    get: GetJson,
    shop_id: int,
    include_inventory: bool,
    cancel: threading.Event | None,
    make: Callable[[object], S],
) -> Callable[[str, int, int], ListingsPage[S]]:
    """``fetch_page(state, offset, limit)``: one getListingsByShop call, items made by ``make``."""
    path, params = _page_request(shop_id, include_inventory)

    def fetch_page(state: str, offset: int, limit: int) -> ListingsPage[S]:
        return _decoded_page(get(path, params(state, offset, limit), cancel=cancel), make)

    return fetch_page


def _page_request(
    shop_id: int, include_inventory: bool
) -> tuple[str, Callable[[str, int, int], dict[str, QueryValue]]]:
    """getListingsByShop's path, and its query for one ``state, offset, limit``."""

    def params(state: str, offset: int, limit: int) -> dict[str, QueryValue]:
        query: dict[str, QueryValue] = {"state": state, "limit": limit, "offset": offset}
        if include_inventory:
            query["includes"] = csv(["Inventory"])
        return query

    return f"/application/shops/{shop_id}/listings", params


def _decoded_page(raw: object, make: Callable[[object], S]) -> ListingsPage[S]:
    body = Fields(raw, "listings page")
    return ListingsPage(
        count=body.req_int("count"),
        listings=tuple(make(x) for x in body.array("results", True)),
    )


def listings_by_ids(
    get: GetJson,
    get_listing: Callable[[int], Listing],
    executor: Executor,
    listing_ids: Sequence[int],
    *,
    max_in_flight: int,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[Listing]:
    """getListingsByListingIds, 100 ids a call; missing ids confirmed by getListing."""

    def fetch_batch(ids: Sequence[int]) -> dict[int, Listing]:
        params = {"listing_ids": csv(ids)}
        raw = get("/application/listings/batch", params, require_user=False, cancel=cancel)
        listings = (
            Listing.from_json(x) for x in Fields(raw, "listings batch").array("results", True)
        )
        return {listing.listing_id: listing for listing in listings}

    found = read_by_ids(
        listing_ids,
        fetch_batch=fetch_batch,
        fetch_one=_none_if_missing(get_listing),
        executor=executor,
        batch_size=BATCH_SIZE,
        max_in_flight=max_in_flight,
        phase="listings",
        progress=progress,
        cancel=cancel,
    )
    return list(found.values())


def inventories_by_ids(
    get: GetJson,
    get_inventory: Callable[[int], Inventory],
    executor: Executor,
    listing_ids: Sequence[int],
    *,
    max_in_flight: int,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> dict[int, Inventory]:
    """getListingsInventoryByListingIds, 100 ids a call (see ``batch`` for 404s).

    The answer is a ``ShopListingsWithAssociations`` page (spec): each result
    is a listing carrying ``inventory``.  A result without one is treated as
    left out and confirmed with getListingInventory.
    """

    def fetch_batch(ids: Sequence[int]) -> dict[int, Inventory]:
        params = {"listing_ids": csv(ids)}
        raw = get("/application/listings/batch/inventory", params, cancel=cancel)
        inventories: dict[int, Inventory] = {}
        for result in Fields(raw, "inventory batch").array("results", True):
            item = Fields(result, "inventory batch result")
            inventory = item.raw("inventory")
            if inventory is not None:
                inventories[item.req_int("listing_id")] = Inventory.from_json(inventory)
        return inventories

    return read_by_ids(
        listing_ids,
        fetch_batch=fetch_batch,
        fetch_one=_none_if_missing(get_inventory),
        executor=executor,
        batch_size=BATCH_SIZE,
        max_in_flight=max_in_flight,
        phase="inventory",
        progress=progress,
        cancel=cancel,
    )


def _none_if_missing(read: Callable[[int], T]) -> Callable[[int], T | None]:
    def read_or_none(listing_id: int) -> T | None:
        try:
            return read(listing_id)
        except NotFoundError:
            return None

    return read_or_none
