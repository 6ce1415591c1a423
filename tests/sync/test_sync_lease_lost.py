"""A run that lost its lease stops before its next write, as "busy", never exit 70.

Before, the run only noticed a lost lease at a renewal throttled to a quarter
TTL by the app clock, so a run paused past its TTL (a suspended laptop) kept
writing Etsy next to the sync that took over; and meeting that sync's
write-ahead record crashed with ``PendingWriteExists`` (an internal error, exit
70).  Now the lease is confirmed before every write, and both cases are a
``SyncAlreadyRunning`` (the CLI exits 3; the app reports "busy").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from etsysync_gui.db.dbclock import db_later
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsySyncConfig
from etsysync_gui.errors import EXIT_ALREADY_RUNNING
from etsysync_gui.sync.inventory.commit import PendingWriteExists
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.runs.lease import Lease, LeaseLost, SyncAlreadyRunning
from tests.sync.test_support import Env, make_env, simple

LISTINGS = 4
OTHER = "elsewhere:1:00000000"
START = 20


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def shop_with_pushes(env: Env) -> list[int]:
    """Listings linked and synced once, then a sale at home on each: every one pushes."""
    ids = [env.add(simple(f"S{n}", START)) for n in range(LISTINGS)]
    env.catalog({f"S{n}": START for n in range(LISTINGS)})
    assert env.service().sync_all("manual").status == "completed"
    for n in range(LISTINGS):
        env.set_local(f"S{n}", START - 1)
    env.server.reset_stats()
    return ids


class AfterFirstCommit(SyncHooks):
    """Runs ``then`` once, right after the first listing's write is committed."""

    def __init__(self, then: object) -> None:
        self.then = then
        self.done = False

    def after_commit(self, listing_id: int) -> None:
        if not self.done:
            self.done = True
            self.then()  # type: ignore[operator]


def take_over(env: Env) -> Lease:
    """The holder paused past its TTL (by the database's clock); another sync takes over."""
    with env.database.session() as session:
        session.execute(
            update(EtsySyncConfig)
            .where(EtsySyncConfig.shop_id == env.shop_id)
            .values(lease_expires_at=db_later(env.database.engine.dialect, -1))
        )
    other = Lease(env.database, env.shop_id, holder=OTHER)
    other.acquire()
    return other


def test_a_run_whose_lease_was_taken_over_stops_before_its_next_write(env: Env) -> None:
    shop_with_pushes(env)
    hooks = AfterFirstCommit(lambda: take_over(env))
    with pytest.raises(LeaseLost) as caught:
        env.service(hooks).sync_inventory("scheduled")
    assert caught.value.exit_code == EXIT_ALREADY_RUNNING
    assert isinstance(caught.value, SyncAlreadyRunning)  # the app shows it as "busy"
    assert env.calls("updateListingInventory") == 1  # nothing written after the loss
    pushed = [n for n in range(LISTINGS) if env.local(f"S{n}") == START - 1]
    assert len(pushed) == LISTINGS  # local stock untouched by the stopped run
    run = env.runs()[-1]
    assert run.status == "failed"
    assert "stopped before its next write" in (run.message or "")
    with env.database.session() as session:
        holder = session.scalar(
            select(EtsySyncConfig.lease_holder).where(EtsySyncConfig.shop_id == env.shop_id)
        )
    assert holder == OTHER  # the stopped run left the new holder's lease alone


def test_meeting_another_syncs_write_in_flight_is_busy_not_a_crash(env: Env) -> None:
    ids = shop_with_pushes(env)

    def other_sync_writes() -> None:  # a sync that lost track of the lease, mid-write
        with env.database.session() as session:
            session.execute(
                update(EtsyProduct)
                .where(EtsyProduct.etsy_listing_id.in_(ids))
                .values(pending_write={"version": 1, "by": "another sync"})
            )

    with pytest.raises(PendingWriteExists) as caught:
        env.service(AfterFirstCommit(other_sync_writes)).sync_inventory("scheduled")
    error = caught.value
    assert isinstance(error, SyncAlreadyRunning)
    assert error.exit_code == EXIT_ALREADY_RUNNING
    assert error.message.startswith("Another sync is writing listing ")
    assert error.message.endswith("sync again once the other has finished.")
    assert env.calls("updateListingInventory") == 1
    assert env.runs()[-1].status == "failed"
