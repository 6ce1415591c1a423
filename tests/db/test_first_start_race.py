"""Two processes starting on a brand-new SQLite file: one creates the tables, the other waits.

Why: before the upgrade ran under SQLite's write lock, both processes read "no
schema yet" and both created tables; the loser exited 2 with "table ...
already exists" (6 of 10 trials).  Now the second one waits for the lock and
finds the schema done (exit 0), or, if the first holds it past the wait, exits
3 with a "busy" message.  Real processes (the CLI's ``migrate``), released
together from a pipe once their imports are done, with seeded small offsets so
the trials meet at different points.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etsysync_gui.db import engine as engine_module
from etsysync_gui.db.migrate import head_revision
from tests.clock import FakeClock

# Imports done, the process waits for a line on stdin, then runs `etsysync migrate`.
RACER = """
import sys, time
from etsysync_gui.cli import main
delay = float(sys.argv[1])
sys.stdin.readline()
time.sleep(delay)
raise SystemExit(main(["--profile", "t", "migrate"]))
"""

TRIALS = 6


def _race(home: Path, delays: tuple[float, float]) -> list[tuple[int, str]]:
    env = {"ETSYSYNC_HOME": str(home), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for delay in delays
    ]
    for racer in racers:  # both are blocked on stdin until now
        assert racer.stdin is not None
        racer.stdin.write("go\n")
        racer.stdin.flush()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        results.append((racer.returncode, out + err))
    return results


@pytest.mark.slow
def test_two_first_starts_on_a_new_file_create_the_tables_once(tmp_path: Path) -> None:
    rng = random.Random(15)
    started = time.monotonic()
    for trial in range(TRIALS):
        home = tmp_path / f"trial-{trial}"
        delays = (rng.uniform(0, 0.03), rng.uniform(0, 0.03))
        results = _race(home, delays)
        codes = sorted(code for code, _ in results)
        for code, output in results:
            assert "already exists" not in output, output
            assert code in (0, 3), output
            if code == 3:
                assert "busy" in output, output
        assert codes[0] == 0, results  # at least one start got through
        upgraded = [out for code, out in results if code == 0 and "Upgraded" in out]
        assert len(upgraded) == 1, results  # exactly one created the tables
        with sqlite3.connect(home / "data" / "t.db") as conn:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        assert rows == [(head_revision(),)]
    assert time.monotonic() - started < 300


class _CursorLockedAtFirst:
    """A cursor whose WAL switch answers "database is locked" ``times`` times, as SQLite
    does (without calling its busy handler) while another start converts a new file."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.statements: list[str] = []

    def execute(self, sql: str) -> None:
        self.statements.append(sql)
        if sql == "PRAGMA journal_mode=WAL" and self.left > 0:
            self.left -= 1
            raise sqlite3.OperationalError("database is locked")


def test_the_wal_switch_waits_out_a_lock_that_skips_the_busy_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(engine_module.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(engine_module.time, "sleep", clock.sleep)
    cursor = _CursorLockedAtFirst(times=5)
    engine_module._switch_to_wal(cursor)  # type: ignore[arg-type]
    assert cursor.statements.count("PRAGMA journal_mode=WAL") == 6
    assert clock.monotonic() < 1  # short pauses, not the whole timeout


def test_the_wal_switch_gives_up_after_the_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(engine_module.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(engine_module.time, "sleep", clock.sleep)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        engine_module._switch_to_wal(_CursorLockedAtFirst(times=10**6))  # type: ignore[arg-type]
    assert clock.monotonic() <= engine_module.SQLITE_BUSY_TIMEOUT_MS / 1000
