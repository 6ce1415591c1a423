"""Two ``etsysync sync`` processes at once on one database: one syncs, one exits 3.

Real processes (``python -m etsysync_gui.cli``, what the ``etsysync`` script
runs), configured only through the environment as cron would, against the
fake Etsy over HTTP.  Made deterministic without timing guesses: the fake
holds every Etsy request of the first process at a gate, so that process is
provably inside its run (holding the lease, seen in the database) for as long
as the test needs; the second starts only then, and the gate opens only after
the second has exited.  Runs on SQLite and PostgreSQL (the PostgreSQL case is
skipped, with its reason, only when no server is configured; CI fails instead).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.errors import EXIT_ALREADY_RUNNING
from tests.sync.test_support import Env, make_env, simple

WAIT_S = 60.0


class Gate:
    """A request observer for the fake Etsy: holds requests until ``open``."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self.held = threading.Event()

    def __call__(self, method: str, path: str, *_: object) -> None:
        self.held.set()
        self._open.wait(WAIT_S)

    def open(self) -> None:
        self._open.set()


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def env(database: Database, gate: Gate) -> Iterator[Env]:
    with make_env(database, request_observer=gate) as made:
        try:
            yield made
        finally:
            gate.open()  # never leave a request (or a process) hanging


def cli_env(env: Env, db_url: str) -> dict[str, str]:
    access, refresh, _ = env.server.issue_tokens()
    return {
        **os.environ,
        "ETSYSYNC_DATABASE_URL": db_url,
        "ETSY_SHOP_ID": str(env.shop_id),
        "ETSY_API_BASE_URL": env.server.base_url,
        "ETSY_OAUTH_TOKEN_URL": env.server.token_url,
        "ETSY_API_KEY": env.server.keystring,
        "ETSY_API_SECRET": env.server.shared_secret,
        "ETSY_ACCESS_TOKEN": access,
        "ETSY_REFRESH_TOKEN": refresh,
    }


def start_sync(environment: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "etsysync_gui.cli", "sync", "all"],
        env=dict(environment),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lease_holder(database: Database, shop_id: int) -> str | None:
    with database.session() as session:
        return session.scalar(
            select(EtsySyncConfig.lease_holder).where(EtsySyncConfig.shop_id == shop_id)
        )


def wait_for_lease(database: Database, shop_id: int, first: subprocess.Popen[str]) -> str:
    """Poll until the first process holds the lease (or has died, which fails the test)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        holder = lease_holder(database, shop_id)
        if holder is not None:
            return holder
        if first.poll() is not None:
            pytest.fail(f"the first sync ended early: {first.communicate()}")
        time.sleep(0.02)  # waiting on another process, not on the clock
    pytest.fail("the first sync never took the lease")


def test_two_syncs_started_together_one_runs_the_other_exits_3(
    env: Env, gate: Gate, db_url: str
) -> None:
    env.catalog({"MUG": 2})
    env.add(simple("MUG", 7))
    environment = cli_env(env, db_url)
    first = start_sync(environment)
    try:
        holder = wait_for_lease(env.database, env.shop_id, first)
        assert f":{first.pid}:" in holder
        assert gate.held.wait(WAIT_S), "the first sync is inside its run, at Etsy"
        second = start_sync(environment)
        out, err = second.communicate(timeout=WAIT_S)
        assert second.returncode == EXIT_ALREADY_RUNNING, (out, err)
        assert err.startswith("etsysync: a sync is already running since "), err
        assert f":{first.pid}:" in err  # it names the holder
        assert first.poll() is None, "the first sync was still running meanwhile"
    finally:
        gate.open()
        out, err = first.communicate(timeout=WAIT_S)
    assert first.returncode == 0, (out, err)
    assert "Sync completed." in out
    assert env.local("MUG") == 7  # the first sync pulled Etsy's stock
    runs = env.runs()
    assert [(r.status, r.trigger) for r in runs] == [("completed", "cli")]  # one run only
    assert lease_holder(env.database, env.shop_id) is None
