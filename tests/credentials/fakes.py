"""Keyring backends for tests: one that keeps items in memory, one that raises.

Both are real ``keyring.backend.KeyringBackend`` subclasses, so the store is
tested through the same calls it makes on the SecretService, macOS and
Windows backends.  Their ``priority`` raises, so keyring never picks them by
itself (subclasses register themselves with keyring when defined).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Items in a dict; counts writes so tests can see "one atomic write"."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend, never chosen automatically")

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password
        self.writes += 1

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("No such password!")
        del self.items[(service, username)]


class RaisingKeyring(KeyringBackend):
    """Raises ``error`` from the operations named in ``on`` (default: all)."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend, never chosen automatically")

    def __init__(
        self,
        error: Exception,
        on: frozenset[str] = frozenset({"get", "set", "delete"}),
        stored: str | None = None,
    ) -> None:
        super().__init__()
        self.error = error
        self.on = on
        self.stored = stored

    def get_password(self, service: str, username: str) -> str | None:
        if "get" in self.on:
            raise self.error
        return self.stored

    def set_password(self, service: str, username: str, password: str) -> None:
        if "set" in self.on:
            raise self.error
        self.stored = password

    def delete_password(self, service: str, username: str) -> None:
        if "delete" in self.on:
            raise self.error
        self.stored = None


@contextmanager
def installed_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make ``backend`` keyring's process-wide default (what the CLI uses), then restore."""
    previous = keyring.core._keyring_backend
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.core._keyring_backend = previous
