"""Which listings of a page a repeat ``sync all`` may leave alone: read, unchanged, in step.

Why: a repeat ``sync all`` reads the whole shop again, and parsing, comparing,
storing and planning thousands of listings that nothing happened to cost most
of its CPU.  A listing is *in step* when all of this holds, checked in one
query per page at the moment the page is stored:

* Etsy sent it with the digest stored from the last read that stored it
  (``etsy.reads.records``; ``save_write_ahead`` and every other writer of
  Etsy-side columns clear the digest, so a stored digest always describes the
  stored rows);
* it is present, has no error, no write in flight, no offering disabled and no
  deactivation by EtsySync, and no Etsy sale an earlier write erased is
  waiting to be counted;
* auto-linking has nothing to do: every pool is linked, unlinked by the seller
  on purpose, or (unless the run imports unlinked pools) has no SKU at all or a
  SKU shared with another pool of the listing or one this read has already
  seen on another listing (problems auto-linking reports again, and does not
  act on); the listing's stored ``link_problem`` is exactly the one those
  pools give, and the problems are reported again from the stored pools; a
  link made by SKU still matches its variant's SKU (else auto-linking would
  drop it);
* every linked pool is ``ok`` with both bases set and both sides still hold
  their bases (a pool at 0 only when Etsy holds 0 too).  Those are the
  conditions under which deciding the pool gives "no change" and the listing
  edit writes nothing: ``put_builder`` leaves a pool Etsy already holds at 0 as
  it is, and a listing whose every linked pool is at 0 was either left to sell
  out or deactivated (a pool status or flag that keeps it on the full path), or
  is not active (nothing to do).

Such a listing's full treatment would store exactly the rows it has and plan
nothing (each pool decides "no change", no zero-stock rule applies), so it is
only stamped as read.  Anything outside this (a sold-out variation, a conflict,
a clamp, a first link) simply takes the full path: the test is conservative,
never clever.  ``tests/sync/in_step_shadow.py`` checks the claim by
running the full planner on every listing skipped in a randomized soak.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    false,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, EtsyTransaction, ProductVariant
from etsysync_gui.db.sql_helpers import same_shop, table_of
from etsysync_gui.sync.listings.autolink import (
    DUPLICATE_SKU,
    NO_SKU,
    NO_SKU_DETAIL,
    PROBLEM_ORDER,
    SOURCE_SKU,
    SOURCE_UNLINKED,
    LinkProblem,
    duplicate_detail,
)

LISTINGS = table_of(EtsyProduct)
POOLS = table_of(EtsyStockPool)
VARIANTS = table_of(ProductVariant)
SALES = table_of(EtsyTransaction)
KNOWN_PROBLEMS = (None, NO_SKU, DUPLICATE_SKU)
EMPTY_DISABLED_TEXT = (None, "[]", "null")  # ``disabled_by_us`` as stored when empty


class StoredPool(NamedTuple):
    """A pool of a listing that may be left as stored: what the run's counts, SKU checks
    and link problems need."""

    listing_id: int
    pool_key: str
    label: str
    sku: str | None
    local_variant_id: int | None
    link_source: str | None

    def problem(
        self, title: str | None, shared: Collection[str], *, may_stay_unlinked: bool
    ) -> LinkProblem:
        """The problem auto-linking reports again for this pool, not linked; raises
        ``_Moves`` when auto-linking could act on it (see the module notes)."""
        title = title or ""
        if self.sku is None and may_stay_unlinked:
            return LinkProblem(
                self.listing_id, title, self.pool_key, self.label, None, NO_SKU, NO_SKU_DETAIL
            )
        if self.sku is not None and may_stay_unlinked and self.sku.casefold() in shared:
            detail = duplicate_detail(self.sku)
            return LinkProblem(
                self.listing_id, title, self.pool_key, self.label, self.sku, DUPLICATE_SKU, detail
            )
        raise _Moves


class _Moves(Exception):
    """Auto-linking could change this pool: its listing takes the full path."""


class InStep(NamedTuple):
    """The page's listings left as stored, with their pools and the problems they keep."""

    ids: frozenset[int]
    pools: list[StoredPool]
    problems: list[LinkProblem]


