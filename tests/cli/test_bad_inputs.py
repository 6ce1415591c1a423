"""Every bad input in docs/troubleshooting.md's table gets its message and exit code, never 70.

The table is read from the document, so the promise and the test cannot drift:
each row names a case, part of the message and the exit code, and a runner
below reproduces the input as a user (or a hostile local program) would.
Most run ``etsysync`` as a child process; the few that need a fault injected
(a full disk under SQLite, a held write lock, an unwritable log) run
``cli.main`` in-process.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from etsysync_gui import logging_setup
from etsysync_gui.cli import main
from etsysync_gui.db import engine as engine_module
from etsysync_gui.etsy.oauth.listener import LoopbackListener
from etsysync_gui.logging_setup import shutdown_logging
from tests.conftest import PG_URL_ENV
from tests.oauth.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
EXIT_INTERNAL = 70
NO_KEYCHAIN = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
APP_KEYS = {"ETSY_API_KEY": "abcdefghijkl", "ETSY_API_SECRET": "secret-value-1"}


@dataclass(frozen=True)
class Row:
    case: str
    message: str | None  # None: nothing may be printed on stderr
    code: int


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def _table() -> list[Row]:
    doc = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    section = doc.split("## Bad input: every message and exit code", 1)[1]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        quoted = re.search(r'"([^"]+)"', cells[2])
        code = re.match(r"\d+", cells[3])
        assert code is not None, line
        rows.append(Row(cells[0].strip("`"), quoted.group(1) if quoted else None, int(code[0])))
    return rows


def _run(*args: str, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE) -> Outcome:
    full = dict(os.environ) | (env or {})
    done = subprocess.run(
        [sys.executable, "-m", "etsysync_gui.cli", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )
    return Outcome(done.returncode, done.stdout or "", done.stderr)


def _in_process(capsys: pytest.CaptureFixture[str], *args: str) -> Outcome:
    code = main(list(args))
    out, err = capsys.readouterr()
    return Outcome(code, out, err)


def _config_file(home: Path, body: str) -> Path:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


@contextmanager
def _postgres_url() -> Iterator[str | None]:
    base = os.environ.get(PG_URL_ENV, "")
    if not base:
        yield None
        return
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _import_everywhere(tmp: Path, body: str) -> Outcome:
    """Import on SQLite and (when configured) PostgreSQL; both must answer the same."""
    csv = tmp / "bad.csv"
    csv.write_text(body, encoding="utf-8")
    outcomes = []
    with _postgres_url() as pg:
        for url in [f"sqlite:///{tmp / 'csv.db'}", *([pg] if pg else [])]:
            outcomes.append(_run("catalog", "import", str(csv), env={"ETSYSYNC_DATABASE_URL": url}))
    assert len({o.code for o in outcomes}) == 1, outcomes
    return outcomes[-1]


# -- runners, one per case ---------------------------------------------------------------------


def closed_pipe(tmp: Path, **_: Any) -> Outcome:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return _run("config", "show", stdout=writer)
    finally:
        os.close(writer)


def stdout_full(tmp: Path, **_: Any) -> Outcome:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    with open("/dev/full", "w", encoding="utf-8") as full:
        return _run("config", "show", stdout=full)


def import_disk_full(tmp: Path, capsys: pytest.CaptureFixture[str], **kw: Any) -> Outcome:
    monkeypatch: pytest.MonkeyPatch = kw["monkeypatch"]
    db_file = tmp / "full.db"
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", f"sqlite:///{db_file}")
    assert _in_process(capsys, "migrate").code == 0
    with sqlite3.connect(db_file) as probe:
        pages = int(probe.execute("PRAGMA page_count").fetchone()[0])
    original = engine_module._on_sqlite_connect

    def small_disk(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        original(dbapi_conn, record)
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 3}")

    monkeypatch.setattr(engine_module, "_on_sqlite_connect", small_disk)
    csv = tmp / "big.csv"
    csv.write_text("sku,quantity,title\n" + "".join(f"S{i},1,{'t' * 300}\n" for i in range(3000)))
    return _in_process(capsys, "catalog", "import", str(csv))


def database_busy(tmp: Path, capsys: pytest.CaptureFixture[str], **kw: Any) -> Outcome:
    monkeypatch: pytest.MonkeyPatch = kw["monkeypatch"]
    db_file = tmp / "busy.db"
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", f"sqlite:///{db_file}")
    assert _in_process(capsys, "migrate").code == 0
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    csv = tmp / "c.csv"
    csv.write_text("sku,quantity\nA,1\n")
    holder = sqlite3.connect(db_file, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # what a long import holds
        return _in_process(capsys, "catalog", "import", str(csv))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def formula_export(tmp: Path, **_: Any) -> Outcome:
    env = {"ETSYSYNC_DATABASE_URL": f"sqlite:///{tmp / 'f.db'}"}
    source, out = tmp / "in.csv", tmp / "out.csv"
    source.write_text("sku,quantity\n\"=cmd|' /C calc'!A0\",1\n", encoding="utf-8")
    assert _run("catalog", "import", str(source), env=env).code == 0
    result = _run("catalog", "export", str(out), env=env)
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("'=cmd|")
    again = _run("catalog", "import", str(out), env=env)
    assert again.code == 0
    assert "1 unchanged" in again.out
    return result


def deep_toml(tmp: Path, home: Path, **_: Any) -> Outcome:
    _config_file(home, "x = " + "[" * 5000 + "]" * 5000 + "\n")
    return _run("config", "show")


def newer_key(tmp: Path, home: Path, **_: Any) -> Outcome:
    _config_file(home, "[profiles.production]\nshop_id = 7\nfuture_option = true\n")
    result = _run("config", "show")
    assert re.search(r"shop_id\s+7", result.out), result.out
    return result


def password_in_file(tmp: Path, home: Path, **_: Any) -> Outcome:
    _config_file(home, '[profiles.production]\ndatabase_url = "postgresql://u:pw-1@db/x"\n')
    result = _run("config", "show")
    assert "pw-1" not in result.err
    return result


def symlinked_config(tmp: Path, home: Path, **_: Any) -> Outcome:
    target = tmp / "dotfiles" / "etsysync.toml"
    target.parent.mkdir()
    target.write_text("[profiles.production]\nshop_id = 1\n", encoding="utf-8")
    link = home / "config" / "config.toml"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    result = _run("config", "set", "shop_id", "2")
    assert link.is_symlink()
    assert "shop_id = 2" in target.read_text(encoding="utf-8")
    return result


def log_disk_full(tmp: Path, capsys: pytest.CaptureFixture[str], **kw: Any) -> Outcome:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    monkeypatch: pytest.MonkeyPatch = kw["monkeypatch"]
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", f"sqlite:///{tmp / 'log.db'}")
    monkeypatch.setattr(
        logging_setup._PrivateRotatingFileHandler,
        "_open",
        lambda self: open("/dev/full", "w", encoding="utf-8"),  # noqa: SIM115
    )
    result = _in_process(capsys, "migrate")
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    return result


def malformed_redirect_request(tmp: Path, **_: Any) -> Outcome:
    port = free_port()
    listener = LoopbackListener(f"http://localhost:{port}/oauth/redirect", "state-123").start()
    cancel = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(listener.wait, cancel)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                raw.sendall(b"GET http://[::1/oauth/redirect?code=x HTTP/1.1\r\n\r\n")
                answer = raw.recv(200).decode("latin-1").splitlines()[0]
            still_waiting = not waiting.done()
        finally:
            cancel.set()
    return Outcome(0 if still_waiting else EXIT_INTERNAL, "", answer)


RUNNERS: dict[str, Callable[..., Outcome]] = {
    "closed-pipe": closed_pipe,
    "stdout-full": stdout_full,
    "import-disk-full": import_disk_full,
    "database-busy": database_busy,
    "huge-listing-id": lambda tmp, **_: _run("unlink", "99999999999999999999"),
    "odd-limit": lambda tmp, **_: _run("log", "--limit", "1_0"),
    "empty-file-name": lambda tmp, **_: _run("catalog", "import", ""),
    "long-title": lambda tmp, **_: _import_everywhere(
        tmp, f"sku,quantity,title\nA,1,{'t' * 501}\n"
    ),
    "nul-in-sku": lambda tmp, **_: _import_everywhere(tmp, "sku,quantity\nA\x00B,1\n"),
    "huge-price": lambda tmp, **_: _import_everywhere(tmp, "sku,quantity,price\nA,1,99999999999\n"),
    "underscore-quantity": lambda tmp, **_: _import_everywhere(tmp, "sku,quantity\nA,1_0\n"),
    "fullwidth-quantity": lambda tmp, **_: _import_everywhere(tmp, "sku,quantity\nA,１２\n"),
    "duplicate-header": lambda tmp, **_: _import_everywhere(tmp, "sku,quantity,Quantity\nA,1,2\n"),
    "formula-export": formula_export,
    "deep-toml": deep_toml,
    "newer-key": newer_key,
    "password-in-file": password_in_file,
    "bad-redirect": lambda tmp, **_: _run(
        "config", "set", "redirect_uri", "https://localhost:3003/cb"
    ),
    "symlinked-config": symlinked_config,
    "log-disk-full": log_disk_full,
    "no-keychain-login": lambda tmp, **_: _run(
        "auth", "login", "--no-browser", env=NO_KEYCHAIN | APP_KEYS
    ),
    "env-credentials-status": lambda tmp, **_: _run(
        "auth",
        "status",
        env=NO_KEYCHAIN | APP_KEYS | {"ETSY_ACCESS_TOKEN": "1.a", "ETSY_REFRESH_TOKEN": "1.r"},
    ),
    "malformed-redirect-request": malformed_redirect_request,
}
TABLE = _table()


@pytest.fixture(autouse=True)
def _logging_closed() -> Iterator[None]:
    yield
    shutdown_logging()


def test_every_runner_has_a_row_and_every_row_a_runner() -> None:
    assert sorted(row.case for row in TABLE) == sorted(RUNNERS)


@pytest.mark.parametrize("row", TABLE, ids=[row.case for row in TABLE])
def test_bad_input_gets_the_documented_message_and_exit_code(
    row: Row,
    tmp_path: Path,
    isolated_environment: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outcome = RUNNERS[row.case](
        tmp_path, home=isolated_environment, capsys=capsys, monkeypatch=monkeypatch
    )
    assert outcome.code != EXIT_INTERNAL, outcome
    assert outcome.code == row.code, outcome
    assert "Traceback" not in outcome.err
    if row.message is None:
        assert outcome.err == "", outcome
    else:
        assert row.message in outcome.out + outcome.err, outcome
