"""``CredentialStore(memory=...)``: the demo's credentials, in this process only."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.errors import KeyringError

from etsysync_gui.credentials import Credentials, CredentialStore, MemorySecrets
from etsysync_gui.etsy.oauth.tokens import TokenSet
from etsysync_gui.redaction import redact

from .fakes import MemoryKeyring, RaisingKeyring, installed_keyring

CREDS = Credentials(
    keystring="demokey01",
    shared_secret="demo-shared-secret",
    access_token="7.demo-access-token-aaaaaaaa",
    refresh_token="7.demo-refresh-token-bbbbbbb",
    expires_at=1_800_000_000.0,
    user_id=7,
    shop_id=70,
)


def test_saved_rotated_and_deleted_without_touching_the_keychain() -> None:
    with installed_keyring(RaisingKeyring(KeyringError("the keychain was touched"))):
        store = CredentialStore("demo", memory=MemorySecrets())
        assert store.load() is None
        store.save(CREDS)
        assert store.load() == CREDS
        rotated = store.update_tokens(TokenSet("7.new-access-cccccccc", "7.new-refresh-dddd", 1.0))
        assert rotated.refresh_token == "7.new-refresh-dddd"
        assert store.load() == rotated
        assert store.delete()
        assert store.load() is None


def test_it_says_where_the_credentials_are() -> None:
    store = CredentialStore("demo", memory=MemorySecrets())
    assert store.backend_name().startswith("memory")
    assert not store.uses_file


def test_another_store_on_another_memory_sees_nothing() -> None:
    CredentialStore("demo", memory=MemorySecrets()).save(CREDS)
    assert CredentialStore("demo", memory=MemorySecrets()).load() is None


def test_secrets_kept_in_memory_are_still_redacted() -> None:
    CredentialStore("demo", memory=MemorySecrets()).save(CREDS)
    assert "demo-shared-secret" not in redact("secret demo-shared-secret here")


def test_one_backend_at_a_time(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one of"):
        CredentialStore("demo", memory=MemorySecrets(), file_fallback_path=tmp_path / "c.json")
    with pytest.raises(ValueError, match="one of"):
        CredentialStore("demo", memory=MemorySecrets(), keyring_backend=MemoryKeyring())
