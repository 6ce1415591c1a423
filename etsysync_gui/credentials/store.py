"""``CredentialStore``: one profile's credentials in the system keychain, thread-safe.

Why a wrapper around ``keyring`` (after maestral's ``CredentialStorage``):

* **One item per profile** (service ``etsysync``, username ``profile:<name>``)
  holding the whole ``Credentials`` JSON, so a token rotation is one atomic
  write (see ``model``).
* **Lazy.**  Nothing touches the keychain until the first call, because that
  call may block on an unlock prompt; the GUI makes it on a worker thread.
* **One lock per profile, process-wide**, around every read and write, so
  ``update_tokens`` (read, change the tokens, write) cannot interleave with a
  ``save`` or another ``update_tokens`` from another thread or another store
  object for the same profile.  The lock may be held while the OS shows an
  unlock prompt; that prompt is another process, not our event loop, so it
  cannot deadlock the GUI (STYLE: never hold a lock across our own dialogs).
* **One error type**, ``KeychainError``, with a message that says what to do.
* **No silent fallback.**  Without a usable keychain every call raises
  ``KeychainError``; the unencrypted file is used only when the caller passes
  ``file_fallback_path`` (the user's explicit choice), and ``backend_name``
  then says so.  ``memory`` (``MemorySecrets``) keeps the demo shop's
  throw-away tokens out of the keychain.  ``keyring``'s ``null`` backend
  (keyring disabled) counts as no keychain: it would accept writes and
  silently forget them.
* **Redaction.**  Every secret loaded or saved is registered with
  ``redaction.register_secret`` so it is masked in every later log line.

Assumption: cross-*process* coordination (the GUI and a cron ``etsysync``
refreshing the same profile at once) is not handled here; the keychain has
no compare-and-swap.  The last writer wins.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Protocol

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, NoKeyringError

from etsysync_gui.credentials.errors import KeychainError
from etsysync_gui.credentials.file_fallback import FileFallback
from etsysync_gui.credentials.memory import MemorySecrets
from etsysync_gui.credentials.model import Credentials, CredentialsFormatError
from etsysync_gui.etsy.oauth.tokens import TokenSet
from etsysync_gui.redaction import redact, register_secret

log = logging.getLogger(__name__)

SERVICE = "etsysync"
NO_KEYCHAIN = "none (no system keychain found)"


class SecretBackend(Protocol):
    """The three keyring calls the store uses (a keyring backend or ``FileFallback``)."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


_locks_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}


def _profile_lock(profile: str) -> threading.RLock:
    with _locks_guard:
        lock = _locks.get(profile)
        if lock is None:
            lock = _locks[profile] = threading.RLock()
        return lock


def keychain_username(profile: str) -> str:
    return f"profile:{profile}"


def _describe_keyring(backend: KeyringBackend) -> str:
    name = str(getattr(type(backend), "name", type(backend).__name__))
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple) and inner:
        name = ", ".join(str(getattr(type(b), "name", type(b).__name__)) for b in inner)
    return f"system keychain ({name})"


def _translate(exc: Exception, action: str) -> KeychainError:
    """Any failure of a backend call as the one ``KeychainError``."""
    if isinstance(exc, KeychainError):
        return exc
    if isinstance(exc, NoKeyringError):
        return KeychainError.no_backend()
    if isinstance(exc, KeyringLocked):
        return KeychainError.locked()
    detail = redact(str(exc).strip()) or type(exc).__name__
    return KeychainError.refused(action, detail)


