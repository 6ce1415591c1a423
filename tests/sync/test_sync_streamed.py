"""The listing sync stores each page as it arrives: what needs the whole shop still does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyServerError
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.sync.runs.lease import LeaseLost
from tests.sync.test_support import Env, make_env, simple
from tests.sync.test_sync_lease_lost import take_over

OnPage = Callable[[Sequence[ListingRecord]], None]


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def fillers(env: Env, count: int, prefix: str) -> list[int]:
    return [env.add(simple(f"{prefix}-{n}", 1)) for n in range(count)]


def test_a_sku_shared_across_pages_links_neither_pool(env: Env) -> None:
    """Etsy lists newest first: ``late`` is on page 2, ``first`` on page 1, stored before."""
    env.catalog({"SHARED": 3})
    late = env.add(simple("SHARED", 3))
    fillers(env, 99, "F")
    first = env.add(simple("shared", 3))
    service = env.service()
    result = service.sync_all("manual")
    assert result.status == "completed"
    sync = result.listing_sync
    assert sync is not None
    assert sync.listings_read == 101
    assert sync.linked == 0
    assert sync.problem_counts()["duplicate_sku"] == 2
    for listing_id in (first, late):
        (pool,) = env.pools(listing_id).values()
        assert (pool.local_variant_id, pool.link_source, pool.status) == (None, None, "unlinked")
        assert env.listing_row(listing_id).link_problem == "duplicate_sku"
        assert env.listing_row(listing_id).local_product_id is None
    assert env.calls("updateListingInventory") == 0
    assert result.plan is not None
    assert result.plan.totals.listings == 0


def test_a_read_that_fails_part_way_keeps_its_pages_and_marks_nothing_missing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = fillers(env, 150, "P")
    service = env.service()
    assert service.sync_listings("manual").status == "completed"
    gone = ids[0]  # the oldest: on the last page Etsy sends
    env.server.delete_listing(gone)
    env.server.seller_edit(ids[-1], quantity=9)  # the newest: on the first page
    env.clock.advance(60)
    real = EtsyClient.stream_listings_by_shop

    def fail_after_one_page(
        self: EtsyClient, shop_id: int, on_page: OnPage, **kwargs: object
    ) -> frozenset[int]:
        pages = 0

        def first_page_only(listings: Sequence[ListingRecord]) -> None:
            nonlocal pages
            pages += 1
            if pages > 1:
                raise EtsyServerError("Etsy failed mid-read")
            on_page(listings)

        return real(self, shop_id, first_page_only, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EtsyClient, "stream_listings_by_shop", fail_after_one_page)
    with pytest.raises(EtsyServerError):
        service.sync_listings("manual")
    assert env.runs()[-1].status == "failed"
    assert env.listing_row(ids[-1]).quantity == 9  # the page stored before the failure stays
    assert env.listing_row(ids[-1]).last_synced_at == env.clock.now
    with env.database.session() as session:
        missing = session.scalars(
            select(EtsyProduct.etsy_listing_id).where(EtsyProduct.missing_since.is_not(None))
        ).all()
    assert missing == []  # not read yet is not gone
    monkeypatch.undo()
    done = service.sync_listings("manual")
    assert done.listing_sync is not None
    assert done.listing_sync.missing == (gone,)


def test_a_dry_run_streamed_over_pages_writes_nothing(env: Env) -> None:
    fillers(env, 120, "D")
    result = env.service().sync_all("manual", dry_run=True)
    assert result.status == "completed"
    assert result.listing_sync is not None
    assert result.listing_sync.new == 120
    with env.database.session() as session:
        assert session.scalars(select(EtsyProduct.etsy_listing_id)).all() == []


def test_a_read_whose_lease_was_taken_over_stores_no_further_page(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    fillers(env, 150, "L")
    take_over_after_first_page(env, monkeypatch)
    with pytest.raises(LeaseLost):
        env.service().sync_listings("scheduled")
    with env.database.session() as session:
        stored = session.scalars(select(EtsyProduct.etsy_listing_id)).all()
    assert len(stored) == 100  # the first page only


def take_over_after_first_page(
    env: Env, monkeypatch: pytest.MonkeyPatch, then: Callable[[set[int]], None] = lambda _ids: None
) -> None:
    """After the first page is stored, another sync takes the lease over; ``then`` gets
    the first page's ids."""
    real = EtsyClient.stream_listings_by_shop
    taken: list[object] = []

    def wrapped(
        self: EtsyClient, shop_id: int, on_page: OnPage, **kwargs: object
    ) -> frozenset[int]:
        def then_take_over(listings: Sequence[ListingRecord]) -> None:
            on_page(listings)
            if not taken:
                taken.append(take_over(env))
                then({x.listing_id for x in listings})

        return real(self, shop_id, then_take_over, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(EtsyClient, "stream_listings_by_shop", wrapped)


def test_a_repeat_read_whose_lease_was_taken_over_stops_before_a_changed_listing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of in-step listings skip the per-page confirmation (``PageStore``); the
    first page with anything to write still finds the lease gone before writing."""
    env.catalog({f"R-{n}": 3 for n in range(150)})
    ids = [env.add(simple(f"R-{n}", 3)) for n in range(150)]  # one sale leaves them active
    assert env.service().sync_all("manual").status == "completed"
    bought: list[int] = []

    def buy_on_a_later_page(first_page: set[int]) -> None:
        n, lid = next((n, lid) for n, lid in enumerate(ids) if lid not in first_page)
        env.server.simulate_purchase(lid, 1, sku=f"R-{n}")
        bought.append(lid)

    take_over_after_first_page(env, monkeypatch, buy_on_a_later_page)
    with pytest.raises(LeaseLost):
        env.service().sync_all("scheduled")
    (pool,) = env.pools(bought[0]).values()
    assert pool.etsy_quantity == 3  # the sale was not stored
    assert all(env.local(f"R-{n}") == 3 for n in range(150))  # nor counted at home


def test_a_repeat_read_of_in_step_pages_whose_lease_was_taken_over_marks_nothing_missing(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.catalog({f"M-{n}": 1 for n in range(150)})
    ids = fillers(env, 150, "M")
    assert env.service().sync_all("manual").status == "completed"
    deleted: list[int] = []

    def delete_one_read(first_page: set[int]) -> None:
        deleted.append(min(first_page))
        env.server.delete_listing(deleted[0])

    take_over_after_first_page(env, monkeypatch, delete_one_read)
    with pytest.raises(LeaseLost):
        env.service().sync_all("scheduled")
    assert env.listing_row(deleted[0]).missing_since is None
    assert all(env.listing_row(lid).missing_since is None for lid in ids)
