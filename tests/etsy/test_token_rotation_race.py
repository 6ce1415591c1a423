"""Two processes renewing the Etsy token at the same moment: neither says "reconnect".

Before, the second renewal sent the refresh token the first had just burned,
Etsy answered ``invalid_grant`` and that process reported "Reconnect to
Etsy" (3 of 10 real races), which pauses background sync in the app.

Here two ``TokenManager`` objects stand for two processes: each has its own
``CredentialStore`` over ONE credentials file (what two processes share) and
its own HTTP client to the fake Etsy, which rotates refresh tokens like Etsy.
Their refresh calls are interleaved deterministically (seeded): one reaches
Etsy first; the other's request is sent either after the winner saved its new
tokens or right after Etsy answered the winner but BEFORE it saved them (the
loser's first re-read then still sees the old token and must look again).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from etsysync_gui.credentials.model import Credentials
from etsysync_gui.credentials.store import CredentialStore
from etsysync_gui.etsy.errors import TokenRevokedError
from etsysync_gui.etsy.oauth.rotation import RELOAD_ATTEMPTS
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from fake_etsy import FakeEtsyServer

SEED = 1516
TRIALS = 20
WAIT_S = 30.0


@pytest.fixture
def server() -> Iterator[FakeEtsyServer]:
    with FakeEtsyServer(listings=0, qps=None, qpd=None) as made:
        yield made


def shared_file(server: FakeEtsyServer, tmp_path: Path) -> Path:
    """The credentials both processes read and write, with tokens about to expire."""
    access, refresh, _ = server.issue_tokens()
    path = tmp_path / "credentials.json"
    CredentialStore("default", file_fallback_path=path).save(
        Credentials(
            server.keystring,
            server.shared_secret,
            access_token=access,
            refresh_token=refresh,
            expires_at=time.time() + 30,  # inside the renewal margin: both renew now
        )
    )
    return path


class Turn:
    """Holds one process's token request until ``ready`` is set."""

    def __init__(self, ready: threading.Event | None, sent: threading.Event) -> None:
        self.ready, self.sent = ready, sent

    def before(self, request: httpx.Request) -> None:
        if self.ready is not None:
            assert self.ready.wait(WAIT_S), "the interleaving deadlocked"

    def after(self, response: httpx.Response) -> None:
        response.read()
        self.sent.set()


def process(
    path: Path,
    token_url: str,
    turn: Turn,
    *,
    persist_gate: threading.Event | None = None,
    persisted: threading.Event,
    first_reload: threading.Event,
    sleep: Callable[[float], None],
) -> TokenManager:
    """One process's token manager over the shared file, with the test's interleaving."""
    store = CredentialStore("default", file_fallback_path=path)
    stored = store.load()
    assert stored is not None
    assert stored.tokens is not None

    def persist(tokens: TokenSet) -> None:
        if persist_gate is not None:
            assert persist_gate.wait(WAIT_S), "the loser never re-read"
        store.update_tokens(tokens)
        persisted.set()

    def reload() -> TokenSet | None:
        again = store.load()
        first_reload.set()
        return None if again is None else again.tokens

    http = httpx.Client(event_hooks={"request": [turn.before], "response": [turn.after]})
    return TokenManager(
        keystring=stored.keystring,
        shared_secret=stored.shared_secret,
        tokens=stored.tokens,
        persist=persist,
        reload=reload,
        token_url=token_url,
        http=http,
        sleep=sleep,
    )


def race(server: FakeEtsyServer, path: Path, *, late_save: bool) -> tuple[list[str], list[str]]:
    """Both renew; the winner is "A".  Returns (errors, access tokens in the end)."""
    won, persisted, loser_reloaded = threading.Event(), threading.Event(), threading.Event()
    unused = threading.Event()

    def loser_sleep(_seconds: float) -> None:
        persisted.wait(WAIT_S)  # the winner saves its tokens while the loser waits

    winner = process(
        path,
        server.token_url,
        Turn(None, won),
        persist_gate=loser_reloaded if late_save else None,
        persisted=persisted,
        first_reload=unused,
        sleep=lambda _s: None,
    )
    loser = process(
        path,
        server.token_url,
        Turn(won if late_save else persisted, threading.Event()),
        persisted=threading.Event(),
        first_reload=loser_reloaded,
        sleep=loser_sleep,
    )
    errors: list[str] = []
    tokens: list[str] = []

    def renew(manager: TokenManager) -> None:
        try:
            tokens.append(manager.access_token())
        except TokenRevokedError as exc:
            errors.append(exc.message)

    threads = [threading.Thread(target=renew, args=(m,)) for m in (winner, loser)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    return errors, tokens


def test_two_processes_renewing_at_once_never_ask_to_reconnect(
    server: FakeEtsyServer, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    orders = []
    for trial in range(TRIALS):
        path = shared_file(server, tmp_path / f"t{trial}")
        late = rng.random() < 0.5
        orders.append(late)
        errors, tokens = race(server, path, late_save=late)
        assert errors == [], (trial, late, errors)
        stored = CredentialStore("default", file_fallback_path=path).load()
        assert stored is not None
        assert tokens == [stored.access_token] * 2, (trial, late)  # both use the winner's pair
        assert server.tokens.authenticate(f"Bearer {stored.access_token}") is not None
    assert set(orders) == {True, False}  # both interleavings were tried


def test_a_really_revoked_token_still_asks_to_reconnect_after_a_few_re_reads(
    server: FakeEtsyServer, tmp_path: Path
) -> None:
    path = shared_file(server, tmp_path)
    server.revoke_all_tokens()  # the seller changed their password
    naps: list[float] = []
    manager = process(
        path,
        server.token_url,
        Turn(None, threading.Event()),
        persisted=threading.Event(),
        first_reload=threading.Event(),
        sleep=naps.append,
    )
    with pytest.raises(TokenRevokedError) as caught:
        manager.access_token()
    assert "connect" in caught.value.message.lower()
    assert len(naps) == RELOAD_ATTEMPTS - 1  # looked again a few times, then gave up
    assert manager.refresh_count == 1  # the dead token was not sent again
    with pytest.raises(TokenRevokedError):
        manager.access_token()  # and from then on, no network at all
    assert manager.refresh_count == 1
