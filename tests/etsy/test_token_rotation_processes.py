"""Two real processes renew the same Etsy connection at the same moment, ten times.

The deterministic interleavings are in ``test_token_rotation_race``; this is
the situation as the seller meets it (the app and a cron ``etsysync sync``
sharing one credentials item), with the operating system choosing the order.
Before, 3 of 10 such races ended with one process asking to "Reconnect to
Etsy".  Each child builds its token manager the way the app does (persist to
and reload from the shared store), says "ready", and both renew only when the
test says "go", so their refreshes overlap.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from etsysync_gui.credentials.model import Credentials
from etsysync_gui.credentials.store import CredentialStore
from fake_etsy import FakeEtsyServer

TRIALS = 10
CHILD = """
import sys
from etsysync_gui.credentials.store import CredentialStore
from etsysync_gui.etsy.errors import TokenRevokedError
from etsysync_gui.etsy.oauth.tokens import TokenManager

for line in sys.stdin:
    path, token_url = line.split()
    store = CredentialStore("default", file_fallback_path=__import__("pathlib").Path(path))
    stored = store.load()
    manager = TokenManager(
        keystring=stored.keystring,
        shared_secret=stored.shared_secret,
        tokens=stored.tokens,
        persist=store.update_tokens,
        reload=lambda: store.load().tokens,
        token_url=token_url,
    )
    print("ready", flush=True)
    sys.stdin.readline()  # "go"
    try:
        manager.access_token()
        print("ok", flush=True)
    except TokenRevokedError as exc:
        print("revoked", exc.message, flush=True)
    manager.close()
"""


@pytest.fixture
def server() -> Iterator[FakeEtsyServer]:
    with FakeEtsyServer(listings=0, qps=None, qpd=None) as made:
        yield made


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen[str]]]:
    made = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        yield made
    finally:
        for child in made:
            if child.stdin is not None:
                child.stdin.close()
            child.wait(timeout=60)


def say(child: subprocess.Popen[str], line: str) -> None:
    assert child.stdin is not None
    child.stdin.write(line + "\n")
    child.stdin.flush()


def hear(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    return child.stdout.readline().strip()


def test_two_processes_renewing_together_ten_times_never_ask_to_reconnect(
    server: FakeEtsyServer, children: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    outcomes: list[str] = []
    for trial in range(TRIALS):
        access, refresh, _ = server.issue_tokens()
        path = tmp_path / f"credentials-{trial}.json"
        CredentialStore("default", file_fallback_path=path).save(
            Credentials(
                server.keystring,
                server.shared_secret,
                access_token=access,
                refresh_token=refresh,
                expires_at=time.time() + 30,  # inside the renewal margin
            )
        )
        for child in children:
            say(child, f"{path} {server.token_url}")
        assert [hear(child) for child in children] == ["ready", "ready"]
        for child in children:
            say(child, "go")
        outcomes.extend(hear(child) for child in children)
    assert outcomes == ["ok"] * (2 * TRIALS), [o for o in outcomes if o != "ok"]
