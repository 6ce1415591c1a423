"""Test-suite wide fixtures.

- Qt runs offscreen (set before anything imports Qt).
- Every test gets its own EtsySync home folder and a clean environment, so a
  developer's real configuration, keychain or Etsy variables never leak in.
- ``db_url`` / ``database`` run each database test twice: on SQLite and on the
  PostgreSQL server named by ETSYSYNC_TEST_POSTGRES_URL (``.ci/run`` starts
  one).  Each PostgreSQL case gets a schema of its own, dropped afterwards.
  Without that variable a local run skips the PostgreSQL cases and says why;
  under CI (CI=true) a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head

PG_URL_ENV = "ETSYSYNC_TEST_POSTGRES_URL"
_APP_ENV_PREFIXES = ("ETSY_", "ETSYSYNC_")
_APP_ENV_NAMES = ("LOG_LEVEL",)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private EtsySync home and working folder; no app variables from the outside."""
    for name in list(os.environ):
        if name == PG_URL_ENV:
            continue
        if name.startswith(_APP_ENV_PREFIXES) or name in _APP_ENV_NAMES:
            monkeypatch.delenv(name)
    home = tmp_path_factory.mktemp("etsysync-home")
    monkeypatch.setenv("ETSYSYNC_HOME", str(home))
    workdir = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(workdir)
    return home


def postgres_base_url() -> str:
    url = os.environ.get(PG_URL_ENV, "")
    if not url:
        if _in_ci():
            pytest.fail(f"{PG_URL_ENV} is not set under CI: .ci/run must start PostgreSQL")
        pytest.skip(f"PostgreSQL case skipped: set {PG_URL_ENV} (see README, 'Running the tests')")
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = postgres_base_url()
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


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database, fresh for each test, on each backend in turn."""
    db = Database.open(db_url)
    upgrade_to_head(db.engine)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def no_token_reread_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """A revoked token is re-read a few times ~0.2 s apart (``etsy.oauth.rotation``)
    before it counts as revoked; tests that build clients from settings cannot
    inject a sleep, so the pause is zero here (tests/etsy/test_token_rotation_race
    injects its own sleep and checks the pauses)."""
    from etsysync_gui.etsy.oauth import rotation

    monkeypatch.setattr(rotation, "RELOAD_WAIT_S", 0.0)
