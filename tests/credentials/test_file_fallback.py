"""The opted-in credentials file: private, atomic, announced, refused when exposed."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from etsysync_gui.credentials import Credentials, CredentialStore, KeychainError
from etsysync_gui.etsy.oauth.tokens import TokenSet

CREDS = Credentials("keystring01", "shh-secret-value", "1.aaaaaaaaaaaaaaaaaaaaaaaa", "1.bbbbbbb")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "credentials-p.json"


def test_file_is_private_and_says_it_is_not_encrypted(path: Path) -> None:
    store = CredentialStore("p", file_fallback_path=path)
    assert store.backend_name() == f"file (not encrypted): {path}"
    store.save(CREDS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["etsysync/profile:p"]
    assert CredentialStore("p", file_fallback_path=path).load() == CREDS
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_rotation_and_delete(path: Path) -> None:
    store = CredentialStore("p", file_fallback_path=path)
    store.save(CREDS)
    CredentialStore("q", file_fallback_path=path).save(CREDS)
    store.update_tokens(TokenSet("1.new-access-iiiiiiiiiiiii", "1.new-refresh-jjjjjjjjjj", 3.0))
    loaded = store.load()
    assert loaded is not None
    assert loaded.refresh_token == "1.new-refresh-jjjjjjjjjj"
    assert store.delete() is True
    assert store.load() is None
    assert path.exists()
    assert CredentialStore("q", file_fallback_path=path).delete() is True
    assert not path.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions only")
def test_file_readable_by_others_is_refused(path: Path) -> None:
    CredentialStore("p", file_fallback_path=path).save(CREDS)
    path.chmod(0o644)
    with pytest.raises(KeychainError) as caught:
        CredentialStore("p", file_fallback_path=path).load()
    assert "chmod 600" in caught.value.message
    assert str(path) in caught.value.message


def test_corrupt_file_is_reported(path: Path) -> None:
    path.parent.mkdir(mode=0o700)
    path.write_text("{not json")
    path.chmod(0o600)
    with pytest.raises(KeychainError) as caught:
        CredentialStore("p", file_fallback_path=path).load()
    assert str(path) in caught.value.message
