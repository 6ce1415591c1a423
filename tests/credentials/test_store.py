"""``CredentialStore`` on an in-memory keyring backend: one item, atomic rotation, locking."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from etsysync_gui.credentials import SERVICE, Credentials, CredentialStore, KeychainError
from etsysync_gui.credentials.errors import KeychainProblem
from etsysync_gui.credentials.store import _profile_lock
from etsysync_gui.etsy.oauth.tokens import TokenSet
from etsysync_gui.redaction import redact

from .fakes import MemoryKeyring, installed_keyring

CREDS = Credentials(
    keystring="keystring01",
    shared_secret="shh-secret-value",
    access_token="42.access-token-value-aaaaaaaaaaaa",
    refresh_token="42.refresh-token-value-bbbbbbbbbbb",
    expires_at=1_800_000_000.0,
    scopes=("listings_r", "listings_w", "shops_r"),
    user_id=42,
    shop_id=777,
)


def test_one_item_per_profile_under_the_etsysync_service(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore("shop-a", keyring_backend=memory_keyring)
    store.save(CREDS)
    assert list(memory_keyring.items) == [(SERVICE, "profile:shop-a")]
    document = json.loads(memory_keyring.items[(SERVICE, "profile:shop-a")])
    assert document["shared_secret"] == "shh-secret-value"
    assert document["shop_id"] == 777
    assert store.load() == CREDS
    assert CredentialStore("shop-b", keyring_backend=memory_keyring).load() is None


def test_update_tokens_is_one_write_that_keeps_the_app_key(
    memory_keyring: MemoryKeyring,
) -> None:
    store = CredentialStore("p", keyring_backend=memory_keyring)
    store.save(CREDS)
    writes = memory_keyring.writes
    new = TokenSet("42.rotated-access-cccccccccccccc", "42.rotated-refresh-dddddddddddd", 5.0)
    updated = store.update_tokens(new)
    assert memory_keyring.writes == writes + 1
    assert updated == store.load()
    assert updated.tokens == new
    assert (updated.keystring, updated.shared_secret) == (CREDS.keystring, CREDS.shared_secret)
    assert (updated.scopes, updated.shop_id) == (CREDS.scopes, CREDS.shop_id)


def test_update_tokens_without_an_item_says_what_happened(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore("gone", keyring_backend=memory_keyring)
    with pytest.raises(KeychainError) as caught:
        store.update_tokens(TokenSet("1.a", "1.b", 0.0))
    assert caught.value.kind is KeychainProblem.MISSING
    assert "Reconnect to Etsy" in caught.value.message
    assert memory_keyring.items == {}


def test_delete_removes_the_item_and_reports_whether_there_was_one(
    memory_keyring: MemoryKeyring,
) -> None:
    store = CredentialStore("p", keyring_backend=memory_keyring)
    assert store.delete() is False
    store.save(CREDS)
    assert store.delete() is True
    assert store.load() is None
    assert memory_keyring.items == {}


def test_loaded_and_saved_secrets_are_masked_in_logs(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.items[(SERVICE, "profile:p")] = CREDS.to_json()
    line = f"oops {CREDS.shared_secret} {CREDS.refresh_token.split('.')[1]}"
    assert CREDS.shared_secret in redact(line)  # not registered yet
    CredentialStore("p", keyring_backend=memory_keyring).load()
    assert CREDS.shared_secret not in redact(line)
    # Not shaped like an Etsy token, so only the registration can mask it.
    rotated = TokenSet("fresh~access~value", "fresh~refresh~value", 0.0)
    assert "fresh~refresh~value" in redact("x fresh~refresh~value")
    CredentialStore("p", keyring_backend=memory_keyring).update_tokens(rotated)
    assert "fresh~refresh~value" not in redact("x fresh~refresh~value")
    assert "fresh~access~value" not in redact("x fresh~access~value")


def test_unreadable_item_is_a_keychain_error_without_its_content(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.items[(SERVICE, "profile:p")] = '{"shared_secret": "leaky-secret-123"'
    with pytest.raises(KeychainError) as caught:
        CredentialStore("p", keyring_backend=memory_keyring).load()
    assert caught.value.kind is KeychainProblem.UNREADABLE
    assert "leaky-secret-123" not in caught.value.message
    assert "etsysync auth logout" in caught.value.message


class _LockProbe(MemoryKeyring):
    """Records, at every backend call, whether another thread could take the profile lock."""

    def __init__(self, lock: threading.RLock) -> None:
        super().__init__()
        self.lock = lock
        self.free_during_call: list[bool] = []

    def _probe(self) -> None:
        result: list[bool] = []

        def try_lock() -> None:
            got = self.lock.acquire(blocking=False)
            if got:
                self.lock.release()
            result.append(got)

        thread = threading.Thread(target=try_lock)
        thread.start()
        thread.join()
        self.free_during_call.extend(result)

    def get_password(self, service: str, username: str) -> str | None:
        self._probe()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._probe()
        super().set_password(service, username, password)


def test_every_backend_call_runs_under_the_process_wide_profile_lock() -> None:
    backend = _LockProbe(_profile_lock("locked-profile"))
    store = CredentialStore("locked-profile", keyring_backend=backend)
    other = CredentialStore("locked-profile", keyring_backend=backend)
    store.save(CREDS)
    other.update_tokens(TokenSet("1.a-access-gggggggggggg", "1.b-refresh-hhhhhhhhhhh", 1.0))
    store.load()
    assert len(backend.free_during_call) == 4  # set, get + set, get
    assert backend.free_during_call == [False] * 4


def test_default_backend_is_keyrings_current_one_resolved_lazily() -> None:
    backend = MemoryKeyring()
    store = CredentialStore("lazy")  # nothing resolved yet: no keyring is installed
    with installed_keyring(backend):
        store.save(CREDS)
        assert "MemoryKeyring" in store.backend_name()
    assert (SERVICE, "profile:lazy") in backend.items


def test_file_and_keyring_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="pass one of"):
        CredentialStore("p", keyring_backend=MemoryKeyring(), file_fallback_path=tmp_path / "f")
