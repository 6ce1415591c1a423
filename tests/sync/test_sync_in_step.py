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
from sqlalchemy import event, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import ProductVariant
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.sync.runs.records import RunResult
from tests.sync.test_support import Env, make_env, one_property, simple, three_listings_synced


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def in_step(result: RunResult) -> int:
    assert result.status == "completed", result.listing_errors
    assert result.listing_sync is not None
    assert result.plan is not None
    assert result.plan.in_step <= result.listing_sync.in_step
    return result.listing_sync.in_step


def test_a_repeat_run_skips_in_step_listings_and_says_so_with_the_same_totals(
    env: Env,
) -> None:
    three_listings_synced(env)
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
    ids = three_listings_synced(env)
    env.set_local("A", 2)
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert list(env.etsy(ids["A"]).values()) == [2]
    assert result.counts.pushes == 1


def test_a_buyer_on_etsy_between_runs_is_pulled(env: Env) -> None:
    ids = three_listings_synced(env)
    env.server.simulate_purchase(ids["B"], 2, sku="B")
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert env.local("B") == 4
    assert result.counts.pulls == 1


def test_a_sellers_edit_on_etsy_is_read_and_stored(env: Env) -> None:
    ids = three_listings_synced(env)
    env.server.seller_edit(ids["C"], sku="C", price="42.00")
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    (pool,) = env.pools(ids["C"]).values()
    assert pool.price == 42


def test_etsysyncs_own_write_clears_the_digest_until_the_next_read(env: Env) -> None:
    ids = three_listings_synced(env)
    env.set_local("A", 1)
    pushed = env.service().sync_all("manual")
    assert pushed.counts.pushes == 1
    assert env.listing_row(ids["A"]).etsy_digest is None  # Etsy changed after the read
    again = env.service().sync_all("manual")
    assert in_step(again) == 2  # A read in full and its new digest stored
    assert env.listing_row(ids["A"]).etsy_digest is not None
    assert in_step(env.service().sync_all("manual")) == 3


def test_a_sku_renamed_in_the_catalog_drops_the_link_as_before(env: Env) -> None:
    ids = three_listings_synced(env)
    with env.database.session() as session:
        session.execute(update(ProductVariant).where(ProductVariant.sku == "A").values(sku="A2"))
    result = env.service().sync_all("manual")
    assert in_step(result) == 2
    assert result.listing_sync is not None
    assert result.listing_sync.links_dropped == 1
    (pool,) = env.pools(ids["A"]).values()
    assert pool.local_variant_id is None


def test_a_pool_unlinked_by_hand_is_read_in_full(env: Env) -> None:
    ids = three_listings_synced(env)
    env.service().unlink(ids["B"])
    result = env.service().sync_all("manual")
    assert result.listing_sync is not None
    assert result.listing_sync.in_step == 3  # unlinked on purpose: nothing for auto-linking
    assert result.plan is not None
    assert result.plan.totals.listings == 2


def test_a_conflict_left_for_the_seller_is_decided_again_each_run(env: Env) -> None:
    ids = three_listings_synced(env)
    env.set_local("A", 3)
    env.server.simulate_purchase(ids["A"], 1, sku="A")
    first = env.service(conflict_policy=ConflictPolicy.SKIP).sync_all("manual")
    assert first.counts.conflicts == 1
    second = env.service(conflict_policy=ConflictPolicy.SKIP).sync_all("manual")
    assert in_step(second) == 2  # the conflict stays on the full path
    assert second.counts.conflicts == 1


def test_link_problems_are_reported_again_for_listings_left_alone(env: Env) -> None:
    """A repeat run's report lists the same problems: from the stored pools, not a read."""
    three_listings_synced(env)
    env.add(one_property([("Red", "TWIN", 3, "10.00"), ("Blue", "TWIN", 4, "10.00")]))
    env.add(simple("", 2))  # a listing without a SKU
    env.add(one_property([("Red", "", 1, "10.00"), ("Blue", "", 2, "10.00")]))
    first = env.service().sync_all("manual")
    second = env.service().sync_all("manual")
    assert first.listing_sync is not None
    assert second.listing_sync is not None
    assert in_step(second) == 6
    assert second.listing_sync.problem_counts() == first.listing_sync.problem_counts()
    assert first.listing_sync.problem_counts()["duplicate_sku"] == 2
    assert first.listing_sync.problem_counts()["no_sku"] >= 3

    def problems(result: RunResult) -> list[tuple[int, str | None, str]]:
        assert result.listing_sync is not None
        return sorted(
            (p.listing_id, p.pool_key, p.problem) for p in result.listing_sync.link_problems
        )

    assert problems(second) == problems(first)


def test_a_new_catalog_variant_for_a_shared_sku_does_not_link_it(env: Env) -> None:
    """Auto-linking never links a SKU used twice; leaving the listing alone agrees."""
    three_listings_synced(env)
    twin = env.add(one_property([("Red", "TWIN", 3, "10.00"), ("Blue", "TWIN", 4, "10.00")]))
    env.service().sync_all("manual")
    env.catalog({"TWIN": 9})
    result = env.service().sync_all("manual")
    assert in_step(result) == 4
    assert all(pool.local_variant_id is None for pool in env.pools(twin).values())


def test_a_new_catalog_variant_for_an_unmatched_sku_links_it(env: Env) -> None:
    """A pool whose SKU matched nothing is never left alone: a new variant links it."""
    three_listings_synced(env)
    lonely = env.add(simple("LATER", 4))
    env.service().sync_all("manual")
    env.catalog({"LATER": 4})
    result = env.service().sync_all("manual")
    assert in_step(result) == 3
    (pool,) = env.pools(lonely).values()
    assert pool.local_variant_id is not None


def test_only_listings_stored_before_or_by_the_read_are_looked_up(env: Env) -> None:
    """A listing stored neither before the read nor by it cannot be in step: a first
    sync's pages make no in-step lookup, a repeat sync's do (``PageStore.known``)."""
    lookups: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "left_alone" in statement:
            lookups.append(statement)

    event.listen(env.database.engine, "before_cursor_execute", note)
    try:
        three_listings_synced(env)
        assert lookups == []
        second = env.service().sync_all("manual")
    finally:
        event.remove(env.database.engine, "before_cursor_execute", note)
    assert second.listing_sync is not None
    assert second.listing_sync.in_step == 3
    assert len(lookups) == 1