def in_step(
    session: Session,
    shop_id: int,
    digests: dict[int, int],
    *,
    duplicated: Collection[str],
    may_stay_unlinked: bool,
) -> InStep:
    """Which listings of a page (``digests``: id -> digest as read) are in step.

    ``duplicated``: casefolded SKUs this read has already seen on more than one
    listing (a SKU on several pools of the listing itself is shared too);
    ``may_stay_unlinked``: pools with no SKU or a shared one may stay unlinked
    (not when the run imports unlinked pools).
    """
    stored, by_listing = _candidates(session, shop_id, digests)
    ids: set[int] = set()
    pools: list[StoredPool] = []
    problems: list[LinkProblem] = []
    for lid in sorted(stored):
        own = by_listing.get(lid, [])
        try:
            kept = _problems(own, stored[lid].title, duplicated, may_stay_unlinked)
        except _Moves:
            continue
        if _worst(kept) != stored[lid].link_problem:
            continue  # the stored summary is not what these pools give: the full path fixes it
        ids.add(lid)
        pools.extend(own)
        problems.extend(kept)
    return InStep(frozenset(ids), pools, problems)


def _problems(
    own: Sequence[StoredPool], title: str | None, duplicated: Collection[str], may_stay: bool
) -> list[LinkProblem]:
    """The link problems the listing's pools keep (``_Moves`` if auto-linking could act)."""
    loose = [p for p in own if p.local_variant_id is None and p.link_source != SOURCE_UNLINKED]
    if not loose:
        return []
    skus = Counter(p.sku.casefold() for p in own if p.sku)
    shared = {sku for sku, uses in skus.items() if uses > 1} | (skus.keys() & duplicated)
    return [p.problem(title, shared, may_stay_unlinked=may_stay) for p in loose]


def _worst(problems: Sequence[LinkProblem]) -> str | None:
    kinds = {p.problem for p in problems}
    return next((kind for kind in PROBLEM_ORDER if kind in kinds), None)


class _Candidate(NamedTuple):
    digest: int
    link_problem: str | None
    title: str | None


def _candidates(
    session: Session, shop_id: int, digests: dict[int, int]
) -> tuple[dict[int, _Candidate], dict[int, list[StoredPool]]]:
    """The listings of ``digests`` stored with the digest read whose own columns, linked
    pools and sales ledger allow leaving them as stored (see the module notes), and
    their stored pools in the order they were stored.

    Only the page's ids and the two ``NOT EXISTS`` are left to SQL: an equality on
    an indexed column such as ``sync_status`` made SQLite scan that index (every
    listing of the shop) instead of looking up the page's 100 ids; the listing's
    own columns are checked here instead.  One statement gives both the listings
    and their pools (a row per pool): two cost a third more.
    """
    params = {"shop_id": shop_id, "ids": list(digests)}
    stored: dict[int, _Candidate] = {}
    pools: dict[int, list[StoredPool]] = {}
    turned_down: set[int] = set()
    # Unpacked by position: a page gives about 300 rows, and a Row's by-name lookups
    # were a third of this function's time on a repeat sync.
    for (
        lid,
        digest,
        problem,
        title,
        *own,
        key,
        label,
        sku,
        variant,
        source,
    ) in session.connection().execute(_CANDIDATE_POOLS, params):
        if lid in turned_down:
            continue
        if lid not in stored:
            if digest is None or digests.get(lid) != digest or not _may_be_left(problem, *own):
                turned_down.add(lid)
                continue
            stored[lid] = _Candidate(digest, problem, title)
            pools[lid] = []
        if key is not None:
            pools[lid].append(StoredPool(lid, key, label, sku, variant, source))
    return stored, pools


