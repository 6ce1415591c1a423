"""A repeat sync recalls the pages Etsy sends unchanged, and still sees everything that moved.

The page memo (``etsy.reads.page_memo``, kept by ``sync.listings.read_memo``)
lets a repeat ``sync all`` skip decoding pages whose body Etsy sent before.
The adversary: a sale at home on a recalled page, stored rows that no longer
match what the page says (a listing that changed and changed back), a
damaged memo, a dry run, and a read that fails.  Each run must end
exactly where a run that decoded every page would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyListingPage, EtsyProduct, EtsyStockPool
from etsysync_gui.etsy.errors import EtsyServerError
from etsysync_gui.etsy.models import LISTING_STATES
from etsysync_gui.sync.listings.run import ListingSyncResult
from etsysync_gui.sync.runs.records import RunResult
from tests.sync.test_support import Env, make_env, simple, three_listings_synced

PAGES = len(LISTING_STATES)  # three listings: one page per state


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def read(result: RunResult) -> ListingSyncResult:
    assert result.status == "completed", result.listing_errors
    assert result.listing_sync is not None
    return result.listing_sync


def remembered(env: Env) -> int:
    with env.database.session() as session:
        return session.scalar(select(func.count()).select_from(EtsyListingPage)) or 0


def test_a_repeat_sync_recalls_every_page_and_says_so(env: Env) -> None:
    three_listings_synced(env)
    assert remembered(env) >= 2  # the page of three, the empty page
    repeat = read(env.service().sync_all("manual"))
    assert (repeat.pages_recalled, repeat.pages_decoded) == (PAGES, 0)
    assert repeat.in_step == 3
    out = env.service().sync_all("manual").to_json()["listing_sync"]
    assert (out["pages_recalled"], out["pages_decoded"]) == (PAGES, 0)


def test_a_sale_at_home_on_a_recalled_page_is_parsed_from_it_and_pushed(env: Env) -> None:
    ids = three_listings_synced(env)
    env.set_local("A", 2)
    result = env.service().sync_all("manual")
    assert read(result).pages_decoded == 0
    assert read(result).in_step == 2
    assert result.counts.pushes == 1
    assert list(env.etsy(ids["A"]).values()) == [2]


def test_stored_rows_that_no_longer_match_a_recalled_page_are_rewritten(env: Env) -> None:
    """A listing that changed on Etsy and changed back: the page is one read before, but
    what is stored came from the read in between.  Simulated by altering the stored row."""
    ids = three_listings_synced(env)
    with env.database.session() as session:
        session.execute(
            update(EtsyProduct)
            .where(EtsyProduct.etsy_listing_id == ids["B"])
            .values(etsy_digest=12345, title="Old title")
        )
        session.execute(
            update(EtsyStockPool)
            .where(EtsyStockPool.etsy_listing_id == ids["B"])
            .values(etsy_quantity=1)
        )
    result = env.service().sync_all("manual")
    assert read(result).pages_decoded == 0
    assert read(result).in_step == 2
    row = env.listing_row(ids["B"])
    assert row.title != "Old title"
    assert [pool.etsy_quantity for pool in env.pools(ids["B"]).values()] == [6]
    assert result.counts.pushes == 0  # Etsy's 6 is what the catalog has
    assert read(env.service().sync_all("manual")).in_step == 3


def test_a_damaged_memo_is_read_again_and_mended(env: Env) -> None:
    ids = three_listings_synced(env)
    with env.database.session() as session:
        session.execute(update(EtsyListingPage).values(records=b"damaged"))
    env.set_local("C", 3)
    result = env.service().sync_all("manual")
    assert read(result).pages_decoded >= 2  # nothing damaged is trusted
    assert list(env.etsy(ids["C"]).values()) == [3]
    again = read(env.service().sync_all("manual"))
    assert (again.pages_recalled, again.pages_decoded) == (PAGES - 1, 1)  # C was written
    assert read(env.service().sync_all("manual")).pages_decoded == 0


def test_a_dry_run_remembers_no_page(env: Env) -> None:
    env.catalog({"A": 5})
    env.add(simple("A", 5))
    assert env.service().sync_all("manual", dry_run=True).status == "completed"
    assert remembered(env) == 0
    assert read(env.service().sync_all("manual")).pages_decoded >= 2
    assert remembered(env) >= 2


def test_a_read_that_fails_forgets_no_page(env: Env) -> None:
    three_listings_synced(env)
    before = remembered(env)
    env.server.faults.fail_next(count=50, status=503, operations=["getListingsByShop"])
    with pytest.raises(EtsyServerError):
        env.service().sync_all("manual")
    env.server.faults.clear()
    assert remembered(env) == before
    assert read(env.service().sync_all("manual")).pages_decoded == 0


def test_a_complete_read_forgets_the_pages_etsy_no_longer_sends(env: Env) -> None:
    ids = three_listings_synced(env)
    first = remembered(env)
    env.server.seller_edit(ids["A"], sku="A", price="11.00")
    edited = read(env.service().sync_all("manual"))
    assert edited.pages_decoded == 1
    assert remembered(env) == first  # the new page in, the old one out
