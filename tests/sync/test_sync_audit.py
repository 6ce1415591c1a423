"""The audit log: what gets a row, newest-first reading, and retention pruning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog, SyncRun
from etsysync_gui.sync.runs.audit import log_row, prune_log, recent_log
from tests.clock import FakeClock
from tests.sync.test_support import Env, linked_listing, make_env


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def fill_log(database: Database, *, count: int, age_days: float, now: FakeClock) -> None:
    when = now.now - timedelta(days=age_days)
    rows = [
        log_row(
            run_id=None,
            listing_id=1,
            pool_key="listing",
            local_variant_id=None,
            local_found=1,
            etsy_found=2,
            action="no_change",
            result="success",
            message=None,
            now=when,
        )
        for _ in range(count)
    ]
    with database.session() as session:
        session.execute(insert(EtsyInventorySyncLog), rows)


def log_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(EtsyInventorySyncLog)) or 0


def test_pruning_deletes_only_rows_older_than_the_retention_in_batches(
    database: Database,
) -> None:
    now = FakeClock()
    fill_log(database, count=2_500, age_days=91, now=now)
    fill_log(database, count=7, age_days=89, now=now)
    batches: list[int] = []

    def stop() -> bool:
        batches.append(1)
        return False

    deleted = prune_log(
        database, retention_days=90, now=now.now, batch_size=1_000, should_stop=stop
    )
    assert deleted == 2_500
    assert log_count(database) == 7
    assert len(batches) == 3  # three bounded deletes, each its own transaction


def test_pruning_a_large_log_deletes_every_old_row(database: Database) -> None:
    """How long this takes is measured by benchmarks/store_bench.py, not asserted here."""
    now = FakeClock()
    fill_log(database, count=40_000, age_days=200, now=now)
    fill_log(database, count=10, age_days=1, now=now)
    assert prune_log(database, retention_days=90, now=now.now) == 40_000
    assert log_count(database) == 10


def test_an_inventory_run_prunes_with_the_shops_retention(env: Env) -> None:
    linked_listing(env, "MUG", etsy=5, local=5)
    fill_log(env.database, count=3, age_days=40, now=env.clock)
    env.service(log_retention_days=30).sync_inventory("scheduled")
    assert log_count(env.database) == 1  # only the first-link row of today is left
    assert env.runs()[-1].trigger == "scheduled"


def test_the_log_reads_newest_first_with_listing_titles(env: Env) -> None:
    listing_id = linked_listing(env, "MUG", etsy=5, local=5)
    env.clock.advance(60)
    env.set_local("MUG", 4)
    env.service().sync_inventory("manual")
    entries = recent_log(env.database, limit=10)
    assert [e.action for e in entries] == ["push_to_etsy", "no_change"]
    assert entries[0].listing_id == listing_id
    assert entries[0].listing_title
    assert entries[0].synced_at == env.clock.now
    assert recent_log(env.database, limit=1)[0].id == entries[0].id


def test_each_run_is_recorded_with_its_counts_and_cost(env: Env) -> None:
    linked_listing(env, "MUG", etsy=5, local=5)
    env.set_local("MUG", 4)
    result = env.service().sync_inventory("cli")
    with env.database.session() as session:
        run = session.get(SyncRun, result.run_id)
        assert run is not None
        assert (run.kind, run.trigger, run.status, run.pushes, run.listings) == (
            "inventory",
            "cli",
            "completed",
            1,
            1,
        )
        # receipts (the sales ledger) + plan read + fresh read + PUT
        assert run.api_calls == result.counts.api_calls == 4
        assert run.finished_at == env.clock.now
        row = session.scalars(
            select(EtsyInventorySyncLog).where(EtsyInventorySyncLog.run_id == run.id)
        ).one()
    assert row.sync_action == "push_to_etsy"
