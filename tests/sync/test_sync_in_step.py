"""A repeat ``sync all`` leaves in-step listings alone, and anything that moved still syncs.

The fast path (``sync.listings.in_step``) skips listings Etsy sent unchanged
whose links and stock did not move.  These tests put the adversary next to
it: a sale at home, a buyer on Etsy, a seller's edit on etsy.com, a SKU
renamed in the catalog, a policy switched, and EtsySync's own write.  Each
must be seen by the run after it, exactly as without the fast path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import ProductVariant
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.sync.runs.records import RunResult
from tests.sync.test_support import Env, make_env, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def shop(env: Env) -> dict[str, int]:
    """Three simple listings linked by SKU and synced once (bases set)."""
    env.catalog({"A": 5, "B": 6, "C": 7})
    ids = {sku: env.add(simple(sku, quantity)) for sku, quantity in (("A", 5), ("B", 6), ("C", 7))}
    first = env.service().sync_all("manual")
    assert first.status == "completed"
    assert first.listing_sync is not None
    assert first.listing_sync.in_step == 0
    return ids


def in_step(result: RunResult) -> int:
    assert result.status == "completed", result.listing_errors
    assert result.listing_sync is not None
    assert result.plan is not None
    assert result.plan.in_step <= result.listing_sync.in_step
    return result.listing_sync.in_step


def test_a_repeat_run_skips_in_step_listings_and_says_so_with_the_same_totals(
    env: Env,
) -> None:
    shop(env)
    puts = env.calls("updateListingInventory")
    repeat = env.service().sync_all("manual")
    assert in_step(repeat) == 3
    assert repeat.plan is not None
    assert repeat.plan.in_step == 3
    assert repeat.plan.totals.listings == 3  # what the seller sees does not shrink
    assert repeat.counts.listings == 3
    out = repeat.to_json()
    assert out["listing_sync"]["in_step_skipped"] == 3
    assert out["listing_sync"]["unchanged_skipped"] == 3
    assert json.loads(json.dumps(out))["plan"]["in_step_skipped"] == 3
    assert env.calls("updateListingInventory") == puts


def test_a_sale_at_home_between_runs_is_pushed(env: Env) -> None:
    ids = shop(env)
    env.set_local("A", 2)
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert list(env.etsy(ids["A"]).values()) == [2]
    assert result.counts.pushes == 1


def test_a_buyer_on_etsy_between_runs_is_pulled(env: Env) -> None:
    ids = shop(env)
    env.server.simulate_purchase(ids["B"], 2, sku="B")
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert env.local("B") == 4
    assert result.counts.pulls == 1


def test_a_sellers_edit_on_etsy_is_read_and_stored(env: Env) -> None:
    ids = shop(env)
    env.server.seller_edit(ids["C"], sku="C", price="42.00")
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    (pool,) = env.pools(ids["C"]).values()
    assert pool.price == 42


def test_etsysyncs_own_write_clears_the_digest_until_the_next_read(env: Env) -> None:
    ids = shop(env)
    env.set_local("A", 1)
    pushed = env.service().sync_all("manual")
    assert pushed.counts.pushes == 1
    assert env.listing_row(ids["A"]).etsy_digest is None  # Etsy changed after the read
    again = env.service().sync_all("manual")
    assert in_step(again) == 2  # A read in full and its new digest stored
    assert env.listing_row(ids["A"]).etsy_digest is not None
    assert in_step(env.service().sync_all("manual")) == 3


def test_a_sku_renamed_in_the_catalog_drops_the_link_as_before(env: Env) -> None:
    ids = shop(env)
    with env.database.session() as session:
        session.execute(update(ProductVariant).where(ProductVariant.sku == "A").values(sku="A2"))
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert result.listing_sync is not None
    assert result.listing_sync.links_dropped == 1
    (pool,) = env.pools(ids["A"]).values()
    assert pool.local_variant_id is None


def test_a_pool_unlinked_by_hand_is_read_in_full(env: Env) -> None:
    ids = shop(env)
    env.service().unlink(ids["B"])
    result = env.service().sync_all("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.in_step == 3  # unlinked on purpose: nothing for auto-linking
    assert result.plan is not None
    assert result.plan.totals.listings == 2


def test_a_conflict_left_for_the_seller_is_decided_again_each_run(env: Env) -> None:
    ids = shop(env)
    env.set_local("A", 3)
    env.server.simulate_purchase(ids["A"], 1, sku="A")
    first = env.service(conflict_policy=ConflictPolicy.SKIP).sync_all("manual")
    assert first.counts.conflicts == 1
    second = env.service(conflict_policy=ConflictPolicy.SKIP).sync_all("manual")
    assert in_step(second) == 2  # the conflict stays on the full path
    assert second.counts.conflicts == 1
