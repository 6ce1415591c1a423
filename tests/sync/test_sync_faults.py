"""Etsy misbehaving: 10% 5xx, 429 bursts and dropped connections, then convergence.

The same shop and the same sales on both sides are played twice: once
against a well-behaved fake Etsy, once against one that fails 10% of all
requests at random (seeded), answers bursts of 429s and drops connections,
some of them after the write was applied (the response is lost, the PUT is
not).  ``sync all`` is simply run again after a run that failed or left
listings in error, as the scheduler would.  Both shops must end identical:
local stock, Etsy stock, bases, and the audit log's decisions (so no
decision was applied, or logged, twice).  Played with one write at a time and
with the default number of writes in flight.

No real waiting: the client's limiter runs on a fake monotonic clock that its
own sleep advances (a 429's ``retry-after`` passes at once), and retries use
a no-op sleep (``make_client``).
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.ratelimit import RateLimiter
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.records import RunResult
from fake_etsy import FakeEtsyServer
from tests.sync.test_support import Env, make_client, make_env, one_property, simple

SEED = 20261202
ROUNDS = 4
MAX_RUNS = 12
DEFAULT_IN_FLIGHT = SyncOptions(shop_id=1).writes_in_flight
QUEUED = 13  # the queued faults below; the 10% rate adds more
WRITES = ("updateListingInventory", "updateListing")


class FakeMonotonic:
    """A monotonic clock that moves only when the limiter sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 1e-3)


def patient_client(server: FakeEtsyServer) -> EtsyClient:
    """``make_client``, but with a limiter that waits out 429 pauses on a fake clock."""
    mono = FakeMonotonic()
    limiter = RateLimiter(
        limit_per_second=1_000_000, limit_per_day=10**9, clock=mono, sleep=mono.sleep
    )
    return make_client(server, limiter=limiter)


# --- the scenario both shops live through ------------------------------------------------

COLORS = ("Red", "Blue", "Green")


def build_shop(env: Env) -> dict[str, int]:
    """12 simple listings and 6 with three per-color pools; returns sku -> listing id."""
    rng = random.Random(SEED)
    where: dict[str, int] = {}
    stock: dict[str, int] = {}
    for n in range(12):
        sku = f"S{n:02d}"
        stock[sku] = rng.randint(20, 40)
        where[sku] = env.add(simple(sku, rng.randint(20, 40)))
    for n in range(6):
        rows = [(c, f"V{n:02d}-{c}", rng.randint(20, 40), "12.50") for c in COLORS]
        listing_id = env.add(one_property(rows))
        for _, sku, _, _ in rows:
            stock[sku] = rng.randint(20, 40)
            where[sku] = listing_id
    env.catalog(stock)
    return where


def sell(env: Env, where: dict[str, int], rng: random.Random) -> None:
    """Between syncs: sales on Etsy, sales and restocks at home, some on both sides."""
    for sku in sorted(where):
        roll = rng.random()
        if roll < 0.25 or 0.5 <= roll < 0.6:
            env.server.simulate_purchase(where[sku], 1, sku=sku)
        if 0.25 <= roll < 0.6:
            env.set_local(sku, env.local(sku) - 1)
        elif 0.6 <= roll < 0.7:
            env.set_local(sku, env.local(sku) + 5)


def final_state(env: Env, where: dict[str, int]) -> dict[str, Any]:
    pools = {lid: env.pools(lid) for lid in set(where.values())}
    return {
        sku: (
            env.local(sku),
            env.etsy(where[sku])[f"sku:{sku}"],
            pools[where[sku]][f"sku:{sku}"].base_local,
            pools[where[sku]][f"sku:{sku}"].base_etsy,
        )
        for sku in where
    }


def decisions(env: Env) -> Counter[tuple[Any, ...]]:
    """Every applied decision in the log (the wording of a recovery note aside)."""
    return Counter(
        (r.etsy_listing_id, r.pool_key, r.sync_action, r.local_quantity, r.etsy_quantity)
        for r in env.log()
        if r.sync_result == "success"
    )


