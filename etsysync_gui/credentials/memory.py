"""``MemorySecrets``: credentials kept in this process only, for the demo shop.

Why not the keychain: the demo's tokens are issued by the in-process fake Etsy
and die with it when the app quits.  Writing them to the seller's keychain
would leave worthless items behind (one per demo start, or one overwritten
item that looks like a real connection), could prompt to unlock a keychain
for nothing, and would fail on a machine without a keychain, where the demo
must still work.  A dict behind the store's lock is all the demo needs.

It implements the same three calls as a keyring backend (``SecretBackend``),
so the demo goes through ``CredentialStore`` like a real profile: the same
JSON document, the same token rotation, the same redaction.
"""

from __future__ import annotations


class MemorySecrets:
    """Items in a dict; callers serialise access (``CredentialStore`` holds its lock)."""

    name = "memory (demo only: forgotten when EtsySync quits)"

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._items.pop((service, username), None)
