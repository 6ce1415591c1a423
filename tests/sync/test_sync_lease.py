"""Single flight: one sync per shop, across threads and processes, on both databases."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from etsysync_gui.db.dbclock import db_now
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.errors import EXIT_ALREADY_RUNNING
from etsysync_gui.sync.runs.lease import Lease, LeaseLost, SyncAlreadyRunning
from tests.clock import FakeClock
from tests.sync.test_support import Env, make_env, simple

SHOP = 41_234_567


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def config(database: Database) -> EtsySyncConfig:
    with database.session() as session:
        return session.scalars(select(EtsySyncConfig).where(EtsySyncConfig.shop_id == SHOP)).one()


def database_now(database: Database) -> datetime:
    """The database server's clock (the only clock the lease trusts)."""
    with database.session() as session:
        value = session.scalar(select(db_now(database.engine.dialect)))
    if isinstance(value, str):  # SQLite: the text form SQLAlchemy stores
        value = datetime.fromisoformat(value + "+00:00")
    assert isinstance(value, datetime)
    return value


def age_lease(database: Database, seconds: float) -> None:
    """Time passes for the lease: its expiry moves ``seconds`` closer (no real sleep).

    Equivalent to the holder not renewing for ``seconds`` by the database's
    clock; the app clocks are not involved at all.
    """
    with database.session() as session:
        expires = session.scalar(
            select(EtsySyncConfig.lease_expires_at).where(EtsySyncConfig.shop_id == SHOP)
        )
        assert expires is not None
        session.execute(
            update(EtsySyncConfig)
            .where(EtsySyncConfig.shop_id == SHOP)
            .values(lease_expires_at=expires - timedelta(seconds=seconds))
        )


class Ticks:
    """A monotonic clock for renewal throttling that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_taking_the_lease_creates_the_shops_row_and_marks_it_in_progress(
    database: Database,
) -> None:
    clock = FakeClock()
    before = database_now(database)
    lease = Lease(database, SHOP, ttl_s=120, clock=clock.utcnow, holder="host:1:aa")
    lease.acquire()
    after = database_now(database)
    row = config(database)
    assert (row.lease_holder, row.sync_status) == ("host:1:aa", "in_progress")
    assert row.lease_expires_at is not None
    # The expiry is the DATABASE's now + TTL, whatever the app clock says.
    ttl = timedelta(seconds=120)
    assert before + ttl <= row.lease_expires_at <= after + ttl
    lease.release(status="completed", inventory_sync=True)
    row = config(database)
    assert (row.lease_holder, row.lease_expires_at, row.sync_status) == (None, None, "completed")
    assert row.last_inventory_sync == clock.now
    assert row.last_product_sync is None


def test_a_second_sync_in_the_same_process_fails_at_once(env: Env) -> None:
    env.add(simple("A", 1))
    service = env.service()
    seen: list[SyncAlreadyRunning] = []

    def progress(phase: str, done: int, total: int) -> None:
        if not seen:
            with pytest.raises(SyncAlreadyRunning) as caught:
                service.sync_inventory("manual")
            seen.append(caught.value)

    result = service.sync_listings("manual", progress=progress)
    assert result.status == "completed"
    assert seen
    error = seen[0]
    assert error.exit_code == EXIT_ALREADY_RUNNING
    assert re.fullmatch(
        r"a sync is already running since 2026-03-01 12:00:00 UTC \([^:]+:\d+:[0-9a-f]{8}\)",
        error.message,
    ), error.message
    assert len(env.runs()) == 1  # the refused sync left no run behind


def test_an_expired_lease_is_taken_over_and_its_old_holder_stops(database: Database) -> None:
    clock = FakeClock()
    dead = Lease(database, SHOP, ttl_s=120, clock=clock.utcnow)
    dead.acquire()
    other = Lease(database, SHOP, ttl_s=120, clock=clock.utcnow)
    with pytest.raises(SyncAlreadyRunning):
        other.acquire()
    age_lease(database, 121)  # the first holder stopped renewing (it hung)
    other.acquire()
    assert config(database).lease_holder == other.holder
    with pytest.raises(LeaseLost):
        dead.renew(force=True)


def test_renewing_keeps_the_lease_alive_past_its_first_ttl(database: Database) -> None:
    ticks = Ticks()
    lease = Lease(database, SHOP, ttl_s=120, monotonic=ticks)
    lease.acquire()
    for _ in range(5):
        age_lease(database, 60)
        ticks.now += 60
        lease.renew()
    with pytest.raises(SyncAlreadyRunning):
        Lease(database, SHOP, ttl_s=120).acquire()


def test_renewals_are_throttled_but_confirm_always_reaches_the_database(
    database: Database,
) -> None:
    ticks = Ticks()
    lease = Lease(database, SHOP, ttl_s=120, monotonic=ticks)
    lease.acquire()
    age_lease(database, 100)
    aged = config(database).lease_expires_at
    ticks.now += 10  # less than a quarter TTL: a plain renewal writes nothing
    lease.renew()
    assert config(database).lease_expires_at == aged
    lease.confirm()  # before a write: always checked and pushed forward
    renewed = config(database).lease_expires_at
    assert aged is not None
    assert renewed is not None
    assert renewed > aged


@pytest.mark.parametrize("first_ahead", [True, False])
def test_app_clocks_ten_minutes_apart_do_not_let_a_second_sync_in(
    database: Database, first_ahead: bool
) -> None:
    """Two machines, one 5 minutes ahead and one 5 minutes behind: the lease holds.

    Before the lease read the database's clock, the machine behind wrote an
    expiry already in the past for the machine ahead, which took it over.
    """
    real = datetime.now(UTC)
    ahead = FakeClock(real + timedelta(minutes=5))
    behind = FakeClock(real - timedelta(minutes=5))
    first, second = (ahead, behind) if first_ahead else (behind, ahead)
    holder = Lease(database, SHOP, ttl_s=120, clock=first.utcnow)
    holder.acquire()
    with pytest.raises(SyncAlreadyRunning):
        Lease(database, SHOP, ttl_s=120, clock=second.utcnow).acquire()
    holder.renew(force=True)  # still ours
    assert config(database).lease_holder == holder.holder


def race(contenders: list[Lease]) -> tuple[list[str], list[str]]:
    """Start every contender's ``acquire`` at the same moment; ``(won, lost)`` holders."""
    barrier = threading.Barrier(len(contenders))
    won: list[str] = []
    lost: list[str] = []

    def contend(lease: Lease) -> None:
        barrier.wait()
        try:
            lease.acquire()
            won.append(lease.holder)
        except SyncAlreadyRunning:
            lost.append(lease.holder)

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return won, lost


