"""A shadow of the in-step fast path: every listing it leaves alone also takes the full path.

Why: ``sync.listings.in_step`` claims that a listing read with its stored digest,
whose links and stock have not moved, would be stored exactly as it is and
planned to do nothing.  Our own fake agreeing with our own condition proves
little; so in a randomized run every skipped listing is parsed anyway and
put through the real auto-linking, row building and planning (writing
nothing), and any difference fails the test with the listing's id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from etsysync_gui.etsy.models import Listing
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.sync.inventory.planning import decide_listing
from etsysync_gui.sync.inventory.states import load_states
from etsysync_gui.sync.listings.pages import (
    PageStore,
    PreparedPage,
    StoredPage,
    _pool_rows,
    link_by_sku,
)
from etsysync_gui.sync.listings.rows import listing_row, read_listing
from etsysync_gui.sync.listings.store import stored_pools
from etsysync_gui.sync.listings.unchanged import stored_listings, unchanged_listings
from etsysync_gui.sync.options import SyncOptions


@dataclass
class InStepShadow:
    """Counts the listings checked; raises ``AssertionError`` on the first that differs."""

    options: SyncOptions
    checked: int = 0
    pages: int = 0
    seen: set[int] = field(default_factory=set)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> InStepShadow:
        real_prepare, real_write = PageStore.prepare, PageStore.write
        shadow = self
        items: list[Listing | ListingRecord] = []

        def prepare(
            self: PageStore,
            page: Sequence[Listing | ListingRecord],
            *,
            settle: Callable[[], None],
        ) -> PreparedPage:
            items[:] = page
            return real_prepare(self, page, settle=settle)

        def write(self: PageStore, prepared: PreparedPage) -> StoredPage:
            page = real_write(self, prepared)
            if page.in_step:
                self.settle_writes()  # the check reads what the page wrote
                records = [x for x in items if x.listing_id in page.in_step]
                shadow.check(self, [x.parse() for x in records if isinstance(x, ListingRecord)])
            return page

        monkeypatch.setattr(PageStore, "prepare", prepare)
        monkeypatch.setattr(PageStore, "write", write)
        return self

    def check(self, store: PageStore, listings: Sequence[Listing]) -> None:
        """The full path for ``listings``, without writing: no link, row or plan change."""
        session, shop_id = store.session, store.shop_id
        reads = [read_listing(x) for x in sorted(listings, key=lambda x: x.listing_id)]
        ids = [r.listing_id for r in reads]
        existing, prints = stored_pools(session, shop_id, ids)
        links = link_by_sku(session, reads, existing, set(), duplicated=store.skus.duplicated)
        assert not links.link_rows, f"in-step listings would be linked anew: {links.link_rows}"
        problems = links.listing_problems_by_id()
        rows = [
            listing_row(r, shop_id=shop_id, link_problem=problems.get(r.listing_id), now=store.now)
            for r in reads
        ]
        pool_rows = {r.listing_id: _pool_rows(r, store.now) for r in reads}
        stored = stored_listings(session, shop_id, ids).prints
        same = unchanged_listings(rows, pool_rows, stored, prints)
        assert same == set(ids), f"in-step listings whose rows would change: {set(ids) - same}"
        by_id = {r.listing_id: r for r in reads}
        for lid, state in load_states(session, shop_id, ids).items():
            read = by_id[lid]
            plan = decide_listing(
                state,
                read.listing.inventory,
                self.options,
                missing_means_gone=False,
                known_pools=read.stock_pools,
            )
            assert plan.error is None, (lid, plan.error)
            assert not plan.etsy_write, (lid, plan.notes, plan.put_body)
            assert not plan.needs_commit, (lid, [p.reason for p in plan.pools])
        self.checked += len(ids)
        self.seen.update(ids)
        self.pages += 1
