"""Listing sync (Etsy → local): every listing, every state, with its stock pools.

Stored while read, so memory holds a bounded window of pages, not the shop, and
the paced read overlaps the local work (``read_and_store``).  A page's writes
are sent without waiting (``db.pipeline`` on PostgreSQL) and, when the next
page has already arrived, it is parsed while the server runs them; only then is
the page planned and committed (before waiting for Etsy, never during).  On
SQLite, whose writes run in this process, each page is committed at once:

* each page of ``get_listings_by_shop`` (ceil(n/100) calls per state, see
  ``etsy.reads.shop_pages``) is written as it arrives by ``PageStore`` (see
  ``pages``) with bulk upserts and set-based updates (no per-row round trips):
  ``etsy_products``, their ``etsy_stock_pools``, links by SKU (``autolink``),
  optional imports (``importing``), pools that vanished deleted, listings that
  came back un-marked.  A listing read with the digest stored from its last
  read, whose links and stock have not moved since (``in_step``), is neither
  parsed, rewritten nor planned: it is only stamped as read.  A page whose
  body Etsy sent byte for byte before is not even decoded: the reader recalls
  it from ``etsy_listing_pages`` (``read_memo``; counted as ``pages_recalled``).
  ``after_page`` hands each stored page on (``sync all`` plans it in the same
  transaction), then ``commit_page`` ends the page's transaction (a dry run
  keeps one transaction and rolls it back at the end).
* only after a COMPLETE read: the known listings the read did not find are
  confirmed with ``get_listings_by_ids`` (the paged read alone can miss a
  listing that moved state mid-read; this costs calls only when something is
  absent) and those gone are marked ``missing_since`` (rows and log kept; the
  local product is never deleted).  A read that fails or is cancelled part way
  leaves the pages it stored (each what Etsy reported) and marks nothing
  missing, so a later run never takes "not read yet" for "gone".

Each listing read gets ``sync_status`` 'synced' and its ``sync_error`` reset to
what this read found (e.g. an ambiguous inventory); inventory errors are set
again by the next inventory run if they persist.

A listing EtsySync deactivated that Etsy now reports ``active`` was switched on
again by the seller: its ``deactivated_by_etsysync`` flag is cleared, so the
zero-stock policy never fights the seller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import OperationCancelled
from etsysync_gui.etsy.models import Listing
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.sync.listings import autolink
from etsysync_gui.sync.listings.autolink import LinkProblem
from etsysync_gui.sync.listings.pages import PageStore, StoredPage, StoreTally
from etsysync_gui.sync.listings.read_memo import forget_unseen_pages, keep_fresh_pages, load_memo
from etsysync_gui.sync.runs.progress import PHASE_SAVING, Progress, cancelled, for_client, report

PAGE = 100
AfterPage = Callable[[StoredPage], None]


@dataclass(frozen=True, slots=True)
class ShopRead:
    """Every listing read, and the known listings confirmed gone from Etsy."""

    listings: tuple[Listing, ...]
    gone: frozenset[int]


@dataclass(frozen=True, slots=True)
class ListingSyncResult:
    """What a listing sync found and did."""

    listings_read: int
    new: int
    updated: int
    missing: tuple[int, ...]
    returned: tuple[int, ...]
    pools: int
    pools_removed: int
    linked: int
    links_dropped: int
    imported_products: int
    imported_variants: int
    link_problems: tuple[LinkProblem, ...]
    unchanged: int = 0  # read, but nothing stored changed (rows not rewritten)
    in_step: int = 0  # of those, unchanged and in step: not parsed or planned (``in_step``)
    pages_recalled: int = 0  # pages Etsy sent as read before: not decoded (``page_memo``)
    pages_decoded: int = 0

    def problem_counts(self) -> dict[str, int]:
        counts = {name: 0 for name in autolink.PROBLEM_ORDER}
        for problem in self.link_problems:
            counts[problem.problem] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "listings_read": self.listings_read,
            "new": self.new,
            "updated": self.updated,
            "missing": list(self.missing),
            "returned": list(self.returned),
            "pools": self.pools,
            "pools_removed": self.pools_removed,
            "linked": self.linked,
            "links_dropped": self.links_dropped,
            "imported_products": self.imported_products,
            "imported_variants": self.imported_variants,
            "problem_counts": self.problem_counts(),
            "link_problems": [p.to_json() for p in self.link_problems],
            "unchanged_skipped": self.unchanged,
            "in_step_skipped": self.in_step,
            "pages_recalled": self.pages_recalled,
            "pages_decoded": self.pages_decoded,
        }


@dataclass(frozen=True, slots=True)
class StoredShop:
    """A complete read, stored: the result, and the listings whose links ``finish`` changed."""

    result: ListingSyncResult
    relinked: frozenset[int]


def read_and_store(
    client: EtsyClient,
    store: PageStore,
    known: Sequence[int],
    *,
    after_page: AfterPage | None = None,
    commit_page: Callable[[], None] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> StoredShop:
    """Read every listing, storing each page as it arrives (see the module notes).

    ``known``: the ids stored as present (not missing) before the read.  The store
    confirms the run's lease before its writes (``PageStore.confirm_writes``).
    """

    memo = load_memo(store.session, store.shop_id)
    written: list[StoredPage] = []  # the page written last, not yet planned and committed

    def finish_written() -> None:
        """Wait for the last page's writes, plan it, commit it."""
        if written:
            page = written.pop()
            store.settle_writes()
            if after_page is not None:
                after_page(page)
            keep_fresh_pages(store.session, store.shop_id, memo, store.now)
            if commit_page is not None:
                commit_page()

    def on_page(records: Sequence[ListingRecord]) -> None:
        prepared = store.prepare(records, settle=finish_written)
        finish_written()
        written.append(store.write(prepared))
        if not store.sends_ahead:
            finish_written()

    try:
        found = client.stream_listings_by_shop(
            store.shop_id,
            on_page,
            include_inventory=True,
            memo=memo,
            progress=for_client(progress),
            cancel=cancel,
            idle=finish_written,  # never holds a page's transaction while Etsy answers
        )
        finish_written()
    except BaseException:
        # A read that fails after a page was written keeps that page, as when each
        # page was committed before the next one was read; its own error wins.
        with suppress(Exception):
            finish_written()
        raise
    # Only the few absent ids are collected: a union of ``known`` and ``seen`` first
    # would copy the shop's ids once more while the whole plan is held.
    absent = sorted({x for x in chain(known, store.seen) if x not in found})
    gone: set[int] = set(absent)
    if absent:
        still_there = client.get_listings_by_ids(absent, cancel=cancel)
        gone -= {listing.listing_id for listing in still_there}
    if cancelled(cancel):
        raise OperationCancelled("Cancelled")
    relinked = store.finish(sorted(gone))
    keep_fresh_pages(store.session, store.shop_id, memo, store.now)
    forget_unseen_pages(store.session, store.shop_id, memo)
    report(progress, PHASE_SAVING, len(store.seen), len(store.seen))
    result = replace(
        _result(store.tally, len(store.seen)),
        pages_recalled=memo.recalled,
        pages_decoded=memo.decoded,
    )
    return StoredShop(result, frozenset(relinked))


