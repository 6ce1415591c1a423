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
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.lease import Lease, LeaseLost, SyncAlreadyRunning
from tests.sync.test_support import Env, make_env, simple

DEFAULT_IN_FLIGHT = SyncOptions(shop_id=1).writes_in_flight
LISTINGS = DEFAULT_IN_FLIGHT + 3  # more than one window of writes in flight
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
    """Runs ``then`` once, right after the first listing's write is committed.

    Notes the listings whose write-ahead record was committed before (``before``)
    and after (``after``) that moment: with several writes in flight, the
    listings already started when ``then`` ran are still finished and committed,
    but none may be started after it.
    """

    def __init__(self, then: object) -> None:
        self.then = then
        self.done = False
        self.before: list[int] = []
        self.after: list[int] = []

    def after_write_ahead(self, listing_id: int) -> None:
        (self.after if self.done else self.before).append(listing_id)

    def after_commit(self, listing_id: int) -> None:
        if not self.done:
            self.done = True
            self.then()  # type: ignore[operator]


def assert_started_before_only(env: Env, ids: list[int], hooks: AfterFirstCommit) -> None:
    """Nothing started after the moment; everything started before it was committed."""
    assert hooks.after == []
    assert env.calls("updateListingInventory") == len(hooks.before)
    for n, lid in enumerate(ids):
        assert env.listing_row(lid).pending_write is None, n
        pushed = env.etsy(lid) == {f"sku:S{n}": START - 1}
        assert pushed == (lid in hooks.before), n


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


@pytest.mark.parametrize("in_flight", [1, DEFAULT_IN_FLIGHT])
def test_a_run_whose_lease_was_taken_over_stops_before_its_next_write(
    env: Env, in_flight: int
) -> None:
    ids = shop_with_pushes(env)
    hooks = AfterFirstCommit(lambda: take_over(env))
    with pytest.raises(LeaseLost) as caught:
        env.service(hooks, writes_in_flight=in_flight).sync_inventory("scheduled")
    assert caught.value.exit_code == EXIT_ALREADY_RUNNING
    assert isinstance(caught.value, SyncAlreadyRunning)  # the app shows it as "busy"
    assert_started_before_only(env, ids, hooks)  # nothing started after the loss
    assert len(hooks.before) == 1 or in_flight > 1
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


@pytest.mark.parametrize("in_flight", [1, DEFAULT_IN_FLIGHT])
def test_meeting_another_syncs_write_in_flight_is_busy_not_a_crash(
    env: Env, in_flight: int
) -> None:
    ids = shop_with_pushes(env)

    def other_sync_writes() -> None:  # a sync that lost track of the lease, mid-write
        with env.database.session() as session:
            session.execute(
                update(EtsyProduct)
                .where(
                    EtsyProduct.etsy_listing_id.in_(ids),
                    EtsyProduct.pending_write.is_(None),  # not this run's writes in flight
                )
                .values(pending_write={"version": 1, "by": "another sync"})
            )

    hooks = AfterFirstCommit(other_sync_writes)
    with pytest.raises(PendingWriteExists) as caught:
        env.service(hooks, writes_in_flight=in_flight).sync_inventory("scheduled")
    error = caught.value
    assert isinstance(error, SyncAlreadyRunning)
    assert error.exit_code == EXIT_ALREADY_RUNNING
    assert error.message.startswith("Another sync is writing listing ")
    assert error.message.endswith("sync again once the other has finished.")
    assert hooks.after == []
    assert env.calls("updateListingInventory") == len(hooks.before)
    assert len(hooks.before) == 1 or in_flight > 1
    for n, lid in enumerate(ids):  # what was started was pushed and committed, nothing else
        assert (env.etsy(lid) == {f"sku:S{n}": START - 1}) == (lid in hooks.before), n
    records = [env.listing_row(lid).pending_write for lid in ids]
    assert all(r == {"version": 1, "by": "another sync"} for r in records if r is not None)
    assert env.runs()[-1].status == "failed"