@pytest.mark.parametrize("row_exists", [True, False])
def test_two_threads_racing_for_the_lease_exactly_one_wins(
    database: Database, row_exists: bool
) -> None:
    if row_exists:
        first = Lease(database, SHOP)
        first.acquire()
        first.release(status="completed")
    for _ in range(5 if row_exists else 1):
        contenders = [Lease(database, SHOP) for _ in range(2)]
        won, lost = race(contenders)
        assert len(won) == 1
        assert len(lost) == 1
        assert config(database).lease_holder == won[0]
        for lease in contenders:
            lease.release(status="completed")


def test_two_engines_with_clocks_ten_minutes_apart_racing_exactly_one_wins(
    database: Database, db_url: str
) -> None:
    """Like two machines: separate engines (connection pools), clocks 5 minutes either side."""
    other = Database.open(db_url)
    real = datetime.now(UTC)
    ahead = FakeClock(real + timedelta(minutes=5))
    behind = FakeClock(real - timedelta(minutes=5))
    try:
        for _ in range(10):
            contenders = [
                Lease(database, SHOP, clock=ahead.utcnow),
                Lease(other, SHOP, clock=behind.utcnow),
            ]
            won, lost = race(contenders)
            assert len(won) == 1
            assert len(lost) == 1
            late = next(c for c in contenders if c.holder in lost)
            with pytest.raises(SyncAlreadyRunning):
                late.acquire()  # and it stays refused while the winner holds the lease
            for lease in contenders:
                lease.release(status="completed")
    finally:
        other.dispose()


def test_a_dry_run_holds_the_lease_but_leaves_the_status_alone(env: Env) -> None:
    env.add(simple("A", 1))
    env.service().sync_listings("manual")
    before = config(env.database)
    env.clock.advance(60)
    env.service().sync_inventory("cli", dry_run=True)
    after = config(env.database)
    assert (after.sync_status, after.last_product_sync, after.last_inventory_sync) == (
        before.sync_status,
        before.last_product_sync,
        None,
    )
    assert after.lease_holder is None


def test_keep_alive_renews_from_its_own_thread_and_stops_with_the_block(
    database: Database,
) -> None:
    lease = Lease(database, SHOP, ttl_s=120)
    lease.acquire()
    age_lease(database, 100)
    first = config(database).lease_expires_at
    renewed = threading.Event()
    original = lease.renew

    def spy(*, force: bool = False) -> None:
        original(force=force)
        renewed.set()

    lease.renew = spy  # type: ignore[method-assign]
    with lease.keep_alive(interval_s=0.001):
        assert renewed.wait(timeout=10), "the keep-alive thread never renewed"
    assert not any(t.name == f"sync-lease-{SHOP}" for t in threading.enumerate())
    last = config(database).lease_expires_at
    assert first is not None
    assert last is not None
    assert last > first + timedelta(seconds=90)