def stored_listing_ids(session: Session, shop_id: int) -> tuple[list[int], list[int]]:
    """In one pass over ``etsy_products``: every listing id stored, of any shop, missing
    or not (``PageStore``'s ``known``: a listing not among them is new, with nothing
    stored to look up), and those of ``shop_id`` stored as present (``read_and_store``'s
    ``known``)."""
    present = and_(EtsyProduct.shop_id == shop_id, EtsyProduct.missing_since.is_(None))
    every: list[int] = []
    mine: list[int] = []
    for listing_id, is_present in session.execute(
        select(EtsyProduct.etsy_listing_id, present.label("present"))
    ):
        every.append(listing_id)
        if is_present:
            mine.append(listing_id)
    return every, mine


def store_listings(
    session: Session,
    shop_id: int,
    shop: ShopRead,
    *,
    now: datetime,
    import_unlinked_pools: bool = False,
) -> ListingSyncResult:
    """Write a read already in memory in the caller's transaction, a page at a time
    (benchmarks and tests; a sync streams with ``read_and_store``)."""
    store = PageStore(session, shop_id, now=now, import_unlinked_pools=import_unlinked_pools)
    listings = sorted(shop.listings, key=lambda x: x.listing_id)
    for start in range(0, len(listings), PAGE):
        store.store(listings[start : start + PAGE])
    store.finish(sorted(shop.gone))
    return _result(store.tally, len(store.seen))


def _result(tally: StoreTally, listings_read: int) -> ListingSyncResult:
    return ListingSyncResult(
        listings_read=listings_read,
        new=tally.new,
        updated=tally.updated,
        missing=tuple(tally.missing),
        returned=tuple(sorted(tally.returned)),
        pools=tally.pools,
        pools_removed=tally.pools_removed,
        linked=tally.linked,
        links_dropped=tally.dropped,
        imported_products=tally.imported_products,
        imported_variants=tally.imported_variants,
        link_problems=tuple(tally.all_problems()),
        unchanged=tally.unchanged,
        in_step=tally.in_step,
    )
