"""Linking Etsy stock pools to local variants by SKU, during the listing sync.

Rules (why each one):

* Only pools with no link are linked automatically (``link_source`` NULL).  A
  link the seller made by hand is never touched, and a pool the seller
  unlinked on purpose (``link_source`` 'unlinked') stays unlinked; otherwise
  the next listing sync would undo their choice.
* The SKU must match ``product_variants.sku`` exactly.  A SKU used by more than
  one pool in the shop (compared case-insensitively, like ``pools``) is never
  linked automatically (``duplicate_sku``): two pools drawing on one local
  stock would each apply the same local sale.  For the same reason a variant
  already linked to another pool is not linked again.
* A link made by SKU follows the SKU: when the pool's SKU changes on Etsy or no
  longer matches the variant, the link is dropped (bases cleared) and the pool
  is linked afresh if its new SKU matches.
* A new link starts without bases (``first_truth`` 'etsy'), so its first
  inventory sync takes Etsy's stock as the starting point unless both sides
  already agree.

What could not be linked is reported per pool and summarised per listing in
``etsy_products.link_problem``: ``ambiguous`` > ``duplicate_sku`` > ``no_match`` >
``no_sku`` (the most serious problem of the listing wins).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from etsysync_gui.sync.listings.rows import ReadListing, ReadPool

NO_SKU = "no_sku"
DUPLICATE_SKU = "duplicate_sku"
NO_MATCH = "no_match"
AMBIGUOUS = "ambiguous"
PROBLEM_ORDER = (AMBIGUOUS, DUPLICATE_SKU, NO_MATCH, NO_SKU)
SOURCE_SKU = "sku"
SOURCE_MANUAL = "manual"
SOURCE_UNLINKED = "unlinked"
NO_SKU_DETAIL = "this stock pool has no single SKU on Etsy"


def duplicate_detail(sku: str) -> str:
    return f"SKU {sku} is used by several stock pools on Etsy"


PoolId = tuple[int, str]


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """Why a pool (or a whole listing, ``pool_key`` None) could not be linked."""

    listing_id: int
    title: str
    pool_key: str | None
    label: str | None
    sku: str | None
    problem: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "listing_id": self.listing_id,
            "title": self.title,
            "pool_key": self.pool_key,
            "label": self.label,
            "sku": self.sku,
            "problem": self.problem,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class ExistingPool:
    id: int
    local_variant_id: int | None
    link_source: str | None


@dataclass(frozen=True, slots=True)
class VariantRef:
    id: int
    product_id: int


@dataclass(slots=True)
class LinkOutcome:
    """What the listing sync must write for links, built in memory first.

    ``link_rows``: full link updates (``v_`` + column name: variant, source,
    first_truth, bases, status, message) keyed ``b_lid``/``b_key``; ``problems``: pools left
    unlinked, by pool; ``linked``: how many pools were newly linked by SKU;
    ``products``: the product of each variant a link row links.
    """

    link_rows: list[dict[str, Any]] = field(default_factory=list)
    problems: dict[PoolId, LinkProblem] = field(default_factory=dict)
    listing_problems: list[LinkProblem] = field(default_factory=list)
    unlinkable: list[tuple[ReadListing, ReadPool]] = field(default_factory=list)
    products: dict[int, int] = field(default_factory=dict)
    linked: int = 0
    dropped: int = 0

    def add_link(
        self, pool: PoolId, variant_id: int | None, source: str | None, base: int | None = None
    ) -> None:
        self.link_rows.append(
            {
                "b_lid": pool[0],
                "b_key": pool[1],
                "v_local_variant_id": variant_id,
                "v_link_source": source,
                "v_first_truth": "etsy",
                "v_base_local": base,
                "v_base_etsy": base,
                "v_status": "ok" if variant_id is not None else "unlinked",
                "v_message": None,
            }
        )

    def all_problems(self) -> list[LinkProblem]:
        return self.listing_problems + list(self.problems.values())

    def listing_problems_by_id(self) -> dict[int, str]:
        """The most serious problem of each listing that has one (see the module notes)."""
        found: dict[int, set[str]] = {}
        for problem in self.all_problems():
            found.setdefault(problem.listing_id, set()).add(problem.problem)
        return {
            listing_id: next(p for p in PROBLEM_ORDER if p in kinds)
            for listing_id, kinds in found.items()
        }


def auto_link(
    reads: Sequence[ReadListing],
    *,
    existing: Mapping[PoolId, ExistingPool],
    variants: Mapping[str, VariantRef],
    claimed: dict[int, PoolId],
    duplicated: Collection[str] = (),
) -> LinkOutcome:
    """Decide every link change for ``reads`` (see the module rules).

    ``claimed`` maps linked variant ids to their pool; it is updated in place
    as links are dropped and made.  ``duplicated``: casefolded SKUs known to be
    used by several pools of the shop beyond ``reads`` (the pages read before).
    """
    outcome = LinkOutcome()
    uses = Counter(pool.sku.casefold() for read in reads for pool in read.pools or () if pool.sku)
    uses.update({sku: 2 for sku in duplicated if sku in uses})
    for read in reads:
        listing = read.listing
        if read.pools is None:
            if read.ambiguous:
                outcome.listing_problems.append(
                    LinkProblem(
                        listing.listing_id,
                        listing.title,
                        None,
                        None,
                        None,
                        AMBIGUOUS,
                        read.problem or "",
                    )
                )
            continue
        for pool in read.pools:
            pid = (listing.listing_id, pool.key)
            old = existing.get(pid)
            if old is not None and old.local_variant_id is not None:
                if old.link_source != SOURCE_SKU or _still_matches(pool, old, variants):
                    continue
                claimed.pop(old.local_variant_id, None)
                outcome.add_link(pid, None, None)
                outcome.dropped += 1
            elif old is not None and old.link_source == SOURCE_UNLINKED:
                continue
            problem = _problem(pool, uses, variants, claimed)
            if problem is None:
                assert pool.sku is not None
                variant = variants[pool.sku]
                claimed[variant.id] = pid
                outcome.add_link(pid, variant.id, SOURCE_SKU)
                outcome.products[variant.id] = variant.product_id
                outcome.linked += 1
                continue
            kind, detail = problem
            outcome.problems[pid] = LinkProblem(
                listing.listing_id, listing.title, pool.key, pool.label, pool.sku, kind, detail
            )
            outcome.unlinkable.append((read, pool))
    return outcome


def _still_matches(pool: ReadPool, old: ExistingPool, variants: Mapping[str, VariantRef]) -> bool:
    if pool.sku is None:
        return False
    variant = variants.get(pool.sku)
    return variant is not None and variant.id == old.local_variant_id


def _problem(
    pool: ReadPool,
    uses: Counter[str],
    variants: Mapping[str, VariantRef],
    claimed: Mapping[int, PoolId],
) -> tuple[str, str] | None:
    if pool.sku is None:
        return NO_SKU, NO_SKU_DETAIL
    if uses[pool.sku.casefold()] > 1:
        return DUPLICATE_SKU, duplicate_detail(pool.sku)
    variant = variants.get(pool.sku)
    if variant is None:
        return NO_MATCH, f"no local variant has SKU {pool.sku}"
    other = claimed.get(variant.id)
    if other is not None:
        return (
            DUPLICATE_SKU,
            f"the local variant with SKU {pool.sku} is already linked to listing {other[0]}",
        )
    return None
