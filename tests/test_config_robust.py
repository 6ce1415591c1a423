"""config.toml meets files written by others: newer versions, dotfile symlinks, hostile nesting."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from etsysync_gui.config import ConfigStore, load_settings
from etsysync_gui.config.store import default_config_path
from etsysync_gui.errors import ConfigError


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ETSYSYNC_HOME", str(tmp_path))
    return tmp_path


def _write(text: str) -> Path:
    path = default_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_key_from_a_newer_version_is_warned_about_and_ignored(
    home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write("[profiles.production]\nshop_id = 7\nfuture_option = true\n")
    with caplog.at_level(logging.WARNING):
        settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.profile.shop_id == 7
    assert "ignoring unknown key 'future_option'" in caplog.text
    assert "line 3" in caplog.text
    ConfigStore().set_value("production", "shop_id", "8")
    text = path.read_text(encoding="utf-8")
    assert "future_option = true" in text
    assert "shop_id = 8" in text


def test_a_database_password_in_the_file_is_refused_with_the_next_step(
    home: Path, tmp_path: Path
) -> None:
    path = _write('[profiles.production]\ndatabase_url = "postgresql://u:pw-99@db/shop"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, cwd=tmp_path)
    message = str(caught.value)
    assert "cannot be stored" in message
    assert "~/.pgpass" in message
    assert str(path) in message
    assert "line 2" in message
    assert "pw-99" not in message


def test_a_deeply_nested_file_is_one_clear_error(home: Path, tmp_path: Path) -> None:
    _write("x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_settings(environ={}, cwd=tmp_path)


def test_config_set_writes_through_a_symlink(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "etsysync.toml"
    target.parent.mkdir()
    target.write_text("[profiles.production]\nshop_id = 1\n", encoding="utf-8")
    link = default_config_path()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    ConfigStore().set_value("production", "shop_id", "2")
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert "shop_id = 2" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "uri",
    ["https://localhost:3003/oauth/redirect", "http://example.com:3003/cb", "http://[::1/x"],
)
def test_an_unusable_redirect_url_is_refused_at_config_set(home: Path, uri: str) -> None:
    with pytest.raises(ConfigError, match="is not usable"):
        ConfigStore().set_value("production", "redirect_uri", uri)
    assert not default_config_path().exists()
