"""Every way the keychain can fail becomes one ``KeychainError`` with a fix in its message,
and nothing is stored anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import (
    InitError,
    KeyringError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)

from etsysync_gui.credentials import NO_KEYCHAIN, Credentials, CredentialStore, KeychainError
from etsysync_gui.credentials.errors import KeychainProblem
from etsysync_gui.errors import EXIT_NEEDS_USER

from .fakes import RaisingKeyring

CREDS = Credentials("keystring01", "shh-secret-value", "1.aaaaaaaaaaaaaaaaaaaaaaaa", "1.bbbbbbb")


def _everything_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_keychain_means_an_error_not_a_silent_fallback(
    backend: KeyringBackend, isolated_environment: Path
) -> None:
    store = CredentialStore("p", keyring_backend=backend)
    for call in (store.load, lambda: store.save(CREDS), store.delete):
        with pytest.raises(KeychainError) as caught:
            call()
        assert caught.value.kind is KeychainProblem.NO_BACKEND
        assert caught.value.title == "No keychain available"
        assert caught.value.exit_code == EXIT_NEEDS_USER
    assert store.backend_name() == NO_KEYCHAIN
    assert _everything_under(isolated_environment) == []  # no file appeared anywhere


@pytest.mark.parametrize(
    ("error", "kind", "title"),
    [
        (NoKeyringError("no backend"), KeychainProblem.NO_BACKEND, "No keychain available"),
        (KeyringLocked("Failed to unlock the collection!"), KeychainProblem.LOCKED, "locked"),
        (InitError("Failed to create the collection"), KeychainProblem.REFUSED, "refused"),
        (PasswordSetError("denied"), KeychainProblem.REFUSED, "refused"),
        (PasswordDeleteError("denied"), KeychainProblem.REFUSED, "refused"),
        (KeyringError("odd"), KeychainProblem.REFUSED, "refused"),
        (RuntimeError("D-Bus went away"), KeychainProblem.REFUSED, "refused"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else None,
)
def test_each_keyring_error_becomes_a_keychain_error(
    error: Exception, kind: KeychainProblem, title: str
) -> None:
    backend = RaisingKeyring(error)
    store = CredentialStore("p", keyring_backend=backend)
    for call in (store.load, lambda: store.save(CREDS), store.delete):
        with pytest.raises(KeychainError) as caught:
            call()
        assert caught.value.kind is kind
        assert title.lower() in caught.value.title.lower()
        assert caught.value.message
        assert "Traceback" not in caught.value.message
    assert backend.stored is None


def test_refused_write_stores_nothing_and_says_why() -> None:
    backend = RaisingKeyring(PasswordSetError("user pressed Deny"), on=frozenset({"set"}))
    store = CredentialStore("p", keyring_backend=backend)
    with pytest.raises(KeychainError) as caught:
        store.save(CREDS)
    assert "refused to save" in caught.value.message
    assert "user pressed Deny" in caught.value.message
    assert store.load() is None


def test_locked_keychain_on_this_linux_machine_names_the_tools() -> None:
    store = CredentialStore("p", keyring_backend=RaisingKeyring(KeyringLocked("locked")))
    with pytest.raises(KeychainError) as caught:
        store.save(CREDS)
    assert "GNOME Keyring" in caught.value.message
    assert "KWallet" in caught.value.message


@pytest.mark.parametrize(
    ("platform", "words"),
    [
        ("linux", ("GNOME Keyring", "KWallet", "Secret Service")),
        ("darwin", ("Keychain Access",)),
        ("win32", ("Credential Manager",)),
    ],
)
def test_hints_fit_the_platform(platform: str, words: tuple[str, ...]) -> None:
    messages = [
        KeychainError.no_backend(platform=platform).message,
        KeychainError.locked(platform=platform).message,
        KeychainError.refused("save", "denied", platform=platform).message,
    ]
    for message in messages:
        assert any(word in message for word in words), message
    assert "Always Allow" in KeychainError.locked(platform="darwin").message
