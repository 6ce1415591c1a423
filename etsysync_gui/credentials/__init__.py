"""Secrets of a profile (app key and OAuth tokens) in the system keychain.

Import from here: ``CredentialStore``, ``Credentials``, ``KeychainError``.
"""

from __future__ import annotations

from etsysync_gui.credentials.errors import KeychainError, KeychainProblem
from etsysync_gui.credentials.file_fallback import FileFallback
from etsysync_gui.credentials.memory import MemorySecrets
from etsysync_gui.credentials.model import Credentials, CredentialsFormatError
from etsysync_gui.credentials.store import (
    NO_KEYCHAIN,
    SERVICE,
    CredentialStore,
    SecretBackend,
    keychain_username,
)

__all__ = [
    "NO_KEYCHAIN",
    "SERVICE",
    "CredentialStore",
    "Credentials",
    "CredentialsFormatError",
    "FileFallback",
    "KeychainError",
    "KeychainProblem",
    "MemorySecrets",
    "SecretBackend",
    "keychain_username",
]
