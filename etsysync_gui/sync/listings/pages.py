"""Storing a shop read one page at a time: the rows, pools and links of each page.

Why per page: holding the whole shop before storing it needed memory in
proportion to the shop (about 340 MB at 30,000 listings) and left the paced
read and the local work one after the other.  ``PageStore.store`` writes one
page in the caller's transaction with the same bulk upserts and set-based
updates as before, but every lookup is for the page's listings only.  What
needs the whole shop is kept small: the ids stored (``seen``), the counts of
the result, the link problems, and the SKUs seen (``SkuSightings``).

A page arrives as unparsed records (``etsy.reads.records``).  Those that are in
step (``in_step``: same digest as stored, nothing moved) are only stamped as
read and counted from their stored pools; the rest are parsed and stored in
full.  Given the ids stored before the read (``known``), a listing stored
neither before nor by this read is new: it is not looked up for the in-step
check, nor for a stored row or pools to compare with, so a first sync's pages
ask nothing.

A page that writes more than "read at" stamps (any listing on the full path)
first calls ``confirm_writes`` (the run's lease confirmation: a run whose lease
another sync took over must stop before it writes), after the in-step check
and before its first write.  A page of in-step listings only skips it: its
stamps (``last_synced_at``) record a read that did happen and change no state,
and the confirmation was most of such a page's local work (a commit on another
connection).  On SQLite the check's reads take no lock (the driver begins a
transaction at the first write), so the confirmation never waits on this page.

A page goes in two steps: ``prepare`` (the in-step check and the parse, no
writes) and ``write``.  On PostgreSQL ``write`` sends its writes without
waiting for them (``db.pipeline``): the caller may prepare the next page while
the server runs them, and calls ``settle_writes`` before it reads the database
or commits (``run.read_and_store``).  After the first page written in full,
PostgreSQL's tables the sync fills from empty get planner statistics
(``db.planner_stats``).

Only ``finish`` marks listings missing, and only after a complete read: a read
that fails at page 37 of 50 leaves pages 1..36 stored (each page is a fact Etsy
reported) and nothing marked missing.  ``finish`` confirms the lease first too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from etsysync_gui.db import pipeline
from etsysync_gui.db.bulk import is_postgres
from etsysync_gui.db.planner_stats import analyze_unmeasured
from etsysync_gui.etsy.models import Listing
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.sync.listings import autolink
from etsysync_gui.sync.listings.autolink import ExistingPool, LinkOutcome, LinkProblem, PoolId
from etsysync_gui.sync.listings.import_unlinked import import_unlinked
from etsysync_gui.sync.listings.in_step import InStep, in_step
from etsysync_gui.sync.listings.known_ids import KnownIds
from etsysync_gui.sync.listings.late_duplicates import SkuSightings, unlink_late_duplicates
from etsysync_gui.sync.listings.rows import ReadListing, listing_row, pool_row, read_listing
from etsysync_gui.sync.listings.store import (
    mark_missing,
    new_listing_products,
    set_local_products,
    stored_pools,
    upsert_listings,
    variants_with_claims,
    write_pools,
)
from etsysync_gui.sync.listings.unchanged import (
    OldListing,
    stamp_synced,
    stored_listings,
    unchanged_listings,
)


@dataclass(slots=True)
class StoreTally:
    """The counts of a listing sync so far (``ListingSyncResult`` is made from it)."""

    new: int = 0
    updated: int = 0
    returned: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    pools: int = 0
    pools_removed: int = 0
    linked: int = 0
    dropped: int = 0
    imported_products: int = 0
    imported_variants: int = 0
    unchanged: int = 0
    in_step: int = 0  # unchanged and in step: not parsed, stored or planned (``in_step``)
    problems: dict[int, list[LinkProblem]] = field(default_factory=dict)

    def all_problems(self) -> list[LinkProblem]:
        return [problem for lid in sorted(self.problems) for problem in self.problems[lid]]


@dataclass(frozen=True, slots=True)
class PreparedPage:
    """A page checked and parsed by ``PageStore.prepare``, not written yet."""

    kept: InStep
    reads: list[ReadListing]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """What ``PageStore.store`` hands the planner: the listings read in full, and the ids
    of those left alone because they are in step (nothing to plan for them)."""

    reads: list[ReadListing]
    in_step: frozenset[int]


class PageStore:
    """Writes pages of one shop read in ``session`` (the caller commits; see the module notes)."""

    def __init__(
        self,
        session: Session,
        shop_id: int,
        *,
        now: datetime,
        import_unlinked_pools: bool,
        confirm_writes: Callable[[], None] | None = None,
        known: Iterable[int] | None = None,
    ) -> None:
        self.session = session
        # Every listing id stored before the read, of any shop, missing or not
        # (``stored_listing_ids``), if given: only those and the ones this read stored
        # can be in step, or have a stored row and pools to compare with.
        self.known = KnownIds(known) if known is not None else None
        self.confirm_writes = confirm_writes
        self.shop_id = shop_id
        self.now = now
        self.import_unlinked_pools = import_unlinked_pools
        self.seen: set[int] = set()
        self.tally = StoreTally()
        self.skus = SkuSightings()
        self._measured = False
        self._wrote = False  # a page was written in full (``settle_writes``)
        self._in_flight: pipeline.InFlight | None = None

    def store(self, items: Sequence[Listing | ListingRecord]) -> StoredPage:
        """Write one page; the listings as read (with their pools) for the caller's plan,
        and the ids of those left alone because they are in step (``in_step``)."""
        page = self.write(self.prepare(items, settle=self.settle_writes))
        self.settle_writes()
        return page

    def prepare(
        self, items: Sequence[Listing | ListingRecord], *, settle: Callable[[], None]
    ) -> PreparedPage:
        """The page's in-step check and parse, writing nothing: what ``write`` stores.

        ``settle`` is called before the in-step check reads the database (it must
        finish an earlier page's writes first); a page of listings none of which
        may be in step reads nothing, so its parse overlaps the earlier writes."""
        kept = self._in_step(items, settle)
        full = [x for x in items if x.listing_id not in kept.ids]
        listings = [x if isinstance(x, Listing) else x.parse() for x in full]
        reads = [read_listing(x) for x in sorted(listings, key=lambda x: x.listing_id)]
        self.skus.see(reads, [(pool.listing_id, pool.sku) for pool in kept.pools])
        return PreparedPage(kept, reads)

    def write(self, prepared: PreparedPage) -> StoredPage:
        """Store a prepared page; its writes may still be in flight (``settle_writes``
        before reading the database or committing)."""
        kept, reads = prepared.kept, prepared.reads
        if reads and self.confirm_writes is not None:
            self.confirm_writes()
        try:
            if reads:
                self._store_reads(reads)
            if kept.ids:
                self._send_writes()
                stamp_synced(self.session, sorted(kept.ids), self.now)
                self._count_in_step(kept)
        except BaseException as exc:
            if self._in_flight is not None:
                self._in_flight.abandon(exc)
                self._in_flight = None
            raise
        return StoredPage(reads, kept.ids)

    @property
    def sends_ahead(self) -> bool:
        """Whether ``write`` leaves writes in flight (PostgreSQL): worth settling late."""
        return is_postgres(self.session)

    def settle_writes(self) -> None:
        """Wait for the writes in flight (raising their error); after the first page
        written in full, give the tables planner statistics (``db.planner_stats``)."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.settle()
        if self._wrote and not self._measured:
            analyze_unmeasured(self.session)
            self._measured = True

    def _send_writes(self) -> None:
        """From here on the page only writes: send without waiting (``db.pipeline``)."""
        if self._in_flight is None:
            self._in_flight = pipeline.begin(self.session)

    def may_be_stored(self, listing_id: int) -> bool:
        """False when ``listing_id`` has no row: it was not stored before the read
        (``known``) nor by this read, so it is new (not in step, nothing to compare)."""
        return self.known is None or listing_id in self.known or listing_id in self.seen

    def _in_step(
        self, items: Sequence[Listing | ListingRecord], settle: Callable[[], None]
    ) -> InStep:
        """The page's records that are in step (see ``in_step``); no query for a page of
        listings none of which may be (a first sync's pages)."""
        digests = {
            x.listing_id: x.digest
            for x in items
            if isinstance(x, ListingRecord) and self.may_be_stored(x.listing_id)
        }
        if not digests:
            return InStep(frozenset(), [], [])
        settle()
        return in_step(
            self.session,
            self.shop_id,
            digests,
            duplicated=self.skus.duplicated,
            may_stay_unlinked=not self.import_unlinked_pools,
        )

    def _store_reads(self, reads: Sequence[ReadListing]) -> None:
        """The full path: rows, pools and links of the listings read (see the module notes)."""
        ids = [r.listing_id for r in reads]
        # A first sync's pages hold only new listings: nothing stored to look up.
        maybe = [i for i in ids if self.may_be_stored(i)]
        stored = stored_listings(self.session, self.shop_id, maybe)
        old = stored.old
        existing, stored_prints = stored_pools(self.session, self.shop_id, maybe)
        vanished, vanished_pools = _vanished_pools(reads, existing)
        links = self._auto_link(reads, existing, vanished_pools)
        if self.import_unlinked_pools:
            products = {lid: row.local_product_id for lid, row in old.items()}
            imported = import_unlinked(self.session, links, listing_products=products)
            self.tally.imported_products += imported.products
            self.tally.imported_variants += imported.variants
        problems = links.listing_problems_by_id()
        settled = new_listing_products([i for i in ids if i not in stored.present], links)
        rows = [
            listing_row(
                r, shop_id=self.shop_id, link_problem=problems.get(r.listing_id), now=self.now
            )
            # Inserted with its product (existing listings keep theirs: not an update column).
            | {"local_product_id": settled.get(r.listing_id)}
            for r in reads
        ]
        pool_rows = {r.listing_id: _pool_rows(r, self.now) for r in reads}
        same = unchanged_listings(rows, pool_rows, stored.prints, stored_prints)
        self._send_writes()
        self._wrote = True
        upsert_listings(self.session, [row for row in rows if row["etsy_listing_id"] not in same])
        stamp_synced(self.session, sorted(same), self.now)
        changed = [rows for lid, rows in pool_rows.items() if rows and lid not in same]
        write_pools(
            self.session, [row for rows in changed for row in rows], vanished, links, self.now
        )
        set_local_products(self.session, self.shop_id, [i for i in ids if i not in settled])
        self._count(reads, old, pool_rows, same, links, len(vanished))

    def finish(self, gone: Sequence[int]) -> set[int]:
        """After a complete read: mark ``gone`` missing and settle SKUs found shared late.

        Returns the listings whose links changed here (their plan must be made again).
        The lease is confirmed first: no page's confirmation covers these writes.
        """
        if self.confirm_writes is not None:
            self.confirm_writes()
        self.tally.missing = sorted(gone)
        mark_missing(self.session, self.tally.missing, self.now)
        changed = unlink_late_duplicates(self.session, self.skus, self.tally, self.now)
        self.skus = SkuSightings()  # settled: free the shop's SKUs before the plan is finished
        set_local_products(self.session, self.shop_id, sorted(changed))
        return changed

    def _auto_link(
        self,
        reads: Sequence[ReadListing],
        existing: Mapping[int, Mapping[PoolId, ExistingPool]],
        vanished_pools: set[PoolId],
    ) -> LinkOutcome:
        """Link pools by SKU (``link_by_sku``) and note the SKUs linked."""
        outcome = link_by_sku(
            self.session, reads, existing, vanished_pools, duplicated=self.skus.duplicated
        )
        sku_of = {(r.listing_id, p.key): p.sku for r in reads for p in r.pools or () if p.sku}
        self.skus.linked(
            (sku_of[(row["b_lid"], row["b_key"])], row["b_lid"])
            for row in outcome.link_rows
            if row["v_link_source"] == autolink.SOURCE_SKU
        )
        return outcome

    def _count_in_step(self, kept: InStep) -> None:
        """Count listings left as stored: present before, unchanged, with their stored
        pools and the link problems the full path would report again."""
        tally = self.tally
        for lid in kept.ids:
            tally.problems.pop(lid, None)  # a listing read twice keeps its last read's problems
        for problem in kept.problems:
            tally.problems.setdefault(problem.listing_id, []).append(problem)
        tally.pools += sum(1 for pool in kept.pools if pool.listing_id not in self.seen)
        for lid in sorted(kept.ids - self.seen):
            self.seen.add(lid)
            tally.updated += 1
            tally.unchanged += 1
            tally.in_step += 1

    def _count(
        self,
        reads: Sequence[ReadListing],
        old: Mapping[int, OldListing],
        pool_rows: Mapping[int, list[dict[str, Any]] | None],
        same: set[int],
        links: LinkOutcome,
        pools_removed: int,
    ) -> None:
        tally = self.tally
        for read in reads:
            lid = read.listing_id
            if lid in self.seen:
                continue  # read twice (the state changed mid-read): counted once
            self.seen.add(lid)
            previous = old.get(lid)
            tally.new += previous is None
            tally.updated += previous is not None
            if previous is not None and previous.missing_since is not None:
                tally.returned.append(lid)
            tally.pools += len(pool_rows[lid] or ())
            tally.unchanged += lid in same
        tally.pools_removed += pools_removed
        tally.linked += links.linked
        tally.dropped += links.dropped
        for read in reads:  # a listing read twice keeps the problems of its last read
            tally.problems.pop(read.listing_id, None)
        for problem in links.all_problems():
            tally.problems.setdefault(problem.listing_id, []).append(problem)


def link_by_sku(
    session: Session,
    reads: Sequence[ReadListing],
    existing: Mapping[int, Mapping[PoolId, ExistingPool]],
    vanished_pools: Collection[PoolId],
    *,
    duplicated: Collection[str],
) -> LinkOutcome:
    """What auto-linking does with a page (``autolink``), its variants looked up by the
    page's SKUs; a variant held by a vanishing pool is free to link again."""
    flat = {pid: pool for pools in existing.values() for pid, pool in pools.items()}
    skus = sorted({p.sku for r in reads for p in r.pools or () if p.sku})
    variants, claims = variants_with_claims(session, skus)
    claimed = {vid: pid for vid, pid in claims.items() if pid not in vanished_pools}
    return autolink.auto_link(
        reads, existing=flat, variants=variants, claimed=claimed, duplicated=duplicated
    )


def _vanished_pools(
    reads: Sequence[ReadListing], existing: Mapping[int, Mapping[PoolId, ExistingPool]]
) -> tuple[list[int], set[PoolId]]:
    """Stored pools a listing read no longer has: ``(row ids, pool ids)``.

    A listing whose inventory could not be read (``pools is None``) keeps its pools.
    """
    vanished: list[int] = []
    vanished_pools: set[PoolId] = set()
    for read in reads:
        if read.pools is None:
            continue
        keys = {pool.key for pool in read.pools}
        for (lid, key), pool in existing.get(read.listing_id, {}).items():
            if key not in keys:
                vanished.append(pool.id)
                vanished_pools.add((lid, key))
    return vanished, vanished_pools


def _pool_rows(read: ReadListing, now: datetime) -> list[dict[str, Any]] | None:
    """The pool rows of one listing read; ``None`` when its pools are unknown (kept)."""
    if read.pools is None:
        return None
    return [pool_row(read.listing_id, p, now=now) for p in read.pools]
