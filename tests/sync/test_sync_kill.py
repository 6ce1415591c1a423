"""``kill -9`` at random moments of 20 syncs: every next run recovers, nothing twice.

``test_sync_crash`` stops a run at each step by raising from a hook inside the
test process.  Here the process really dies: each sync runs in a child
process that sends itself SIGKILL at a seeded-random hook event (the n-th
step of the write sequence: before/after the write-ahead record, after the
PUT, after the local commit), so no ``finally``, no rollback, no lease
release, no connection close happens, exactly as with a power cut or the OOM
killer.  Then a normal run (here, in the test process) takes over the dead
run's lease -- at once on Linux, where the lease sees that the holder's
process is gone; elsewhere once it has expired by the database's clock (the
test moves the expiry back) -- recovers, and syncs.

Each of the 20 rounds first makes changes on both sides: a sale on Etsy AND a
sale at home on some pools (which must end at base - 2), a sale on one side
only on others.  After every recovery, both sides and both bases must equal
the arithmetic; at the end the audit log holds exactly one decision per pool
and round it changed, and Etsy received exactly one inventory PUT per listing
write decided: a write that landed before the kill is completed, not resent.

It runs once with one write at a time and once with the default number in
flight, where a kill also leaves the other listings' writes in flight: each is
then completed by recovery or decided again, and still sent exactly once.

Children fork from a ``forkserver`` that has imported the engine once, so a
child starts in milliseconds and inherits no threads or connections.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from etsysync_gui.db.dbclock import db_later
from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from tests.sync.test_support import Env, connect_client, make_env, one_property, simple
from tests.sync.test_sync_crash import KillAt

RUNS = 20
SEED = 4242
TTL_S = 120.0
START = 60
EVENTS_PER_WRITE = 4  # before/after write-ahead, after PUT, after commit
KILLED = -signal.SIGKILL

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")


@dataclass(frozen=True)
class Job:
    """What a child needs to run one ``sync all`` against the fake Etsy."""

    db_url: str
    base_url: str
    token_url: str
    keystring: str
    shared_secret: str
    access: str
    refresh: str
    shop_id: int
    now: datetime
    kill_after: int
    in_flight: int


class KillSelfAfter(KillAt):
    """SIGKILL this process at the ``events``-th hook event (any step, any listing)."""

    def __init__(self, events: int) -> None:
        super().__init__("", 0)
        self.left = events
        self._lock = threading.Lock()  # PUT hooks run on the write workers

    def _at(self, step: str, listing_id: int) -> None:
        with self._lock:
            self.left -= 1
            due = self.left == 0
        if due:
            os.kill(os.getpid(), signal.SIGKILL)


def child_sync(job: Job) -> None:
    """The child process: one scheduled ``sync all``, killed part-way by its hook."""
    client = connect_client(
        job.keystring,
        job.shared_secret,
        job.base_url,
        job.token_url,
        job.access,
        job.refresh,
    )
    service = SyncService(
        Database.open(job.db_url),
        lambda: client,
        SyncOptions(shop_id=job.shop_id, lease_ttl_s=TTL_S, writes_in_flight=job.in_flight),
        clock=lambda: job.now,
        hooks=KillSelfAfter(job.kill_after),
    )
    service.sync_all("scheduled")


def expire_lease(env: Env) -> None:
    """The killed run's lease runs out (by the database's clock, without waiting)."""
    with env.database.session() as session:
        session.execute(
            update(EtsySyncConfig)
            .where(EtsySyncConfig.shop_id == env.shop_id)
            .values(lease_expires_at=db_later(env.database.engine.dialect, -1))
        )


@pytest.fixture(scope="module")
def forkserver() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["etsysync_gui.sync.service", __name__])
    return context


def build_shop(env: Env) -> dict[int, list[str]]:
    """8 simple listings and 4 with three per-color pools; listing id -> its SKUs."""
    listings: dict[int, list[str]] = {}
    for n in range(8):
        listings[env.add(simple(f"S{n}", START))] = [f"S{n}"]
    for n in range(4):
        rows = [(c, f"V{n}-{c}", START, "9.00") for c in ("Red", "Blue", "Green")]
        listings[env.add(one_property(rows))] = [sku for _, sku, _, _ in rows]
    env.catalog({sku: START for skus in listings.values() for sku in skus})
    return listings


def sell(env: Env, listings: dict[int, list[str]], rng: random.Random) -> list[str]:
    """Three pools get a sale on both sides, one on Etsy only, one at home only.

    Each on a different listing; returns ``[both, both, both, etsy only, home only]``.
    """
    picked = [rng.choice(listings[lid]) for lid in rng.sample(sorted(listings), 5)]
    where = {sku: lid for lid, skus in listings.items() for sku in skus}
    for sku in picked[:4]:
        env.server.simulate_purchase(where[sku], 1, sku=sku)
    for sku in [*picked[:3], picked[4]]:
        env.set_local(sku, env.local(sku) - 1)
    return picked


def stock(env: Env, listings: dict[int, list[str]]) -> dict[str, tuple[int, int, int, int]]:
    """Per SKU: local, Etsy, base_local, base_etsy."""
    state = {}
    for lid, skus in listings.items():
        etsy, pools = env.etsy(lid), env.pools(lid)
        for sku in skus:
            pool = pools[f"sku:{sku}"]
            assert pool.base_local is not None
            assert pool.base_etsy is not None
            state[sku] = (env.local(sku), etsy[f"sku:{sku}"], pool.base_local, pool.base_etsy)
    return state


def fault_free(tmp_db: str) -> dict[str, tuple[int, int, int, int]]:
    """The same shop, sales and number of syncs, nothing killed."""
    database = Database.open(tmp_db)
    upgrade_to_head(database.engine)
    rng = random.Random(SEED)
    try:
        with make_env(database) as env:
            listings = build_shop(env)
            env.service(lease_ttl_s=TTL_S).sync_all("manual")
            for _ in range(RUNS):
                sell(env, listings, rng)
                rng.randint(1, 4 * EVENTS_PER_WRITE + 1)  # the kill moment, unused
                env.clock.advance(3600)
                assert env.service(lease_ttl_s=TTL_S).sync_all("scheduled").status == "completed"
            return stock(env, listings)
    finally:
        database.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("in_flight", [1, SyncOptions(shop_id=1).writes_in_flight])
def test_twenty_runs_killed_at_random_moments_end_as_without_faults(
    database: Database,
    db_url: str,
    tmp_path: Path,
    forkserver: multiprocessing.context.ForkServerContext,
    in_flight: int,
) -> None:
    rng = random.Random(SEED)
    with make_env(database) as env:
        listings = build_shop(env)
        sku_listing = {sku: lid for lid, skus in listings.items() for sku in skus}
        first = env.service(lease_ttl_s=TTL_S).sync_all("manual")
        assert first.status == "completed"
        assert first.counts.listings == len(listings)
        expected = dict.fromkeys(sku_listing, START)
        changed: Counter[str] = Counter()
        puts = 0
        kills_at: list[int] = []
        recovered = 0
        access, refresh, _ = env.server.issue_tokens()
        env.server.reset_stats()
        for run in range(RUNS):
            picked = sell(env, listings, rng)
            both, etsy_only, local_only = picked[:3], picked[3], picked[4]
            for sku in both:
                expected[sku] -= 2
            expected[etsy_only] -= 1
            expected[local_only] -= 1
            changed.update(picked)
            puts += 4  # three merges and one push write Etsy; the pull is local only
            events = 4 * EVENTS_PER_WRITE + 1  # ...and passes only ``after_commit``
            kill_after = rng.randint(1, events)
            kills_at.append(kill_after)

            env.clock.advance(3600)
            job = Job(
                db_url,
                env.server.base_url,
                env.server.token_url,
                env.server.keystring,
                env.server.shared_secret,
                access,
                refresh,
                env.shop_id,
                env.clock.now,
                kill_after,
                in_flight,
            )
            already_open = env.server.http.open_connections()
            child = forkserver.Process(target=child_sync, args=(job,))
            child.start()
            child.join(timeout=60)
            assert child.exitcode == KILLED, f"run {run}: exit {child.exitcode}"
            # With several writes in flight, the kill can leave a PUT on the wire; the
            # next run meets it once it has landed (or not), never half-way.
            left = env.server.http.open_connections() - already_open
            assert env.server.http.wait_closed(left), f"run {run}: the fake still busy"
            assert env.runs()[-1].status == "running"  # it died mid-run

            env.clock.advance(TTL_S + 1)
            if not sys.platform.startswith("linux"):  # no /proc: wait out the lease
                expire_lease(env)
            result = env.service(lease_ttl_s=TTL_S).sync_all("scheduled")
            assert result.status == "completed", (run, result.message)
            recovered += result.recovered
            assert env.runs()[-2].status == "failed"  # marked interrupted
            for sku, quantity in expected.items():
                pool = env.pools(sku_listing[sku])[f"sku:{sku}"]
                found = (env.local(sku), env.etsy(sku_listing[sku])[f"sku:{sku}"])
                assert found == (quantity, quantity), (run, kill_after, sku)
                assert (pool.base_local, pool.base_etsy) == (quantity, quantity), (run, sku)
        applied = Counter(
            (row.pool_key or "").removeprefix("sku:")
            for row in env.log()
            if row.sync_action != "no_change" and row.sync_result == "success"
        )
        assert applied == changed, "each decision logged exactly once"
        assert stock(env, listings) == fault_free(f"sqlite:///{tmp_path / 'calm.db'}")
        assert recovered > 0, "some kills came after Etsy was written"
        assert env.calls("updateListingInventory") == puts, "a landed write was not resent"
        assert len(set(kills_at)) > 5, kills_at  # killed at many different moments
