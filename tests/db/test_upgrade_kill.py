"""A crash at any statement of any migration: the next start finishes the upgrade or restores.

Why: an upgrade killed half-way used to leave SQLite files that no later
start could open ("table sync_runs already exists", 95 of 103 kill points).
``tests/db/kill_upgrade.py`` kills a real upgrade (SIGKILL from a hook on
SQLAlchemy's cursor events) just before and just after every statement, from
an empty database and from every older revision, and then starts normally.

* ``new``: today's upgrade.  The kill must leave the database exactly at the
  revision it started from (nothing half-applied), and the next start must
  upgrade it with the seller's rows intact and at most one copy per step.
* ``legacy`` (SQLite): the older builds' upgrade (DDL outside a transaction)
  makes half-upgraded files; the next start must repair or restore each one.

SQLite's own upgrade is killed at every statement in every run; PostgreSQL and
the legacy mode at a seeded sample of 40 points per starting revision unless
``UPGRADE_KILL_ALL=1``.  Set ``UPGRADE_KILL_REPORT`` to a file name to keep
the counts as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import postgres_base_url

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill helper forks")

ROOT = Path(__file__).resolve().parents[2]
STARTS: list[str | None] = [None, "0001", "0002", "0003"]
# PostgreSQL and the older builds' upgrade: a seeded sample of kill points per starting
# revision (PostgreSQL trials are slow); UPGRADE_KILL_ALL=1 kills at every one of them.
SAMPLE = None if os.environ.get("UPGRADE_KILL_ALL") else 40


def _kill_everywhere(config: dict[str, Any]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.db.kill_upgrade", json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    report = os.environ.get("UPGRADE_KILL_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as out:
            for summary in summaries:
                out.write(json.dumps({"backend": config["backend"], **summary}) + "\n")
    for summary in summaries:
        print(config["backend"], json.dumps(summary))
    assert [s["start"] for s in summaries] == config["starts"]
    return summaries


def _check_new(summaries: list[dict[str, Any]], sample: int | None) -> None:
    for s in summaries:
        assert s["failures"] == [], s["failures"][:5]
        assert s["statements"] > 0
        assert s["trials"] == min(2 * s["statements"], sample or 10**6)
        assert s["killed"] == s["trials"], s
        # Never half-applied: the old schema, or (killed after the commit) the new one.
        assert set(s["left"]) <= {"start", "head"}, s
        assert s["outcomes"].get("finished", 0) == s["left"].get("start", 0), s
        assert s["outcomes"].get("already at head", 0) == s["left"].get("head", 0), s


@pytest.mark.slow
def test_sqlite_killed_at_any_statement_is_left_untouched_and_upgraded_next(
    tmp_path: Path,
) -> None:
    config = {"backend": "sqlite", "mode": "new", "folder": str(tmp_path), "starts": STARTS}
    _check_new(_kill_everywhere(config), None)  # every statement, always


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_killed_at_any_statement_is_left_untouched_and_upgraded_next(
    tmp_path: Path,
) -> None:
    config = {
        "backend": "postgresql",
        "mode": "new",
        "folder": str(tmp_path),
        "starts": STARTS,
        "pg_base": postgres_base_url(),
        "sample": SAMPLE,
    }
    _check_new(_kill_everywhere(config), SAMPLE)


@pytest.mark.slow
def test_sqlite_half_upgraded_by_an_older_build_is_repaired_or_restored(tmp_path: Path) -> None:
    config = {
        "backend": "sqlite",
        "mode": "legacy",
        "folder": str(tmp_path),
        "starts": STARTS,
        "sample": SAMPLE,
    }
    summaries = _kill_everywhere(config)
    for s in summaries:
        assert s["failures"] == [], s["failures"][:5]
        assert s["killed"] == s["trials"] > 0, s
        assert set(s["outcomes"]) <= {"finished", "restored", "repaired"}, s
    half = sum(s["left"].get("half-applied", 0) for s in summaries)
    assert half > 0  # the older build's upgrade did leave broken files to repair
