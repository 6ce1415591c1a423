"""``etsysync auth login|status|logout``, ``validate`` and ``health``, run in-process.

In-process (not a subprocess) so the in-memory keychain can be installed as
keyring's backend and the scripted browser can play the seller from the test
thread while ``auth login --no-browser`` waits on its loopback listener in a
worker thread, exactly as a person would copy the printed address.
"""

from __future__ import annotations

import io
import json
import queue
import re
import socket
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from etsysync_gui.bootstrap import open_database
from etsysync_gui.cli import main
from etsysync_gui.config import ConfigStore, load_settings
from etsysync_gui.credentials import SERVICE, Credentials
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.logging_setup import shutdown_logging
from etsysync_gui.redaction import clear_registered_secrets
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import MemoryKeyring, RaisingKeyring, installed_keyring
from tests.oauth.helpers import configure_redirect, fake_etsy_env, free_port

PROFILE = "t"
ITEM = (SERVICE, f"profile:{PROFILE}")
URL_LINE = re.compile(r"^\s+(http://\S+/oauth/connect\?\S+)$", re.MULTILINE)


class _Tap(io.StringIO):
    """stdout that hands the authorization URL to the test as soon as it is printed."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: queue.Queue[str] = queue.Queue()

    def write(self, text: str) -> int:
        for match in URL_LINE.finditer(text):
            self.urls.put(match.group(1))
        return super().write(text)


@pytest.fixture(autouse=True)
def _clean_up() -> Iterator[None]:
    yield
    shutdown_logging()
    clear_registered_secrets()


@pytest.fixture
def tokens_issued() -> list[str]:
    return []


@pytest.fixture
def etsy(tokens_issued: list[str]) -> Iterator[FakeEtsyServer]:
    """A fake Etsy whose access tokens live 60 s, so every call refreshes (rotates) them."""
    redirect = f"http://localhost:{free_port()}/oauth/redirect"

    def record(status: int, headers: object, body: bytes) -> None:
        if status == 200 and b"refresh_token" in body:
            data = json.loads(body)
            tokens_issued.extend([data["access_token"], data["refresh_token"]])

    with FakeEtsyServer(
        listings=5,
        qps=None,
        qpd=None,
        redirect_uris=[redirect],
        access_token_lifetime=60,
        response_observer=record,
    ) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    with installed_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def env(etsy: FakeEtsyServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    configure_redirect(PROFILE, etsy.redirect_uris[0])
    values = fake_etsy_env(etsy, ETSY_API_SECRET=etsy.shared_secret, LOG_LEVEL="debug")
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--profile", PROFILE, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def login(
    etsy: FakeEtsyServer, monkeypatch: pytest.MonkeyPatch, *, approve: bool = True
) -> tuple[int, str]:
    """``auth login --no-browser`` on a worker; the test thread opens the printed URL."""
    tap = _Tap()
    captured = sys.stdout
    monkeypatch.setattr(sys, "stdout", tap)
    with ThreadPoolExecutor(1) as pool:
        done: Future[int] = pool.submit(
            main, ["--profile", PROFILE, "auth", "login", "--no-browser", "--timeout", "30"]
        )
        try:
            url = tap.urls.get(timeout=30)
        except queue.Empty:
            pytest.fail(f"no authorization URL printed; exit {done.result(timeout=30)}")
        location = etsy.browser_consent(url, approve=approve)
        page = httpx.get(location, timeout=10, trust_env=False)
        assert "code=" not in page.text
        code = done.result(timeout=30)
    monkeypatch.setattr(sys, "stdout", captured)
    return code, tap.getvalue()


def stored(keychain: MemoryKeyring) -> Credentials:
    return Credentials.from_json(keychain.items[ITEM])


# -- login ------------------------------------------------------------------------------


def test_login_without_browser_stores_credentials_and_the_shop(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out = login(etsy, monkeypatch)
    assert code == 0, out
    assert f"Connected to Etsy: shop {etsy.shop.shop_name} (id {etsy.shop_id})" in out
    assert etsy.redirect_uris[0] in out  # the exact string to register
    assert "MemoryKeyring" in out
    credentials = stored(keychain)
    assert credentials.shared_secret == etsy.shared_secret
    assert (credentials.shop_id, credentials.user_id) == (etsy.shop_id, etsy.user_id)
    assert ConfigStore().profile(PROFILE).shop_id == etsy.shop_id
    assert etsy.shared_secret not in out
    assert credentials.refresh_token
    assert credentials.refresh_token not in out


def test_declined_login_exits_4_and_stores_nothing(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = login(etsy, monkeypatch, approve=False)
    assert code == 4
    assert "You declined access on Etsy" in capsys.readouterr().err
    assert keychain.items == {}


def test_login_without_a_terminal_or_a_secret_exits_2(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("ETSY_API_SECRET")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    code, _, err = run(capsys, "auth", "login", "--no-browser")
    assert code == 2
    assert "No Etsy shared secret given, and no terminal to ask for it" in err
    assert "ETSY_API_SECRET" in err
    assert keychain.items == {}


def test_login_asks_for_missing_keys_on_a_terminal(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ETSY_API_SECRET")
    monkeypatch.delenv("ETSY_API_KEY")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    prompts: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or etsy.keystring)
    monkeypatch.setattr(
        "getpass.getpass", lambda prompt: prompts.append(prompt) or etsy.shared_secret
    )
    code, out = login(etsy, monkeypatch)
    assert code == 0, out
    assert prompts == ["Etsy app keystring: ", "Etsy shared secret (not shown): "]
    assert stored(keychain).keystring == etsy.keystring


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ETSY_API_KEY", "nosuchkeystring", "Etsy does not know this keystring"),
        ("ETSY_API_SECRET", "wrong-secret", "The shared secret does not match"),
    ],
)
def test_wrong_app_key_is_named_and_nothing_is_stored(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    code, out, err = run(capsys, "auth", "login", "--no-browser", "--timeout", "30")
    assert code == 4
    assert expected in err
    assert "wrong-secret" not in err + out
    assert "/oauth/connect?" not in out  # stopped before the browser step
    assert keychain.items == {}
    assert ConfigStore().profile(PROFILE).shop_id is None


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (fail.Keyring(), "found no system keychain"),
        (RaisingKeyring(KeyringLocked("locked")), "keychain is locked"),
    ],
    ids=["no-keychain", "locked"],
)
def test_keychain_problems_stop_login_before_etsy(
    etsy: FakeEtsyServer,
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    backend: KeyringBackend,
    expected: str,
) -> None:
    with installed_keyring(backend):
        code, out, err = run(capsys, "auth", "login", "--no-browser")
    assert code == 4
    assert expected in err
    assert "GNOME Keyring" in err
    # the server recipe's way out is named, not only a desktop fix
    assert "credentials_file" in err
    assert "ETSYSYNC_CREDENTIALS_FILE=1" in err
    assert "/oauth/connect?" not in out
    assert etsy.stats.calls("oauthToken") == 0
    assert not list(isolated_environment.rglob("credentials*"))  # no silent file fallback


def test_busy_port_is_named(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = int(etsy.redirect_uris[0].split(":")[2].split("/")[0])
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen(1)
        code, _, err = run(capsys, "auth", "login", "--no-browser")
    assert code == 4
    assert f"port {port} is in use" in err
    assert keychain.items == {}


# -- status, logout, validate, health ---------------------------------------------------------


def test_status_validate_logout(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login(etsy, monkeypatch)[0] == 0
    code, out, _ = run(capsys, "auth", "status", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["user_id"] == etsy.user_id
    assert report["shop_id"] == etsy.shop_id
    assert report["scopes"] == ["listings_r", "listings_w", "shops_r", "transactions_r"]
    assert "MemoryKeyring" in report["keychain"]
    assert report["tokens_from"] == "keychain"
    code, out, _ = run(capsys, "auth", "status")
    assert code == 0
    assert "Access token:  expires" in out

    code, out, err = run(capsys, "validate")
    assert code == 0, err
    assert "API key:  ok" in out
    assert "Token:    ok" in out
    assert f"Shop:     ok ({etsy.shop.shop_name}, id {etsy.shop_id}" in out

    code, out, _ = run(capsys, "auth", "logout")
    assert code == 0
    assert "Removed the Etsy credentials" in out
    assert keychain.items == {}
    code, out, _ = run(capsys, "auth", "status")
    assert code == 4
    assert "not connected" in out
    code, _, err = run(capsys, "validate")
    assert code == 4
    assert "etsysync auth login" in err


def test_revoked_connection_makes_validate_exit_4_with_reconnect(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert login(etsy, monkeypatch)[0] == 0
    etsy.revoke_all_tokens()
    code, out, err = run(capsys, "validate")
    assert code == 4
    assert "Reconnect to Etsy" in err
    assert "API key:  ok" in out  # the key still works; the token does not
    code, out, _ = run(capsys, "health", "--json")
    assert code == 4
    token = next(c for c in json.loads(out)["checks"] if c["name"] == "token")
    assert token["status"] == "failed"
    assert "Reconnect to Etsy" in token["detail"]


def test_health_reports_every_part(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "health", "--json")
    assert code == 4  # not connected yet: the user must act
    assert json.loads(out)["ok"] is False

    assert login(etsy, monkeypatch)[0] == 0
    database, _ = open_database(load_settings(PROFILE))
    with database.session() as session:
        session.add(
            EtsySyncConfig(
                shop_id=etsy.shop_id,
                sync_status="completed",
                rate_limit_remaining=1234,
                last_inventory_sync=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
            )
        )
    database.dispose()
    code, out, _ = run(capsys, "health", "--json")
    report = json.loads(out)
    assert code == 0, report
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == ["database", "keychain", "token", "api budget", "last sync"]
    assert all(c["status"] == "ok" for c in checks.values()), checks
    assert checks["api budget"]["detail"] == "1234 requests left today"
    assert "completed" in checks["last sync"]["detail"]
    assert "2026-11-01T12:00:00" in checks["last sync"]["detail"]
    code, out, _ = run(capsys, "health")
    assert code == 0
    assert "1234 requests left today" in out


# -- no secret anywhere ------------------------------------------------------------------------


def test_no_secret_in_config_database_or_logs(
    etsy: FakeEtsyServer,
    keychain: MemoryKeyring,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    tokens_issued: list[str],
) -> None:
    code, login_out = login(etsy, monkeypatch)
    assert code == 0
    outputs = [login_out, capsys.readouterr().err]
    for argv in (("validate",), ("auth", "status"), ("health",), ("validate",)):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        outputs += [out, err]
    assert len(tokens_issued) >= 6  # login plus rotations: every call refreshed
    assert stored(keychain).refresh_token == tokens_issued[-1]  # the latest pair is kept

    files = [p for p in isolated_environment.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"config.toml", f"{PROFILE}.db", "etsysync.log"} <= names
    log_text = (isolated_environment / "logs" / "etsysync.log").read_text()
    assert "DEBUG" in log_text
    assert "HTTP Request" in log_text
    secrets = [etsy.shared_secret, *tokens_issued]
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in content, f"{secret[:4]}... found in {path}"
            tail = secret.split(".", 1)[-1]
            assert tail.encode() not in content, f"token tail found in {path}"
    for text in outputs:
        for secret in secrets:
            assert secret.split(".", 1)[-1] not in text
