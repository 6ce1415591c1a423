"""Settling a conflict from the app: each fix end to end over real HTTP, real database.

Every test starts from a linked, synced listing at 251 on both sides, then
sells one on Etsy and one locally and syncs with the "skip" policy, so the
pool is left in conflict exactly as a seller would find it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.sync.inventory.resolve import CannotResolve, PoolFix, Resolution
from tests.sync.test_support import Env, linked_listing, make_env, one_property


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def in_conflict(env: Env) -> int:
    """A listing whose pool ``sku:MUG`` is in conflict: local 250, Etsy 250, bases 251."""
    listing_id = linked_listing(env, "MUG", etsy=251, local=251)
    env.server.simulate_purchase(listing_id, 1)
    env.set_local("MUG", 250)
    env.service().sync_inventory("manual", policy="skip")
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.status, pool.base_local, pool.base_etsy) == ("conflict", 251, 251)
    return listing_id


def settle(env: Env, listing_id: int, resolution: Resolution, count: int | None = None) -> None:
    fix = PoolFix(listing_id, "sku:MUG", resolution, count)
    result = env.service(conflict_policy="skip").resolve(fix)
    assert result.status == "completed", result.message


def test_a_stocktake_sets_both_sides_and_both_bases_to_the_count(env: Env) -> None:
    listing_id = in_conflict(env)
    settle(env, listing_id, Resolution.COUNTED, 249)
    assert env.local("MUG") == 249
    assert env.etsy(listing_id) == {"sku:MUG": 249}
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.status, pool.base_local, pool.base_etsy) == ("ok", 249, 249)
    assert "stocktake: you counted 249" in (env.log(listing_id)[-1].message or "")
    # The next sync starts from the count: nothing to do, no conflict.
    env.server.reset_stats()
    result = env.service(conflict_policy="skip").sync_inventory("manual")
    assert result.counts.conflicts == 0
    assert env.calls("updateListingInventory") == 0
    assert env.pools(listing_id)["sku:MUG"].status == "ok"


def test_keep_mine_writes_the_local_number_to_etsy(env: Env) -> None:
    listing_id = in_conflict(env)
    env.set_local("MUG", 240)
    settle(env, listing_id, Resolution.KEEP_MINE)
    assert (env.local("MUG"), env.etsy(listing_id)) == (240, {"sku:MUG": 240})
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.status, pool.base_local, pool.base_etsy) == ("ok", 240, 240)


def test_keep_etsys_number_changes_only_the_local_side(env: Env) -> None:
    listing_id = in_conflict(env)
    env.set_local("MUG", 240)
    env.server.reset_stats()
    settle(env, listing_id, Resolution.KEEP_ETSY)
    assert (env.local("MUG"), env.etsy(listing_id)) == (250, {"sku:MUG": 250})
    assert env.calls("updateListingInventory") == 0
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.status, pool.base_local, pool.base_etsy) == ("ok", 250, 250)


def test_merge_applies_both_sales(env: Env) -> None:
    listing_id = in_conflict(env)
    settle(env, listing_id, Resolution.MERGE)
    assert (env.local("MUG"), env.etsy(listing_id)) == (249, {"sku:MUG": 249})
    assert env.pools(listing_id)["sku:MUG"].status == "ok"


def test_settling_one_variation_syncs_its_siblings_normally(env: Env) -> None:
    env.catalog({"R": 5, "B": 5})
    listing_id = env.add(
        one_property([("Red", "R", 5, "5.00"), ("Blue", "B", 5, "5.00")], per_value_price=False)
    )
    env.service().sync_all("manual")
    env.set_local("B", 4)  # a plain local sale on the sibling
    fix = PoolFix(listing_id, "sku:R", Resolution.COUNTED, 7)
    assert env.service().resolve(fix).status == "completed"
    assert env.etsy(listing_id) == {"sku:R": 7, "sku:B": 4}
    assert (env.local("R"), env.local("B")) == (7, 4)


def test_a_count_must_be_given_and_not_negative() -> None:
    with pytest.raises(CannotResolve, match="Enter the number you counted"):
        PoolFix(1, "sku:MUG", Resolution.COUNTED, -1)


def test_an_unknown_pool_says_what_to_do(env: Env) -> None:
    listing_id = in_conflict(env)
    with pytest.raises(CannotResolve, match="link it first"):
        env.service().resolve(PoolFix(listing_id, "sku:OTHER", Resolution.KEEP_MINE))
