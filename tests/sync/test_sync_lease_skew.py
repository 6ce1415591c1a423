"""Two machines whose clocks are 10 minutes apart share one database: one syncs at a time.

Before, the lease compared expiries written by one machine's clock with the
other machine's clock: the machine 5 minutes behind wrote an expiry that was
already past for the machine 5 minutes ahead, so both synced (10 of 10), one
crashed with ``PendingWriteExists`` (exit 70) and sales were applied twice.

Each trial: sales on Etsy, at home or both; machine A (clock 5 minutes ahead
or behind, seeded) starts ``sync all``; at a seeded step of A's write sequence
(a hook, so the interleaving is exact and needs no sleep), machine B -- its
own ``Database`` engine, its own Etsy client, its clock 10 minutes off A's --
starts ``sync all`` too.  B must be refused as busy (in the CLI: exit 3), A
must complete, and every quantity must equal the arithmetic (no sale applied
twice).  The CLI trials run B as a real ``etsysync`` process, whose clock is
the machine's, against a holder 5 minutes behind it.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.errors import EXIT_ALREADY_RUNNING
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.lease import SyncAlreadyRunning
from etsysync_gui.sync.service import SyncService
from tests.clock import FakeClock
from tests.sync.test_support import Env, make_client, make_env, simple
from tests.sync.test_sync_cli_race import cli_env

SEED = 1515
TRIALS = 10
CLI_TRIALS = 2
LISTINGS = 6
START = 50
SKEW = timedelta(minutes=5)


class InterjectAt(SyncHooks):
    """Calls ``interject`` once, at the ``at``-th step of the write sequence."""

    def __init__(self, at: int, interject: Callable[[], None]) -> None:
        self.left = at
        self.interject = interject
        self.steps = 0

    def _step(self, _listing_id: int) -> None:
        self.steps += 1
        self.left -= 1
        if self.left == 0:
            self.interject()

    before_write_ahead = after_write_ahead = after_put = after_commit = _step


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database) as made:
        yield made


def machine(env: Env, database: Database, clock: FakeClock, hooks: SyncHooks) -> SyncService:
    """A sync service as another machine would run it: own engine, client and clock."""
    client = make_client(env.server)
    return SyncService(
        database, lambda: client, SyncOptions(shop_id=env.shop_id), clock=clock.utcnow, hooks=hooks
    )


def build_shop(env: Env) -> dict[str, int]:
    listings = {f"S{n}": env.add(simple(f"S{n}", START)) for n in range(LISTINGS)}
    env.catalog(dict.fromkeys(listings, START))
    assert env.service().sync_all("manual").status == "completed"
    return listings


def sell(env: Env, listings: dict[str, int], rng: random.Random, expected: dict[str, int]) -> int:
    """A sale on Etsy only, one at home only, one on both sides; returns the write steps."""
    etsy_only, home_only, both = rng.sample(sorted(listings), 3)
    for sku in (etsy_only, both):
        env.server.simulate_purchase(listings[sku], 1, sku=sku)
    for sku in (home_only, both):
        env.set_local(sku, env.local(sku) - 1)
    expected[etsy_only] -= 1
    expected[home_only] -= 1
    expected[both] -= 2
    return 1 + 2 * 4  # the pull passes after_commit; push and merge pass all four steps


def check_stock(env: Env, listings: dict[str, int], expected: dict[str, int]) -> None:
    for sku, lid in listings.items():
        pool = env.pools(lid)[f"sku:{sku}"]
        found = (env.local(sku), env.etsy(lid)[f"sku:{sku}"], pool.base_local, pool.base_etsy)
        assert found == (expected[sku],) * 4, (sku, found)


def test_clocks_ten_minutes_apart_one_syncs_the_other_is_busy(
    env: Env, db_url: str, database: Database
) -> None:
    rng = random.Random(SEED)
    listings = build_shop(env)
    expected = dict.fromkeys(listings, START)
    other_db = Database.open(db_url)
    real = datetime.now(UTC)
    ahead, behind = FakeClock(real + SKEW), FakeClock(real - SKEW)
    firsts: list[str] = []
    try:
        for trial in range(TRIALS):
            steps = sell(env, listings, rng, expected)
            first_ahead = rng.random() < 0.5
            firsts.append("ahead" if first_ahead else "behind")
            refused: list[BaseException] = []

            def second_sync(
                clock: FakeClock = behind if first_ahead else ahead,
                refused: list[BaseException] = refused,
            ) -> None:
                try:
                    machine(env, other_db, clock, SyncHooks()).sync_all("scheduled")
                except SyncAlreadyRunning as exc:
                    refused.append(exc)

            hooks = InterjectAt(rng.randint(1, steps), second_sync)
            first = machine(env, database, ahead if first_ahead else behind, hooks)
            result = first.sync_all("scheduled")
            assert result.status == "completed", (trial, result.message)
            assert len(refused) == 1, (trial, "the second machine synced too")
            assert refused[0].message.startswith("a sync is already running since ")
            check_stock(env, listings, expected)
            ahead.advance(3600)
            behind.advance(3600)
    finally:
        other_db.dispose()
    assert {"ahead", "behind"} <= set(firsts)  # both orders were tried
    assert [r.status for r in env.runs()] == ["completed"] * (TRIALS + 1)


def test_the_cli_on_a_machine_ahead_exits_3_while_a_sync_behind_holds_the_lease(
    env: Env, db_url: str, database: Database
) -> None:
    rng = random.Random(SEED + 1)
    listings = build_shop(env)
    expected = dict.fromkeys(listings, START)
    behind = FakeClock(datetime.now(UTC) - SKEW)
    for trial in range(CLI_TRIALS):
        steps = sell(env, listings, rng, expected)
        exits: list[tuple[int, str]] = []

        def cli_sync(exits: list[tuple[int, str]] = exits) -> None:
            done = subprocess.run(
                [sys.executable, "-m", "etsysync_gui.cli", "sync", "all"],
                env=cli_env(env, db_url),
                capture_output=True,
                text=True,
                timeout=120,
            )
            exits.append((done.returncode, done.stderr))

        hooks = InterjectAt(rng.randint(1, steps), cli_sync)
        result = machine(env, database, behind, hooks).sync_all("scheduled")
        assert result.status == "completed", (trial, result.message)
        assert len(exits) == 1, (trial, exits)
        assert exits[0][0] == EXIT_ALREADY_RUNNING, (trial, exits)
        assert exits[0][1].startswith("etsysync: a sync is already running since "), exits
        check_stock(env, listings, expected)
        behind.advance(3600)