class CredentialStore:
    """Load, save, rotate and delete one profile's ``Credentials``.

    ``keyring_backend`` defaults to ``keyring.get_keyring()`` (resolved on first
    use); tests pass an in-memory backend.  ``file_fallback_path`` selects the
    unencrypted file instead of the keychain (the user's explicit opt-in);
    ``memory`` keeps the credentials in this process only (the demo shop).
    """

    def __init__(
        self,
        profile: str,
        *,
        keyring_backend: KeyringBackend | None = None,
        file_fallback_path: Path | None = None,
        memory: MemorySecrets | None = None,
    ) -> None:
        chosen = [keyring_backend, file_fallback_path, memory]
        if sum(item is not None for item in chosen) > 1:
            raise ValueError("pass one of keyring_backend, file_fallback_path or memory")
        self.profile = profile
        self.username = keychain_username(profile)
        self._given = keyring_backend
        self._fallback: FileFallback | MemorySecrets | None = (
            FileFallback(file_fallback_path) if file_fallback_path else memory
        )
        self._lock = _profile_lock(profile)
        self._backend: SecretBackend | None = None
        self._name: str | None = None

    # -- backend ------------------------------------------------------------------------

    def _resolve(self) -> SecretBackend:
        """The backend to use, chosen once; raises ``KeychainError`` if there is none."""
        with self._lock:
            if self._backend is not None:
                return self._backend
            if self._fallback is not None:
                self._backend, self._name = self._fallback, self._fallback.name
                return self._backend
            try:
                chosen = self._given if self._given is not None else keyring.get_keyring()
            except Exception as exc:  # a broken keyring configuration
                raise _translate(exc, "open") from None
            if isinstance(chosen, fail.Keyring | null.Keyring):
                self._name = NO_KEYCHAIN
                raise KeychainError.no_backend()
            self._backend, self._name = chosen, _describe_keyring(chosen)
            log.debug("Credentials of profile %s are kept in %s", self.profile, self._name)
            return self._backend

    def backend_name(self) -> str:
        """Where the credentials live, for ``auth status`` and the wizard; never raises."""
        with contextlib.suppress(KeychainError):
            self._resolve()
        return self._name or NO_KEYCHAIN

    @property
    def uses_file(self) -> bool:
        return isinstance(self._fallback, FileFallback)

    # -- operations -----------------------------------------------------------------------

    def _get(self, backend: SecretBackend) -> str | None:
        try:
            return backend.get_password(SERVICE, self.username)
        except Exception as exc:
            raise _translate(exc, "read") from None

    def _set(self, backend: SecretBackend, credentials: Credentials) -> None:
        for value in credentials.secret_values():
            register_secret(value)
        try:
            backend.set_password(SERVICE, self.username, credentials.to_json())
        except Exception as exc:
            raise _translate(exc, "save") from None

    def _parse(self, text: str) -> Credentials:
        try:
            credentials = Credentials.from_json(text)
        except CredentialsFormatError as exc:
            where = self._name or "the keychain"
            raise KeychainError.unreadable(
                f"{where} for profile {self.profile}", str(exc)
            ) from None
        for value in credentials.secret_values():
            register_secret(value)
        return credentials

    def load(self) -> Credentials | None:
        """The stored credentials, or ``None`` if the profile has none."""
        with self._lock:
            text = self._get(self._resolve())
            return None if text is None else self._parse(text)

    def save(self, credentials: Credentials) -> None:
        """Replace the profile's credentials (one write)."""
        with self._lock:
            self._set(self._resolve(), credentials)

    def update_tokens(self, tokens: TokenSet) -> Credentials:
        """Store a rotated token pair: read, replace the tokens, write, all under the lock.

        This is the ``TokenManager``'s ``persist`` callback: it returns only after
        the write, so a rotated token is saved before it is used.
        """
        with self._lock:
            backend = self._resolve()
            text = self._get(backend)
            if text is None:
                raise KeychainError.missing(self.profile)
            updated = self._parse(text).with_tokens(tokens)
            self._set(backend, updated)
            return updated

    def delete(self) -> bool:
        """Remove the profile's item; ``False`` if there was none."""
        with self._lock:
            backend = self._resolve()
            if self._get(backend) is None:
                return False
            try:
                backend.delete_password(SERVICE, self.username)
            except Exception as exc:
                raise _translate(exc, "remove") from None
            return True
