"""The log file is private, rotates, never duplicates lines and never holds a secret."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from etsysync_gui.config import load_settings
from etsysync_gui.errors import ConfigError, DataDirError
from etsysync_gui.logging_setup import (
    LOG_FILE_NAME,
    parse_log_level,
    setup_logging,
    shutdown_logging,
)
from etsysync_gui.paths import user_log_dir
from etsysync_gui.redaction import clear_registered_secrets, register_secret

POSIX = os.name == "posix"
log = logging.getLogger("etsysync_gui.tests.logging")


@pytest.fixture(autouse=True)
def _clean_logging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ETSYSYNC_HOME", str(tmp_path))
    root = logging.getLogger()
    level = root.level
    yield
    shutdown_logging()
    root.setLevel(level)
    logging.getLogger("etsysync_gui").setLevel(logging.NOTSET)
    clear_registered_secrets()


def _ours(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if getattr(h, "_etsysync_handler", False)]


def _file_handler() -> RotatingFileHandler:
    found = [h for h in _ours(logging.getLogger()) if isinstance(h, RotatingFileHandler)]
    assert len(found) == 1
    return found[0]


def test_default_location_and_return_value(tmp_path: Path) -> None:
    path = setup_logging(stream=None)
    assert path == user_log_dir() / LOG_FILE_NAME
    assert path.parent == tmp_path / "logs"
    log.info("hello file")
    assert "hello file" in path.read_text(encoding="utf-8")


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_folder_is_0700_and_file_0600(tmp_path: Path) -> None:
    path = setup_logging(log_dir=tmp_path / "new" / "logs", stream=None)
    log.info("x")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_rotated_files_stay_private(tmp_path: Path) -> None:
    path = setup_logging(log_dir=tmp_path, stream=None)
    handler = _file_handler()
    log.info("before rotation")
    handler.doRollover()
    log.info("after rotation")
    assert (tmp_path / f"{LOG_FILE_NAME}.1").exists()
    for file in (path, tmp_path / f"{LOG_FILE_NAME}.1"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_existing_world_readable_log_is_tightened(tmp_path: Path) -> None:
    existing = tmp_path / LOG_FILE_NAME
    existing.write_text("old\n", encoding="utf-8")
    existing.chmod(0o644)
    setup_logging(log_dir=tmp_path, stream=None)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600


def test_rotation_settings(tmp_path: Path) -> None:
    setup_logging(log_dir=tmp_path, stream=None)
    handler = _file_handler()
    assert handler.maxBytes == 1024 * 1024
    assert handler.backupCount == 4


def test_idempotent_no_duplicate_handlers_or_lines(tmp_path: Path) -> None:
    stream = io.StringIO()
    setup_logging(log_dir=tmp_path, stream=stream)
    path = setup_logging(log_dir=tmp_path, stream=stream)
    assert len(_ours(logging.getLogger())) == 2
    log.warning("only once")
    assert path.read_text(encoding="utf-8").count("only once") == 1
    assert stream.getvalue().count("only once") == 1


def test_third_party_records_reach_the_file(tmp_path: Path) -> None:
    path = setup_logging(log_dir=tmp_path, stream=None)
    logging.getLogger("httpx").info("HTTP Request: GET https://x/?code=ABCDEF123 200")
    text = path.read_text(encoding="utf-8")
    assert "HTTP Request" in text
    assert "ABCDEF123" not in text


def test_stderr_is_terse_and_shows_problems_only(tmp_path: Path) -> None:
    stream = io.StringIO()
    path = setup_logging("info", log_dir=tmp_path, stream=stream)
    log.debug("debug detail")
    log.info("synced %d listings", 3)
    try:
        raise ValueError("kaboom")
    except ValueError:
        log.exception("sync failed")
    out = stream.getvalue()
    assert out.splitlines() == ["ERROR sync failed"]
    text = path.read_text(encoding="utf-8")
    assert "synced 3 listings" in text
    assert "debug detail" not in text
    assert "Traceback" in text
    assert "kaboom" in text


def test_debug_level_reaches_stderr_with_details(tmp_path: Path) -> None:
    stream = io.StringIO()
    path = setup_logging("DEBUG", log_dir=tmp_path, stream=stream)
    log.debug("debug detail")
    try:
        raise ValueError("kaboom")
    except ValueError:
        log.exception("sync failed")
    assert "DEBUG debug detail" in stream.getvalue()
    assert "kaboom" in stream.getvalue()
    assert "debug detail" in path.read_text(encoding="utf-8")


def test_warning_level_filters_info(tmp_path: Path) -> None:
    stream = io.StringIO()
    path = setup_logging("Warning", log_dir=tmp_path, stream=stream)
    log.info("quiet")
    log.warning("loud")
    assert stream.getvalue() == "WARNING loud\n"
    assert "quiet" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ["verbose", "", "critical", "10"])
def test_invalid_level_is_config_error(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        setup_logging(value, log_dir=tmp_path, stream=None)


@pytest.mark.parametrize(
    ("value", "expected"), [("debug", "DEBUG"), ("INFO", "INFO"), (" Error ", "ERROR")]
)
def test_parse_log_level(value: str, expected: str) -> None:
    assert parse_log_level(value) == expected


def test_unwritable_folder_is_data_dir_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "logs"
    with pytest.raises(DataDirError) as caught:
        setup_logging(log_dir=target, stream=None)
    assert str(target) in str(caught.value)


@pytest.mark.skipif(not POSIX or os.geteuid() == 0, reason="needs POSIX, non-root")
def test_read_only_folder_is_data_dir_error(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(DataDirError) as caught:
            setup_logging(log_dir=folder, stream=None)
        assert str(folder) in str(caught.value)
    finally:
        folder.chmod(0o700)


def test_no_secret_reaches_the_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api_secret = "shared-secret-9f8e7d6c5b4a"
    access = "12345678.O1zLuwveeKjpIqCQFfmR-PaMMpBmagH6DljRAkK9qt05OtRKiANJOyZhn"
    refresh = "12345678.JNGIJtvLmwfDMhlYoOJl8aLR1BWottyHC6yhNcET-eC7RogSR5e1GTIXGrgrelWZalvh"
    db_password = "pg-pass-7788"
    monkeypatch.setenv("ETSY_API_KEY", "keystring123")
    monkeypatch.setenv("ETSY_API_SECRET", api_secret)
    monkeypatch.setenv("ETSY_ACCESS_TOKEN", access)
    monkeypatch.setenv("ETSY_REFRESH_TOKEN", refresh)
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", f"postgresql://etsy:{db_password}@db/shop")
    monkeypatch.setenv("LOG_LEVEL", "debug")

    settings = load_settings()
    for value in settings.secrets.values():  # what the app's start-up does
        register_secret(value)
    stream = io.StringIO()
    path = setup_logging(settings.profile.log_level, log_dir=tmp_path / "logs", stream=stream)

    headers = {
        "Authorization": f"Bearer {access}",
        "x-api-key": f"{settings.profile.keystring}:{api_secret}",
        "Accept": "application/json",
    }
    log.debug("request headers: %r", headers)
    logging.getLogger("httpx").info(
        'HTTP Request: POST https://api.etsy.com/v3/public/oauth/token?refresh_token=%s "%s"',
        refresh,
        "HTTP/1.1 200 OK",
    )
    log.debug(
        "token response: %s",
        json.dumps({"access_token": access, "refresh_token": refresh, "expires_in": 3600}),
    )
    log.debug("form body: grant_type=refresh_token&client_id=k&refresh_token=%s", refresh)
    log.info("settings: %r", settings)
    log.info("database: %s", settings.effective_database_url())
    try:
        raise ConnectionError(f"auth failed with secret {api_secret} and token {access}")
    except ConnectionError:
        log.exception("sync failed, headers=%s", headers)
    log.debug("stack with %s", refresh, stack_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()

    data = path.read_bytes()
    assert b"request headers" in data
    assert b"Traceback" in data
    assert b"HTTP Request" in data
    for secret in (api_secret, access, refresh, db_password, access.split(".")[1]):
        assert secret.encode() not in data, secret
        assert secret not in stream.getvalue(), secret


def test_stream_none_means_file_only(tmp_path: Path) -> None:
    setup_logging(log_dir=tmp_path, stream=None)
    assert len(_ours(logging.getLogger())) == 1
    shutdown_logging()
    setup_logging(log_dir=tmp_path)  # the default stream: stderr
    assert len(_ours(logging.getLogger())) == 2
