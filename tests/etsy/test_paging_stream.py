"""Streaming a shop read: pages handed on as they arrive, a bounded window in memory."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from etsysync_gui.etsy.models import Listing
from etsysync_gui.etsy.reads.shop_pages import ListingsPage, stream_shop_listings


def _listing(listing_id: int, state: str, stamp: int) -> Listing:
    return Listing.from_json(
        {
            "listing_id": listing_id,
            "shop_id": 1,
            "title": f"L{listing_id}",
            "state": state,
            "quantity": 1,
            "price": {"amount": 100, "divisor": 100, "currency_code": "USD"},
            "state_timestamp": stamp,
        }
    )


def test_pages_are_handed_on_with_at_most_a_window_read_ahead() -> None:
    ids = list(range(1, 2_501))
    lock = threading.Lock()
    fetched = handed = 0
    ahead: list[int] = []

    def fetch(state: str, offset: int, limit: int) -> ListingsPage:
        nonlocal fetched
        with lock:
            fetched += 1
        page = ids[offset : offset + limit]
        return ListingsPage(len(ids), tuple(_listing(i, state, 1) for i in page))

    def on_page(listings: Sequence[Listing]) -> None:
        nonlocal handed
        handed += 1
        with lock:
            ahead.append(fetched - handed)

    with ThreadPoolExecutor(8) as executor:
        found = stream_shop_listings(fetch, ("active",), on_page, executor=executor, window=4)
    assert found == frozenset(ids)
    assert handed == fetched == 25
    assert max(ahead) <= 4


def test_a_listing_seen_in_two_states_is_handed_on_newest_last() -> None:
    def fetch(state: str, offset: int, limit: int) -> ListingsPage:
        stamp = {"active": 5, "sold_out": 9}[state]
        return ListingsPage(1, (_listing(7, state, stamp),))

    handed: list[str] = []
    with ThreadPoolExecutor(2) as executor:
        found = stream_shop_listings(
            fetch,
            ("active", "sold_out"),
            lambda listings: handed.extend(x.state for x in listings),
            executor=executor,
        )
    assert found == frozenset({7})
    assert handed[-1] == "sold_out"


def test_idle_runs_before_waiting_for_a_page_not_read_yet() -> None:
    """The caller's ``idle`` (``listings.run``: commit the page written last) runs while
    the next page is still on its way, never while one is ready."""
    ids = list(range(1, 301))
    release = threading.Event()
    events: list[str] = []

    def fetch(state: str, offset: int, limit: int) -> ListingsPage:
        if offset == 100:
            release.wait(5)  # the second page is slow: the caller goes idle first
        page = ids[offset : offset + limit]
        return ListingsPage(len(ids), tuple(_listing(i, state, 1) for i in page))

    def idle() -> None:
        events.append("idle")
        if "page 1" in events:
            release.set()

    def on_page(listings: Sequence[Listing]) -> None:
        events.append(f"page {listings[0].listing_id}")

    with ThreadPoolExecutor(1) as executor:
        found = stream_shop_listings(
            fetch, ("active",), on_page, executor=executor, window=1, idle=idle
        )
    assert found == frozenset(ids)
    pages = [e for e in events if e != "idle"]
    assert pages == ["page 1", "page 101", "page 201"]
    assert events.index("idle", events.index("page 1")) < events.index("page 101")