def play(
    env: Env, until_clean: bool, in_flight: int = DEFAULT_IN_FLIGHT
) -> tuple[dict[str, int], list[RunResult | str]]:
    """The first sync, then ``ROUNDS`` of sales each followed by sync(s)."""
    where = build_shop(env)
    rng = random.Random(SEED + 1)
    runs: list[RunResult | str] = []
    for round_no in range(ROUNDS + 1):
        if round_no:
            sell(env, where, rng)
        for _ in range(MAX_RUNS):
            env.clock.advance(600)  # a scheduled sync later; a failed run's lease is long gone
            try:
                result = env.service(writes_in_flight=in_flight).sync_all("scheduled")
            except EtsySyncError as exc:
                runs.append(exc.message)
                continue
            runs.append(result)
            if result.status == "completed" or not until_clean:
                break
        else:
            raise AssertionError(f"round {round_no}: no clean run in {MAX_RUNS}: {runs[-3:]}")
    return where, runs


@pytest.mark.parametrize("in_flight", [1, DEFAULT_IN_FLIGHT])
def test_faulty_etsy_converges_to_the_fault_free_state(
    database: Database, tmp_path: Path, in_flight: int
) -> None:
    calm_db = Database.open(f"sqlite:///{tmp_path / 'calm.db'}")
    upgrade_to_head(calm_db.engine)
    try:
        with make_env(calm_db, client_for=patient_client) as calm:
            where, calm_runs = play(calm, until_clean=False, in_flight=in_flight)
            assert all(isinstance(r, RunResult) and r.status == "completed" for r in calm_runs)
            expected, expected_log = final_state(calm, where), decisions(calm)
            calm_writes = sum(calm.calls(op) for op in WRITES)
            # Without faults every write request is accepted, and every run counted its own.
            counted = sum(r.counts.etsy_writes for r in calm_runs if isinstance(r, RunResult))
            assert counted == calm.server.stats.accepted_writes == calm_writes > 0
    finally:
        calm_db.dispose()

    with make_env(database, client_for=patient_client, fault_rate=0.10, seed=SEED) as faulty:
        faults = faulty.server.faults
        faults.rate_limit_next(6, retry_after=2)  # a 429 burst on the first reads
        faults.drop_next(2, operations=["getListingsByShop"])
        faults.drop_next(3, operations=["updateListingInventory"], after_effect=True)
        faults.fail_next(2, status=503, operations=["updateListingInventory"], after_effect=True)
        where_f, runs = play(faulty, until_clean=True, in_flight=in_flight)
        stats = faulty.server.stats
        assert where_f == where
        assert final_state(faulty, where) == expected
        assert decisions(faulty) == expected_log
        assert all(p.pending_write is None for p in map(faulty.listing_row, set(where.values())))
        # The faults were real: injected, 429s answered, some runs needed another go.
        assert stats.faults_injected > QUEUED
        assert stats.rate_limited >= 6
        assert faults.pending() == 0
        if in_flight == 1:
            # One write at a time, the seeded faults meet the same requests every time,
            # and some of them make a run fail.  With several in flight, which request
            # meets which fault varies from run to run (the asserts above show the
            # faults were real), so whether a run needs another go varies too.
            assert len(runs) > ROUNDS + 1, runs
        # Retried PUTs may repeat a write, never a decision: Etsy's stock says so above.
        assert sum(faulty.calls(op) for op in WRITES) >= calm_writes
        # What the runs counted is what Etsy answered "done" to, failed runs included.
        assert sum(row.etsy_writes for row in faulty.runs()) == stats.accepted_writes


def test_the_scenario_has_sales_on_both_sides_and_merges(database: Database) -> None:
    """The fault test means something only if its rounds really push, pull and merge."""
    with make_env(database, client_for=patient_client) as env:
        _, runs = play(env, until_clean=False)
        results = [r for r in runs if isinstance(r, RunResult)]
        assert sum(r.counts.pushes for r in results) > 0
        assert sum(r.counts.pulls for r in results) > 0
        assert sum(r.counts.merges for r in results) > 0
