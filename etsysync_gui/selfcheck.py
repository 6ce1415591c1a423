"""``etsysync-gui --self-check``: prove an installed or bundled app is complete.

A frozen bundle fails in ways a checkout never does: a migration script left
out, an icon not collected, a keyring backend imported by name and so missed by
the bundler.  The self-check exercises each of those without a screen or a
network and prints one line per check; it exits 0 only if all pass.  CI runs it
on the PyInstaller bundle.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def _imports() -> str:
    import alembic  # noqa: F401
    import apscheduler  # noqa: F401
    import httpx  # noqa: F401
    import psycopg  # noqa: F401
    import sqlalchemy
    from PySide6 import QtCore

    return f"SQLAlchemy {sqlalchemy.__version__}, Qt {QtCore.qVersion()}"


def _resources() -> str:
    from etsysync_gui.paths import migrations_dir, resources_dir

    icon = resources_dir() / "icons" / "etsysync.svg"
    if not icon.is_file():
        raise FileNotFoundError(f"icon missing: {icon}")
    scripts = sorted((migrations_dir() / "versions").glob("*.py"))
    if not (migrations_dir() / "env.py").is_file() or not scripts:
        raise FileNotFoundError(f"migrations missing under {migrations_dir()}")
    return f"{len(scripts)} migrations, resources at {resources_dir()}"


def _migrations() -> str:
    from etsysync_gui.db.engine import Database
    from etsysync_gui.db.migrate import head_revision, upgrade_to_head

    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'selfcheck.db'}")
        try:
            result = upgrade_to_head(database.engine)
        finally:
            database.dispose()
    if result.after != head_revision():
        raise RuntimeError(f"database at {result.after}, expected {head_revision()}")
    return f"temporary database migrated to {result.after}"


def _keychain() -> str:
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if type(backend).__module__ == "keyring.backends.fail":
        # Reported, not failed: a bundle is complete even on a machine with no keychain.
        return f"keyring backend {name} (no keychain available on this machine)"
    return f"keyring backend {name}"


def _sqlite_driver() -> str:
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("imports", _imports),
    ("resources", _resources),
    ("sqlite", _sqlite_driver),
    ("migrations", _migrations),
    ("keychain", _keychain),
)


def run_self_check(out: TextIO = sys.stdout) -> int:
    """Run every check; print ``ok``/``FAILED`` lines; return the exit code."""
    failed = 0
    for name, check in CHECKS:
        try:
            detail = check()
        except Exception as exc:  # report every failure, not just the first
            failed += 1
            print(f"FAILED {name}: {type(exc).__name__}: {exc}", file=out)
        else:
            print(f"ok     {name}: {detail}", file=out)
    print("self-check passed" if not failed else f"self-check: {failed} check(s) failed", file=out)
    return 0 if not failed else 1
