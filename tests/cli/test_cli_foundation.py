"""The ``etsysync`` command on the foundation: migrate, status, config, catalog, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.cli.helpers import run_cli

TABLES = {
    "products",
    "product_variants",
    "etsy_sync_config",
    "etsy_products",
    "etsy_inventory_sync_log",
}


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_migrate_creates_every_table_then_changes_nothing(db_url: str) -> None:
    env = {"ETSYSYNC_DATABASE_URL": db_url}
    first = run_cli("--profile", "t", "migrate", env=env)
    assert first.code == 0, first.stderr
    assert "Upgraded" in first.stdout
    engine = create_engine(_engine_url(db_url))
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
    second = run_cli("--profile", "t", "migrate", env=env)
    assert second.code == 0
    assert "nothing to do" in second.stdout


def test_default_database_is_sqlite_in_the_data_folder(isolated_environment: Path) -> None:
    result = run_cli("--profile", "t", "migrate")
    assert result.code == 0, result.stderr
    assert (isolated_environment / "data" / "t.db").is_file()


def test_status_json_reports_database_revision_and_counts(db_url: str, tmp_path: Path) -> None:
    env = {"ETSYSYNC_DATABASE_URL": db_url}
    csv = tmp_path / "c.csv"
    csv.write_text("sku,quantity\nA,1\nB,2\n", encoding="utf-8")
    assert run_cli("catalog", "import", str(csv), env=env).code == 0
    result = run_cli("status", "--json", env=env)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["schema_revision"] == report["schema_head"] is not None
    assert report["catalog_variants"] == 2
    assert report["shops"] == []
    assert report["profile"] == "production"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ETSYSYNC_DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/nothing"},
            "Cannot connect to the PostgreSQL database",
        ),
        ({"ETSYSYNC_DATABASE_URL": "not a url at all"}, "database URL"),
        ({"ETSYSYNC_DATABASE_URL": "mysql://u@h/db"}, "Unsupported database"),
        ({"ETSYSYNC_DATABASE_URL": "sqlite://"}, "needs a file path"),
    ],
)
def test_bad_database_settings_get_one_clear_line(env: dict[str, str], expected: str) -> None:
    result = run_cli("migrate", env=env)
    assert result.code == 2
    assert len(result.stderr_lines) == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert ":pw@" not in result.stderr  # the password is never echoed


def test_unwritable_data_folder_is_reported(isolated_environment: Path) -> None:
    (isolated_environment / "data").write_text("a file where a folder should be")
    result = run_cli("migrate")
    assert result.code == 2
    assert len(result.stderr_lines) == 1, result.stderr
    assert str(isolated_environment / "data") in result.stderr


def test_corrupt_config_names_the_file_and_line(isolated_environment: Path) -> None:
    config = isolated_environment / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('default_profile = "production"\n[profiles.production\nshop_id = 1\n')
    result = run_cli("status")
    assert result.code == 2
    assert len(result.stderr_lines) == 1, result.stderr
    assert str(config) in result.stderr
    assert "line 2" in result.stderr


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sku,qty\nA,1\n", "missing required column(s) quantity"),
        ("sku,quantity\nA,many\n", "line 2: quantity 'many' is not a whole number"),
        ("sku,quantity\nA,-3\n", "line 2: quantity -3 is negative"),
        ("sku,quantity\nA,1\nA,2\n", "line 3: duplicate sku 'A' (first seen on line 2)"),
    ],
)
def test_bad_csv_is_refused_and_changes_nothing(
    db_url: str, tmp_path: Path, body: str, expected: str
) -> None:
    env = {"ETSYSYNC_DATABASE_URL": db_url}
    good = tmp_path / "good.csv"
    good.write_text("sku,quantity\nKEEP,5\n", encoding="utf-8")
    assert run_cli("catalog", "import", str(good), env=env).code == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(body, encoding="utf-8")
    result = run_cli("catalog", "import", str(bad), env=env)
    assert result.code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    engine = create_engine(_engine_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sku, quantity FROM product_variants")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("KEEP", 5)]


def test_config_set_and_show_round_trip(isolated_environment: Path) -> None:
    assert run_cli("--profile", "staging", "config", "set", "shop_id", "12345").code == 0
    shown = run_cli("--profile", "staging", "config", "show")
    assert shown.code == 0
    assert "12345" in shown.stdout
    bad = run_cli("--profile", "staging", "config", "set", "shop_id", "twelve")
    assert bad.code == 2, bad.stderr
    assert len(bad.stderr_lines) == 1, bad.stderr


def test_secrets_from_the_environment_never_reach_config_database_or_logs(
    isolated_environment: Path, tmp_path: Path
) -> None:
    secret = "sh4red-s3cret-value-XYZ"
    token = "123456789.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    refresh = "123456789.ReFrEsHtOkEnVaLuE0123456789abcdef"
    env = {
        "ETSY_API_KEY": "keystring123",
        "ETSY_API_SECRET": secret,
        "ETSY_ACCESS_TOKEN": token,
        "ETSY_REFRESH_TOKEN": refresh,
        "LOG_LEVEL": "debug",
    }
    csv = tmp_path / "c.csv"
    csv.write_text("sku,quantity\nA,1\n", encoding="utf-8")
    for args in (
        ("migrate",),
        ("config", "set", "shop_id", "42"),
        ("config", "show"),
        ("catalog", "import", str(csv)),
        ("status", "--json"),
    ):
        result = run_cli(*args, env=env)
        assert result.code == 0, (args, result.stderr)
        for value in (secret, token, refresh):
            assert value not in result.stdout + result.stderr
    files = [p for p in isolated_environment.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in files)
    assert any(p.name == "config.toml" for p in files)
    assert any(p.name.startswith("etsysync.log") for p in files)
    for path in files:
        data = path.read_bytes()
        for value in (secret, token, refresh):
            assert value.encode() not in data, f"{value[:6]}… found in {path}"
