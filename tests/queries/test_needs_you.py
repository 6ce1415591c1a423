"""The Needs you read model: which pools wait for the seller, with which fixes, and the count."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.queries import needs_you as q
from tests.sync.test_support import Env, linked_listing, make_env, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def test_conflicts_refusals_and_unlinked_listings_with_their_fixes(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    conflicted = linked_listing(env, "MUG", etsy=5, local=5)
    env.server.simulate_purchase(conflicted, 1)
    env.set_local("MUG", 3)
    env.add(simple("LOOSE-1", 2), title="Loose one")
    env.add(simple("LOOSE-2", 2), title="Loose two")
    env.service().sync_all("manual", policy="skip")
    found = q.load_needs_you(env.database, env.shop_id)
    kinds = [(item.kind, item.listing_id == conflicted) for item in found.items]
    assert kinds == [("conflict", True), ("unlinked", False), ("unlinked", False)]
    conflict = found.items[0]
    assert conflict.fixes == (q.KEEP_MINE, q.KEEP_ETSY, q.MERGE, q.COUNTED)
    assert (conflict.local, conflict.etsy) == (3, 4)
    assert "here 3, on Etsy 4" in conflict.detail
    assert found.items[1].fixes == (q.LINK,)
    assert found.count == 3
    monkeypatch.setattr(q, "MAX_UNLINKED", 1)
    fewer = q.load_needs_you(env.database, env.shop_id)
    assert len(fewer.items) == 2
    assert fewer.count == 3  # the one not listed still counts