def _may_be_left(
    link_problem: str | None,
    disabled_by_us: str | None,
    present: bool,
    no_error: bool,
    sync_status: str | None,
    no_write: bool,
    deactivated_by_etsysync: bool,
) -> bool:
    """The listing's own columns allow leaving it as stored (see the module notes);
    the arguments come in ``_LEFT_ALONE``'s column order, after the title."""
    return bool(
        link_problem in KNOWN_PROBLEMS
        and present
        and no_error
        and sync_status == "synced"
        and no_write
        and not deactivated_by_etsysync
        and disabled_by_us in EMPTY_DISABLED_TEXT
    )


def _linked_pool_out_of_step() -> Select[Any]:
    """A linked pool of the listing that keeps it on the full path (see the module notes)."""
    quantity = VARIANTS.c.quantity
    return (
        select(POOLS.c.id)
        .select_from(POOLS.outerjoin(VARIANTS, VARIANTS.c.id == POOLS.c.local_variant_id))
        .where(
            POOLS.c.etsy_listing_id == LISTINGS.c.etsy_listing_id,
            POOLS.c.local_variant_id.is_not(None),
            or_(
                VARIANTS.c.id.is_(None),
                POOLS.c.status != "ok",
                POOLS.c.base_local.is_(None),
                POOLS.c.base_etsy.is_(None),
                POOLS.c.etsy_quantity.is_(None),
                quantity != POOLS.c.base_local,
                POOLS.c.etsy_quantity != POOLS.c.base_etsy,
                and_(quantity == 0, POOLS.c.etsy_quantity != 0),  # a write would take Etsy to 0
                and_(
                    POOLS.c.link_source == SOURCE_SKU,
                    or_(
                        VARIANTS.c.sku.is_(None),
                        POOLS.c.sku.is_(None),
                        VARIANTS.c.sku != POOLS.c.sku,
                    ),
                ),
            ),
        )
        .correlate(LISTINGS)
    )


def _sale_to_count() -> Select[Any]:
    """An Etsy sale an earlier write erased, not yet counted (``sync.ledger``)."""
    return (
        select(SALES.c.transaction_id)
        .where(
            SALES.c.etsy_listing_id == LISTINGS.c.etsy_listing_id,
            SALES.c.overwritten_by.is_not(None),
            SALES.c.applied_run_id.is_(None),
            SALES.c.canceled == false(),
        )
        .correlate(LISTINGS)
    )


# Built once: a page's lookup only binds its ids (``expanding``), so SQLAlchemy neither
# rebuilds nor re-keys the statement 50 times a run.
_LEFT_ALONE = (
    select(
        LISTINGS.c.etsy_listing_id,
        LISTINGS.c.etsy_digest,
        LISTINGS.c.link_problem,
        LISTINGS.c.title,
        # As stored, not decoded: only "is anything disabled" matters here.
        cast(LISTINGS.c.disabled_by_us, Text).label("disabled_by_us"),
        LISTINGS.c.missing_since.is_(None).label("present"),
        LISTINGS.c.sync_error.is_(None).label("no_error"),
        LISTINGS.c.sync_status,
        LISTINGS.c.pending_write.is_(None).label("no_write"),
        LISTINGS.c.deactivated_by_etsysync,
    )
    .where(
        same_shop(LISTINGS.c.shop_id, bindparam("shop_id", type_=BigInteger)),
        LISTINGS.c.etsy_listing_id.in_(bindparam("ids", expanding=True)),
        not_(exists(_linked_pool_out_of_step())),
        not_(exists(_sale_to_count())),
    )
    .cte("left_alone")
)
_CANDIDATE_POOLS = (
    select(
        _LEFT_ALONE,
        POOLS.c.pool_key,
        POOLS.c.label,
        POOLS.c.sku,
        POOLS.c.local_variant_id,
        POOLS.c.link_source,
    )
    .select_from(
        _LEFT_ALONE.outerjoin(POOLS, POOLS.c.etsy_listing_id == _LEFT_ALONE.c.etsy_listing_id)
    )
    .order_by(_LEFT_ALONE.c.etsy_listing_id, POOLS.c.id)
)
