"""One vanished variation flags its own pool; the rest of the listing syncs on.

Issue "Never lose a sale", hole 3: when the seller removed or renamed one
variation on Etsy, a local sale of ANOTHER variation of the same listing was
not written ("The linked variation … no longer exists on Etsy"), so the whole
listing stopped syncing until someone re-linked.  Now only the vanished pool is
flagged (status ``relink``, in the plan, the log and the inventory view) and
skipped; every other pool is decided and written as usual.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.cli.report import format_plan
from etsysync_gui.db.engine import Database
from etsysync_gui.queries.inventory import load_pools
from tests.sync.test_support import Env, make_env, one_property

COLORS = ("Red", "Blue", "Green")


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def by_sku(env: Env) -> tuple[int, str, str]:
    """Pools keyed by SKU, linked automatically; the seller then REMOVES Blue."""
    rows = [(c, f"V-{c}", 17, "20.00") for c in COLORS]
    env.catalog({sku: 17 for _, sku, _, _ in rows})
    listing_id = env.add(one_property(rows))
    assert env.service().sync_all("manual").status == "completed"
    kept = [r for r in rows if r[0] != "Blue"]
    env.server.seller_replace_inventory(listing_id, one_property(kept))
    return listing_id, "sku:V-Blue", "V-Red"


def by_values(env: Env) -> tuple[int, str, str]:
    """Pools without SKUs, linked by hand; the seller then RENAMES Blue to Navy."""
    rows = [(c, "", 17, "20.00") for c in COLORS]
    env.catalog({f"L-{c}": 17 for c in COLORS})
    listing_id = env.add(one_property(rows, per_value_sku=False))
    service = env.service()
    service.sync_listings("manual")
    for color in COLORS:
        service.link(f"L-{color}", listing_id, f"prop:Primary color={color}")
    assert service.sync_inventory("manual").status == "completed"
    renamed = [("Navy" if c == "Blue" else c, "", 17, "20.00") for c in COLORS]
    env.server.seller_replace_inventory(listing_id, one_property(renamed, per_value_sku=False))
    return listing_id, "prop:Primary color=Blue", "L-Red"


SHOPS = {"removed": by_sku, "renamed": by_values}


@pytest.mark.parametrize("change", sorted(SHOPS))
def test_a_vanished_variation_does_not_stop_the_others(env: Env, change: str) -> None:
    listing_id, blue, red_sku = SHOPS[change](env)
    red = blue.replace("Blue", "Red")
    env.set_local(red_sku, 16)

    plan = env.service().plan_inventory()
    (listing,) = [x for x in plan.listings if x.listing_id == listing_id]
    assert listing.error is None, listing.error
    statuses = {p.pool_key: (p.status, p.action.value) for p in listing.pools}
    assert statuses[blue] == ("relink", "skipped")
    assert statuses[red] == ("ok", "push_to_etsy")
    assert any("no longer exists on Etsy" in note for note in listing.notes)
    assert any("Blue: flagged, skipped" in line for line in format_plan(plan))

    result = env.service().sync_inventory("manual")
    assert result.counts.pushes == 1, result.counts.errors
    assert not result.counts.errors, result.counts.errors
    assert env.etsy(listing_id)[red] == 16
    assert env.local(red_sku) == 16
    pool = env.pools(listing_id)[blue]
    assert pool.status == "relink"
    assert "link it again" in (pool.message or "")
    assert env.listing_row(listing_id).sync_status == "synced"
    (row,) = [r for r in load_pools(env.database, env.shop_id) if r.pool_key == blue]
    assert row.needs_attention
    assert row.next_action == "link again"
    relink_rows = [r for r in env.log(listing_id) if r.pool_key == blue]
    assert relink_rows[-1].sync_result == "skipped"
    assert "no longer exists on Etsy" in (relink_rows[-1].message or "")

    # The flag is said once, not at every run; nothing more is written.
    logged = len(env.log(listing_id))
    env.server.reset_stats()
    again = env.service().sync_inventory("manual")
    assert again.counts.pushes == 0
    assert env.calls("updateListingInventory") == 0
    assert len(env.log(listing_id)) == logged
    assert env.pools(listing_id)[blue].status == "relink"
