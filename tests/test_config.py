"""Profiles in config.toml, environment overrides, validation messages, and no secrets on disk."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from etsysync_gui.config import (
    PROFILE_KEYS,
    ConfigStore,
    ConflictPolicy,
    EnvSecrets,
    Profile,
    ZeroStockPolicy,
    default_config_path,
    load_settings,
    masked_view,
)
from etsysync_gui.config.fields import FIELD_SPECS
from etsysync_gui.config.toml_file import dumps, find_line
from etsysync_gui.errors import ConfigError

POSIX = os.name == "posix"
SECRET = "shared-secret-QWERTY-123"
ACCESS = "12345678.O1zLuwveeKjpIqCQFfmR-PaMMpBmagH6DljRAkK9qt05OtRKiANJOyZhn"
REFRESH = "12345678.JNGIJtvLmwfDMhlYoOJl8aLR1BWottyHC6yhNcET-eC7RogSR5e1GTIXGrgrel"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ETSYSYNC_HOME", str(tmp_path))
    for name in ("ETSYSYNC_PROFILE", "LOG_LEVEL", "ETSY_API_KEY", "ETSY_SHOP_ID"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def write_config(text: str) -> Path:
    path = default_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults ---------------------------------------------------------------------------


def test_defaults_without_file_or_environment(home: Path, cwd: Path) -> None:
    settings = load_settings(environ={}, cwd=cwd)
    profile = settings.profile
    assert profile == Profile(name="production")
    assert profile.shop_id is None
    assert profile.database_url is None
    assert profile.api_base_url == "https://openapi.etsy.com/v3"
    assert profile.effective_oauth_token_url() == "https://openapi.etsy.com/v3/public/oauth/token"
    assert profile.oauth_connect_url == "https://www.etsy.com/oauth/connect"
    assert profile.redirect_uri == "http://localhost:3003/oauth/redirect"
    assert profile.sync_enabled is True
    assert profile.product_sync_interval == 7200
    assert profile.inventory_sync_interval == 3600
    assert profile.log_level == "INFO"
    assert profile.conflict_policy is ConflictPolicy.MERGE
    assert profile.zero_stock_policy is ZeroStockPolicy.DEACTIVATE
    assert profile.log_retention_days == 90
    assert profile.keystring is None
    assert settings.secrets == EnvSecrets()
    assert settings.config_path == home / "config" / "config.toml"
    assert settings.sources["profile"] == "default"
    assert all(settings.sources[key] == "default" for key in PROFILE_KEYS)
    assert not settings.config_path.exists()  # loading never writes


def test_effective_database_url_is_profile_sqlite_file(home: Path, cwd: Path) -> None:
    settings = load_settings("staging", environ={}, cwd=cwd)
    assert settings.effective_database_url() == f"sqlite:///{home / 'data' / 'staging.db'}"
    env = {"ETSYSYNC_DATABASE_URL": "postgresql+psycopg://etsy@db/shop"}
    settings = load_settings("staging", environ=env, cwd=cwd)
    assert settings.effective_database_url() == "postgresql+psycopg://etsy@db/shop"


def test_every_profile_key_has_a_rule() -> None:
    assert set(FIELD_SPECS) == set(PROFILE_KEYS)


# --- file round trip, permissions, preservation ------------------------------------------


def test_save_and_load_round_trip(home: Path) -> None:
    store = ConfigStore()
    profile = Profile(
        name="shop-2",
        shop_id=987654,
        database_url="postgresql+psycopg://etsy@db.example.com:5432/shop",
        api_base_url="https://openapi.etsy.com/v3",
        oauth_token_url="https://example.com/token",
        sync_enabled=False,
        product_sync_interval=600,
        inventory_sync_interval=120,
        log_level="DEBUG",
        conflict_policy=ConflictPolicy.ETSY_WINS,
        zero_stock_policy=ZeroStockPolicy.LEAVE,
        log_retention_days=7,
        keystring="abcdefghijklmnopqrstuvwx",
    )
    store.save_profile(profile)
    assert store.profile("shop-2") == profile
    assert ConfigStore(store.path).load().profiles["shop-2"] == profile
    assert "shop-2" in store.profile_names()


def test_saving_defaults_writes_only_differences(home: Path) -> None:
    store = ConfigStore()
    store.save_profile(Profile(name="staging", shop_id=5))
    data = tomllib.loads(store.path.read_text(encoding="utf-8"))
    assert data == {"profiles": {"staging": {"shop_id": 5}}}


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_file_is_0600_and_folder_0700(home: Path) -> None:
    store = ConfigStore()
    store.set_value("production", "shop_id", "42")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert [p.name for p in store.path.parent.iterdir()] == ["config.toml"]  # no temp files


def test_writes_keep_other_profiles_and_unknown_tables(home: Path) -> None:
    path = write_config(
        'default_profile = "staging"\n'
        "future_flag = true\n"
        "[ui]\n"
        'theme = "dark"\n'
        "window = { width = 800, height = 600 }\n"
        "[profiles.staging]\n"
        "shop_id = 1\n"
        "[profiles.other]\n"
        'log_level = "ERROR"\n'
    )
    ConfigStore().set_value("production", "shop_id", "7")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["future_flag"] is True
    assert data["ui"] == {"theme": "dark", "window": {"width": 800, "height": 600}}
    assert data["default_profile"] == "staging"
    assert data["profiles"] == {
        "staging": {"shop_id": 1},
        "other": {"log_level": "ERROR"},
        "production": {"shop_id": 7},
    }


def test_toml_writer_quotes_strings() -> None:
    tricky = {
        "a": 'quote " backslash \\ newline \n tab \t bell \x07 del \x7f unicode é ☃',
        "key with space": "x",
        "n": -3,
        "f": 1.5,
        "b": False,
        "list": [1, "two"],
        "t": {"nested": {"deep": "v"}, "empty": {}},
    }
    assert tomllib.loads(dumps(tricky, header="line one\nline two")) == tricky


def test_find_line_handles_quoted_and_dotted_keys() -> None:
    text = '[profiles."staging"]\nshop_id = 1\n\n[profiles.x]\n"log_level" = "x"\n'
    assert find_line(text, ("profiles", "staging"), "shop_id") == 2
    assert find_line(text, ("profiles", "x"), "log_level") == 5
    assert find_line(text, ("profiles", "x")) == 4
    assert find_line("profiles.y.shop_id = 3\n", ("profiles", "y"), "shop_id") == 1


# --- corrupt files and validation --------------------------------------------------------


def test_corrupt_toml_names_file_and_line(home: Path, cwd: Path) -> None:
    path = write_config("[profiles.production]\nshop_id = 1\nthis is not toml\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, cwd=cwd)
    message = str(caught.value)
    assert str(path) in message
    assert "line 3" in message


def test_corrupt_file_is_not_overwritten(home: Path) -> None:
    original = "[profiles.production\nshop_id = 1\n"
    path = write_config(original)
    with pytest.raises(ConfigError, match="line 1"):
        ConfigStore().set_value("production", "shop_id", "2")
    assert path.read_text(encoding="utf-8") == original


def test_non_utf8_file(home: Path) -> None:
    path = default_config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"shop = '\xff'\n")
    with pytest.raises(ConfigError, match="UTF-8"):
        ConfigStore().load()


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        ('shop_id = "123"', "shop_id", "whole number"),
        ("shop_id = 0", "shop_id", "at least 1"),
        ('sync_enabled = "yes"', "sync_enabled", "true or false"),
        ("product_sync_interval = 59", "product_sync_interval", "at least 60 seconds"),
        ("inventory_sync_interval = 1.5", "inventory_sync_interval", "whole number"),
        ("log_retention_days = 0", "log_retention_days", "at least 1 days"),
        ('log_level = "verbose"', "log_level", "debug, info, warning, error"),
        ('conflict_policy = "newest"', "conflict_policy", "merge, local_wins, etsy_wins, skip"),
        ('zero_stock_policy = "delete"', "zero_stock_policy", "deactivate, leave"),
        ('api_base_url = "openapi.etsy.com"', "api_base_url", "http(s) URL"),
        ('api_base_url = "http://openapi.etsy.com/v3"', "api_base_url", "https"),
        ('oauth_token_url = "ftp://x/token"', "oauth_token_url", "http(s) URL"),
        ('oauth_connect_url = "https://u:p@etsy.com/"', "oauth_connect_url", "user name"),
        ('redirect_uri = "not a url"', "redirect_uri", "URL"),
        ('database_url = "mysql://db/shop"', "database_url", "sqlite:///"),
        ('keystring = "key:secret"', "keystring", "keystring alone"),
        ('access_token = "abc"', "access_token", "secret"),
        ('shared_secret = "abc"', "shared_secret", "secret"),
    ],
)
def test_invalid_value_names_file_profile_key_and_line(
    home: Path, cwd: Path, body: str, key: str, fragment: str
) -> None:
    path = write_config(f'default_profile = "staging"\n\n[profiles.staging]\n# my shop\n{body}\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, cwd=cwd)
    message = str(caught.value)
    assert str(path) in message
    assert "'staging'" in message
    assert f"'{key}'" in message
    assert "line 5" in message
    assert fragment in message
    assert "key:secret" not in message  # values that may be secret are never echoed


def test_invalid_profile_name_in_file(home: Path) -> None:
    path = write_config('[profiles."bad name"]\nshop_id = 1\n')
    with pytest.raises(ConfigError) as caught:
        ConfigStore().load()
    assert str(path) in str(caught.value)
    assert "'bad name'" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_default_profile_must_exist(home: Path) -> None:
    path = write_config('default_profile = "ghost"\n')
    with pytest.raises(ConfigError) as caught:
        ConfigStore().load()
    assert str(path) in str(caught.value)
    assert "default_profile" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_http_allowed_for_loopback_fake_server(home: Path, cwd: Path) -> None:
    env = {"ETSY_API_BASE_URL": "http://127.0.0.1:8123/v3/"}
    settings = load_settings(environ=env, cwd=cwd)
    assert settings.profile.api_base_url == "http://127.0.0.1:8123/v3"
    assert settings.profile.effective_oauth_token_url() == (
        "http://127.0.0.1:8123/v3/public/oauth/token"
    )


# --- environment --------------------------------------------------------------------------


def test_environment_overrides_every_key(home: Path, cwd: Path) -> None:
    write_config("[profiles.production]\nshop_id = 1\nsync_enabled = true\n")
    env = {
        "ETSY_API_KEY": "envkeystring",
        "ETSY_SHOP_ID": "55",
        "ETSY_API_BASE_URL": "https://api.example.com/v3",
        "ETSY_OAUTH_TOKEN_URL": "https://auth.example.com/token",
        "ETSY_OAUTH_CONNECT_URL": "https://auth.example.com/connect",
        "ETSY_SYNC_ENABLED": "no",
        "ETSY_SYNC_INTERVAL_PRODUCTS": "900",
        "ETSY_SYNC_INTERVAL_INVENTORY": "300",
        "LOG_LEVEL": "debug",
        "ETSYSYNC_DATABASE_URL": "sqlite:////tmp/x.db",
    }
    settings = load_settings(environ=env, cwd=cwd)
    profile = settings.profile
    assert profile.keystring == "envkeystring"
    assert profile.shop_id == 55
    assert profile.api_base_url == "https://api.example.com/v3"
    assert profile.oauth_token_url == "https://auth.example.com/token"
    assert profile.oauth_connect_url == "https://auth.example.com/connect"
    assert profile.sync_enabled is False
    assert profile.product_sync_interval == 900
    assert profile.inventory_sync_interval == 300
    assert profile.log_level == "DEBUG"
    assert profile.database_url == "sqlite:////tmp/x.db"
    assert settings.sources["shop_id"] == "env"
    assert settings.sources["log_retention_days"] == "default"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("No", False)],
)
def test_sync_enabled_spellings(home: Path, cwd: Path, value: str, expected: bool) -> None:
    settings = load_settings(environ={"ETSY_SYNC_ENABLED": value}, cwd=cwd)
    assert settings.profile.sync_enabled is expected


def test_precedence_default_file_dotenv_environ(home: Path, cwd: Path) -> None:
    write_config("[profiles.production]\nshop_id = 1\nproduct_sync_interval = 600\n")
    (cwd / ".env").write_text(
        "ETSY_SHOP_ID=2\nETSY_SYNC_INTERVAL_PRODUCTS=700\nLOG_LEVEL=warning\n", encoding="utf-8"
    )
    settings = load_settings(environ={"ETSY_SHOP_ID": "3"}, cwd=cwd)
    assert settings.profile.shop_id == 3
    assert settings.profile.product_sync_interval == 700
    assert settings.profile.log_level == "WARNING"
    assert settings.profile.inventory_sync_interval == 3600
    assert settings.sources["shop_id"] == "env"
    assert settings.sources["product_sync_interval"] == ".env"
    assert settings.sources["inventory_sync_interval"] == "default"


def test_dotenv_does_not_touch_os_environ(home: Path, cwd: Path) -> None:
    (cwd / ".env").write_text("ETSY_API_SECRET=from-dotenv-secret\n", encoding="utf-8")
    settings = load_settings(environ={}, cwd=cwd)
    assert settings.secrets.api_secret == "from-dotenv-secret"
    assert settings.sources["api_secret"] == ".env"
    assert "ETSY_API_SECRET" not in os.environ


def test_dotenv_keeps_dollar_signs(home: Path, cwd: Path) -> None:
    (cwd / ".env").write_text("ETSY_API_SECRET=ab$HOME${HOME}cd\n", encoding="utf-8")
    settings = load_settings(environ={"HOME": "/root"}, cwd=cwd)
    assert settings.secrets.api_secret == "ab$HOME${HOME}cd"


def test_empty_variable_counts_as_unset(home: Path, cwd: Path) -> None:
    (cwd / ".env").write_text("ETSY_SHOP_ID=9\n", encoding="utf-8")
    settings = load_settings(environ={"ETSY_SHOP_ID": ""}, cwd=cwd)
    assert settings.profile.shop_id == 9


def test_process_environment_is_default(
    home: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETSY_SHOP_ID", "77")
    monkeypatch.chdir(cwd)
    assert load_settings().profile.shop_id == 77


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("ETSY_SHOP_ID", "abc", "whole number"),
        ("ETSY_SHOP_ID", "-5", "whole number"),
        ("ETSY_SYNC_ENABLED", "maybe", "true/false"),
        ("ETSY_SYNC_INTERVAL_PRODUCTS", "30", "at least 60"),
        ("ETSY_SYNC_INTERVAL_INVENTORY", "1h", "whole number"),
        ("ETSY_API_BASE_URL", "http://etsy.example.com", "https"),
        ("ETSY_OAUTH_TOKEN_URL", "nope", "URL"),
        ("ETSY_OAUTH_CONNECT_URL", "https://", "URL"),
        ("LOG_LEVEL", "loud", "debug, info"),
        ("ETSYSYNC_DATABASE_URL", "oracle://x", "sqlite:///"),
        ("ETSY_API_KEY", f"keystring:{SECRET}", "ETSY_API_SECRET"),
        ("ETSYSYNC_PROFILE", "no spaces allowed", "not valid"),
    ],
)
def test_invalid_environment_value_names_the_variable(
    home: Path, cwd: Path, name: str, value: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={name: value}, cwd=cwd)
    assert name in str(caught.value)
    assert fragment in str(caught.value)
    assert SECRET not in str(caught.value)


def test_invalid_dotenv_value_names_the_dotenv_file(home: Path, cwd: Path) -> None:
    (cwd / ".env").write_text("ETSY_SHOP_ID=twelve\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, cwd=cwd)
    assert "ETSY_SHOP_ID" in str(caught.value)
    assert str(cwd / ".env") in str(caught.value)


# --- secrets -------------------------------------------------------------------------------


def test_secrets_come_from_environment_and_repr_hides_them(home: Path, cwd: Path) -> None:
    env = {"ETSY_API_SECRET": SECRET, "ETSY_ACCESS_TOKEN": ACCESS, "ETSY_REFRESH_TOKEN": REFRESH}
    settings = load_settings(environ=env, cwd=cwd)
    assert settings.secrets == EnvSecrets(SECRET, ACCESS, REFRESH)
    assert settings.secrets.values() == (SECRET, ACCESS, REFRESH)
    for text in (repr(settings.secrets), str(settings.secrets), repr(settings)):
        for secret in (SECRET, ACCESS, REFRESH):
            assert secret not in text
    assert "api_secret" in repr(settings.secrets)


def test_secrets_are_never_written(home: Path, cwd: Path) -> None:
    env = {
        "ETSY_API_KEY": "keystring99",
        "ETSY_API_SECRET": SECRET,
        "ETSY_ACCESS_TOKEN": ACCESS,
        "ETSY_REFRESH_TOKEN": REFRESH,
        "ETSY_SHOP_ID": "5",
    }
    (cwd / ".env").write_text(f"ETSY_API_SECRET={SECRET}\n", encoding="utf-8")
    settings = load_settings(environ=env, cwd=cwd)
    store = ConfigStore(settings.config_path)
    store.save_profile(settings.profile)
    store.set_value(settings.profile.name, "log_level", "debug")
    store.set_default_profile("production")
    data = settings.config_path.read_bytes()
    assert b"keystring99" in data  # the keystring is not a secret
    for secret in (SECRET, ACCESS, REFRESH, ACCESS.split(".")[1]):
        assert secret.encode() not in data


@pytest.mark.parametrize(
    "key", ["shared_secret", "api_secret", "access_token", "refresh-token", "password", "SECRET"]
)
def test_set_value_refuses_secret_keys(home: Path, key: str) -> None:
    store = ConfigStore()
    with pytest.raises(ConfigError) as caught:
        store.set_value("production", key, SECRET)
    assert "keychain" in str(caught.value)
    assert "ETSY_API_SECRET" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert not store.path.exists()


def test_database_password_is_refused_in_file(home: Path) -> None:
    store = ConfigStore()
    with pytest.raises(ConfigError, match="ETSYSYNC_DATABASE_URL") as caught:
        store.set_value("production", "database_url", "postgresql://etsy:pw-123456@db/shop")
    assert "pw-123456" not in str(caught.value)
    with pytest.raises(ConfigError):
        store.save_profile(Profile(database_url="postgresql://db/shop?password=pw-123456"))
    assert not store.path.exists()


def test_masked_view_never_shows_secrets(home: Path, cwd: Path) -> None:
    env = {
        "ETSY_API_SECRET": SECRET,
        "ETSY_ACCESS_TOKEN": ACCESS,
        "ETSYSYNC_DATABASE_URL": "postgresql://etsy:db-pass-999@db/shop",
        "ETSY_API_KEY": "visiblekeystring",
    }
    (cwd / ".env").write_text(f"ETSY_REFRESH_TOKEN={REFRESH}\n", encoding="utf-8")
    rows = masked_view(load_settings(environ=env, cwd=cwd))
    table = {key: (value, source) for key, value, source in rows}
    assert table["api_secret"] == ("set (from env)", "env")
    assert table["access_token"] == ("set (from env)", "env")
    assert table["refresh_token"] == ("set (from .env)", ".env")
    assert table["keystring"] == ("visiblekeystring", "env")
    assert table["database_url"] == ("postgresql://etsy:***@db/shop", "env")
    assert table["profile"] == ("production", "default")
    assert [key for key, _, _ in rows][1 : len(PROFILE_KEYS) + 1] == list(PROFILE_KEYS)
    text = repr(rows)
    for secret in (SECRET, ACCESS, REFRESH, "db-pass-999"):
        assert secret not in text


def test_masked_view_unset_secrets(home: Path, cwd: Path) -> None:
    table = {k: (v, s) for k, v, s in masked_view(load_settings(environ={}, cwd=cwd))}
    assert table["api_secret"] == ("not set", "-")
    assert table["shop_id"] == ("not set", "default")
    assert table["oauth_token_url"][0] == "https://openapi.etsy.com/v3/public/oauth/token"


# --- profile selection ----------------------------------------------------------------------


def test_profile_selection_precedence(home: Path, cwd: Path) -> None:
    write_config(
        'default_profile = "filedefault"\n'
        "[profiles.filedefault]\nshop_id = 1\n"
        "[profiles.fromenv]\nshop_id = 2\n"
        "[profiles.fromarg]\nshop_id = 3\n"
    )
    env = {"ETSYSYNC_PROFILE": "fromenv"}
    assert load_settings("fromarg", environ=env, cwd=cwd).profile.shop_id == 3
    assert load_settings("fromarg", environ=env, cwd=cwd).sources["profile"] == "argument"
    assert load_settings(environ=env, cwd=cwd).profile.shop_id == 2
    assert load_settings(environ=env, cwd=cwd).sources["profile"] == "env"
    assert load_settings(environ={}, cwd=cwd).profile.shop_id == 1
    assert load_settings(environ={}, cwd=cwd).sources["profile"] == "file"
    write_config("")
    settings = load_settings(environ={}, cwd=cwd)
    assert (settings.profile.name, settings.sources["profile"]) == ("production", "default")


def test_profile_from_dotenv(home: Path, cwd: Path) -> None:
    (cwd / ".env").write_text("ETSYSYNC_PROFILE=staging\n", encoding="utf-8")
    settings = load_settings(environ={}, cwd=cwd)
    assert (settings.profile.name, settings.sources["profile"]) == ("staging", ".env")


def test_env_overrides_apply_to_active_profile_only(home: Path, cwd: Path) -> None:
    write_config("[profiles.staging]\nshop_id = 1\n[profiles.production]\nshop_id = 2\n")
    settings = load_settings("staging", environ={"ETSY_SYNC_INTERVAL_PRODUCTS": "120"}, cwd=cwd)
    assert settings.profile.name == "staging"
    assert settings.profile.shop_id == 1
    assert settings.profile.product_sync_interval == 120
    assert ConfigStore().profile("production").product_sync_interval == 7200


def test_invalid_profile_argument(home: Path, cwd: Path) -> None:
    with pytest.raises(ConfigError, match="--profile"):
        load_settings("../etc", environ={}, cwd=cwd)
    with pytest.raises(ConfigError):
        load_settings("x" * 41, environ={}, cwd=cwd)


def test_new_profile_name_gets_defaults(home: Path, cwd: Path) -> None:
    settings = load_settings("brand-new_1", environ={}, cwd=cwd)
    assert settings.profile == Profile(name="brand-new_1")


# --- ConfigStore ------------------------------------------------------------------------------


def test_set_value_converts_and_validates(home: Path) -> None:
    store = ConfigStore()
    assert store.set_value("staging", "shop_id", " 123 ").shop_id == 123
    assert store.set_value("staging", "sync-enabled", "no").sync_enabled is False
    assert store.set_value("staging", "conflict_policy", "LOCAL_WINS").conflict_policy is (
        ConflictPolicy.LOCAL_WINS
    )
    assert store.set_value("staging", "log_level", "warning").log_level == "WARNING"
    assert store.set_value("staging", "shop_id", "").shop_id is None  # clears an optional key
    with pytest.raises(ConfigError, match="at least 60"):
        store.set_value("staging", "inventory_sync_interval", "10")
    with pytest.raises(ConfigError, match="Unknown setting"):
        store.set_value("staging", "colour", "blue")
    with pytest.raises(ConfigError, match="must not be empty"):
        store.set_value("staging", "log_level", " ")
    with pytest.raises(ConfigError, match="not valid"):
        store.set_value("bad/name", "shop_id", "1")
    data = tomllib.loads(store.path.read_text(encoding="utf-8"))
    assert data["profiles"]["staging"] == {
        "sync_enabled": False,
        "conflict_policy": "local_wins",
        "log_level": "WARNING",
    }


def test_set_value_can_fix_an_invalid_value(home: Path) -> None:
    write_config("[profiles.production]\nproduct_sync_interval = 5\n")
    store = ConfigStore()
    with pytest.raises(ConfigError):
        store.load()
    assert (
        store.set_value("production", "product_sync_interval", "600").product_sync_interval == 600
    )
    assert store.load().profiles["production"].product_sync_interval == 600


def test_default_and_delete_profile(home: Path) -> None:
    store = ConfigStore()
    store.set_value("shop-b", "shop_id", "9")
    store.set_default_profile("shop-b")
    assert store.load().default_profile == "shop-b"
    with pytest.raises(ConfigError, match="default profile"):
        store.delete_profile("shop-b")
    store.set_default_profile("production")
    store.delete_profile("shop-b")
    assert "shop-b" not in store.profile_names()
    assert store.profile_names() == ["production", "staging"]
    with pytest.raises(ConfigError, match="no profile"):
        store.delete_profile("shop-b")
    with pytest.raises(ConfigError, match="no profile"):
        store.set_default_profile("ghost")


def test_explicit_path(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "nested" / "my.toml")
    store.set_value("production", "shop_id", "3")
    assert store.path.exists()
    assert store.profile("production").shop_id == 3
