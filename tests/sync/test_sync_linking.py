"""Linking by hand: one variant per pool, clear errors, first truth, and unlinking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.sync.listings.linking import LinkError
from tests.sync.test_support import Env, make_env, one_property, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_a_listing_with_several_pools_needs_the_pool_named(env: Env) -> None:
    env.catalog({"LOCAL-RED": 4})
    listing_id = env.add(one_property([("Red", "", 2, "5.00"), ("Blue", "", 3, "5.00")]))
    service = env.service()
    service.sync_listings("manual")
    with pytest.raises(LinkError, match="has 2 stock pools; choose one with --pool"):
        service.link("LOCAL-RED", listing_id)
    done = service.link("LOCAL-RED", listing_id, "prop:Primary color=Red")
    assert (done.label, done.first_truth) == ("Red", FirstTruth.ETSY)
    assert env.listing_row(listing_id).link_problem == "no_sku"  # Blue still waits
    service.sync_inventory("manual")
    assert env.local("LOCAL-RED") == 2


def test_a_variant_links_to_one_pool_only(env: Env) -> None:
    env.catalog({"ONE": 1})
    first, second = env.add(simple("A", 1)), env.add(simple("B", 1))
    service = env.service()
    service.sync_listings("manual")
    service.link("ONE", first)
    with pytest.raises(LinkError, match=f"already linked to listing {first}"):
        service.link("ONE", second)
    assert service.unlink(first) == 1
    service.link("ONE", second)


def test_relinking_clears_the_bases_so_first_truth_applies_again(env: Env) -> None:
    env.catalog({"MUG": 5})
    listing_id = env.add(simple("MUG", 5))
    service = env.service()
    service.sync_all("manual")
    assert env.pools(listing_id)["sku:MUG"].base_local == 5
    env.set_local("MUG", 8)
    service.link("MUG", listing_id, first_truth=FirstTruth.LOCAL)
    pool = env.pools(listing_id)["sku:MUG"]
    assert (pool.base_local, pool.base_etsy, pool.link_source) == (None, None, "manual")
    service.sync_inventory("manual")
    assert env.etsy(listing_id) == {"sku:MUG": 8}


def test_missing_and_unknown_listings_are_refused(env: Env) -> None:
    env.catalog({"MUG": 5})
    listing_id = env.add(simple("MUG", 5))
    service = env.service()
    service.sync_listings("manual")
    env.server.delete_listing(listing_id)
    service.sync_listings("manual")
    with pytest.raises(LinkError, match="no longer on Etsy"):
        service.link("MUG", listing_id)
    with pytest.raises(LinkError, match="not known"):
        service.unlink(42)
