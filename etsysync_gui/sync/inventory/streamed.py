"""Planning ``sync all`` page by page, while the listing sync stores each page.

Why: ``sync all`` plans with the inventories its listing read has just
fetched (no second read).  Keeping every inventory until the read ended held
the whole shop in memory; instead each stored page is decided at once (in the
listing sync's transaction, so a dry run sees the links it would make) and
only the small ``ListingPlan`` is kept.  Listings the store left alone as in
step (``listings.in_step``) get no plan: deciding them would change nothing;
the plan counts them (``SyncPlan.in_step``) so the totals a seller sees stay
the same.  ``finish`` then settles what only a
complete read knows: listings confirmed gone leave the plan, linked listings
the read did not return are planned as before without an inventory, and the
few listings whose links the listing sync changed after their page (a SKU
found shared late) are decided again with their inventory read fresh.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct, EtsyStockPool
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.sync.inventory.plan_types import ListingPlan, SyncPlan
from etsysync_gui.sync.inventory.planning import decide_listing
from etsysync_gui.sync.inventory.states import ListingState, load_states
from etsysync_gui.sync.ledger.overwrites import Sale, pending_sales
from etsysync_gui.sync.listings.pages import StoredPage
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.progress import PHASE_PLANNING, Progress, report

SOURCE = "listing_sync"


class StreamPlanner:
    """Collects the plan of each stored page (see the module notes)."""

    def __init__(self, options: SyncOptions, *, now: datetime) -> None:
        self.options = options
        self.now = now
        self.plans: dict[int, ListingPlan] = {}
        self.in_step: set[int] = set()
        self._pending: Mapping[tuple[int, str], tuple[Sale, ...]] | None = None

    def _states(self, session: Session, ids: Collection[int]) -> dict[int, ListingState]:
        return load_states(session, self.options.shop_id, sorted(ids), erased=self._erased(session))

    def _erased(self, session: Session) -> Mapping[tuple[int, str], tuple[Sale, ...]]:
        """The shop's erased sales, read once: nothing counts them before the plan is
        applied, so every page's states use the same (``sync.ledger``)."""
        if self._pending is None:
            self._pending = pending_sales(session, self.options.shop_id)
        return self._pending

    def add(self, session: Session, page: StoredPage) -> None:
        """Decide the linked listings of one stored page with the inventories just read;
        note those left alone as in step (their plan would change nothing)."""
        for lid in page.in_step:
            self.plans.pop(lid, None)  # read twice: the later read counts
        self.in_step |= page.in_step
        by_id = {read.listing_id: read for read in page.reads}
        self.in_step -= by_id.keys()
        if not by_id:
            return
        for lid, state in self._states(session, by_id).items():
            read = by_id[lid]
            self.plans[lid] = decide_listing(
                state,
                read.listing.inventory,
                self.options,
                missing_means_gone=False,
                known_pools=read.stock_pools,
            )

    def finish(
        self,
        session: Session,
        client: EtsyClient,
        *,
        gone: Collection[int],
        relinked: Collection[int],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncPlan:
        """The plan after a complete read and store (see the module notes)."""
        for lid in gone:
            self.plans.pop(lid, None)
        self.in_step -= {*gone, *relinked}
        linked = _linked_listings(session, self.options.shop_id)
        unread = linked - self.plans.keys() - self.in_step
        for lid, state in self._states(session, unread).items():
            self.plans[lid] = decide_listing(state, None, self.options, missing_means_gone=False)
        if relinked:
            for lid in relinked:
                self.plans.pop(lid, None)
            states = self._states(session, relinked)
            fresh = client.get_inventories_by_listing_ids(sorted(states), cancel=cancel)
            for lid, state in states.items():
                self.plans[lid] = decide_listing(state, fresh.get(lid), self.options)
        report(progress, PHASE_PLANNING, len(self.plans), len(self.plans))
        return SyncPlan.build(
            shop_id=self.options.shop_id,
            created_at=self.now,
            policy=self.options.conflict_policy,
            zero_stock_policy=self.options.zero_stock_policy,
            source=SOURCE,
            listings=tuple(self.plans[lid] for lid in sorted(self.plans)),
            in_step=len(self.in_step & linked),
        )


def _linked_listings(session: Session, shop_id: int) -> set[int]:
    """Ids of the shop's present listings with at least one linked pool."""
    query = (
        select(EtsyStockPool.etsy_listing_id)
        .join(EtsyProduct, EtsyProduct.etsy_listing_id == EtsyStockPool.etsy_listing_id)
        .where(
            EtsyProduct.shop_id == shop_id,
            EtsyProduct.missing_since.is_(None),
            EtsyStockPool.local_variant_id.is_not(None),
        )
        .distinct()
    )
    return set(session.scalars(query))
