"""A first sync with "Etsy is the truth" pulls; it does not write to Etsy.

Found on a generated shop: about 1 listing in 10 got an inventory PUT on the
first ``sync all`` while the run reported 0 pushes.  The cause: variations
Etsy held at 0 but enabled (sold out on Etsy, the generator's ~10% zero
stock) were "disabled because out of stock" by the zero-stock handling, which
made a write out of a pull.  Etsy already shows such a variation as sold out,
so the write prevented nothing and was never reported.  Now a pool Etsy
already holds at 0 is only disabled as part of a write EtsySync sends anyway.
"""

from __future__ import annotations

import random

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import Product, ProductVariant
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError
from tests.sync.test_support import Env, make_env


def catalog_for_every_sku(env: Env, seed: int) -> dict[str, tuple[int, int]]:
    """A local variant per uniquely-SKU'd Etsy pool, most with another quantity.

    Returns sku -> (listing id, Etsy quantity) for the pools that will be linked.
    """
    rng = random.Random(seed)
    pools: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    for listing_id in env.server.listing_ids():
        try:
            found = env.etsy(listing_id)
        except AmbiguousInventoryError:
            continue
        for key, quantity in found.items():
            if key.startswith("sku:"):
                sku = key.removeprefix("sku:")
                if sku in seen:  # on two listings: not linked by SKU
                    pools.pop(sku, None)
                else:
                    pools[sku] = (listing_id, quantity)
                seen.add(sku)
    with env.database.session() as session:
        for sku in sorted(pools):
            local = rng.randint(0, 40)
            variant = ProductVariant(sku=sku, name=sku, quantity=local)
            session.add(Product(title=sku, variants=[variant]))
    return pools


def test_a_first_sync_pulls_and_writes_nothing_to_etsy(database: Database) -> None:
    with make_env(database, listings=120, seed=11) as env:
        linked = catalog_for_every_sku(env, seed=3)
        sold_out_enabled = [
            sku
            for sku, (lid, quantity) in linked.items()
            if quantity == 0 and env.etsy_state(lid) == "active" and len(env.etsy(lid)) > 1
        ]
        assert sold_out_enabled, "the shop must have variations Etsy holds at 0"
        env.server.reset_stats()
        result = env.service().sync_all("manual")
        assert result.status == "completed"
        assert (result.counts.pushes, result.counts.merges) == (0, 0)
        assert result.counts.pulls > 0
        assert env.calls("updateListingInventory") == 0
        assert env.calls("updateListing") == 0
        for sku, (listing_id, quantity) in linked.items():
            assert env.local(sku) == quantity, sku
            assert env.etsy(listing_id)[f"sku:{sku}"] == quantity, sku
        # ...and the next sync finds nothing to do either.
        env.server.reset_stats()
        again = env.service().sync_all("manual")
        assert (again.counts.pushes, again.counts.pulls, again.counts.merges) == (0, 0, 0)
        assert env.calls("updateListingInventory") == 0
