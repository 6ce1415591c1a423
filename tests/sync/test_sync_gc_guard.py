"""A sync run puts off full garbage collections and always hands them back.

Why it matters to the seller: a full collection mid-read stops every thread
for 50-150 ms, and the reader threads miss their rate-limit slots, so the sync
takes longer for the same calls (``gc_guard``).  The other half of the
guarantee is as important: whatever way the run ends, full collections come
back, or a long-running app would keep garbage cycles forever.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.gc_guard import FULL_COLLECTIONS_OFF, GC_GUARD
from etsysync_gui.sync.inventory.hooks import SyncHooks
from tests.sync.test_support import Env, make_env, simple


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def linked_and_sold_at_home(env: Env) -> None:
    """One listing linked by a first sync, then a sale at home: the next run pushes."""
    env.catalog({"A": 5})
    env.add(simple("A", 5))
    assert env.service().sync_all("manual").status == "completed"
    env.set_local("A", 2)


class SeeThreshold(SyncHooks):
    """Records the full-collection threshold while a write is in flight."""

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[int] = []
        self.fail = fail

    def after_put(self, listing_id: int) -> None:
        self.seen.append(gc.get_threshold()[2])
        if self.fail:
            raise RuntimeError("the process dies here")


def test_full_collections_are_off_during_a_run_and_back_after_it(env: Env) -> None:
    before = gc.get_threshold()
    linked_and_sold_at_home(env)
    hooks = SeeThreshold()
    result = env.service(hooks).sync_all("manual")
    assert result.status == "completed", result.listing_errors
    assert hooks.seen == [FULL_COLLECTIONS_OFF]
    assert gc.get_threshold() == before
    assert not GC_GUARD.is_held


def test_a_run_that_fails_still_hands_full_collections_back(env: Env) -> None:
    before = gc.get_threshold()
    linked_and_sold_at_home(env)
    hooks = SeeThreshold(fail=True)
    with pytest.raises(RuntimeError, match="dies here"):
        env.service(hooks).sync_all("manual")
    assert hooks.seen == [FULL_COLLECTIONS_OFF]
    assert gc.get_threshold() == before
    assert not GC_GUARD.is_held


def test_overlapping_holders_restore_the_thresholds_only_after_the_last() -> None:
    before = gc.get_threshold()
    GC_GUARD.hold()
    with GC_GUARD.held():
        assert gc.get_threshold()[2] == FULL_COLLECTIONS_OFF
    assert gc.get_threshold()[2] == FULL_COLLECTIONS_OFF  # the first holder still holds
    GC_GUARD.release()
    assert gc.get_threshold() == before
