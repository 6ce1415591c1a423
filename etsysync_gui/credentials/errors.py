"""``KeychainError``: the one error the credential store raises, with a fix in its message.

Why one type: the GUI shows ``title`` and ``message`` as they are and the CLI
prints the message and exits 4 (the user must act).  Neither needs to know
which keyring exception was behind it; they need to know what the *user*
should do, which depends on the situation (no keychain, locked, refused,
unreadable item) and the platform.  ``kind`` keeps the situation for code that
wants it (the wizard may offer the file store when ``kind`` is ``NO_BACKEND``).

Hints name the platform's own tools: GNOME Keyring / KWallet (the Secret
Service providers) on Linux, Keychain Access on macOS, Credential Manager on
Windows.  ``platform`` defaults to ``sys.platform`` and is a parameter so the
messages of all three can be tested anywhere.
"""

from __future__ import annotations

import sys
from enum import StrEnum

from etsysync_gui.errors import EXIT_NEEDS_USER, EtsySyncError


class KeychainProblem(StrEnum):
    NO_BACKEND = "no_backend"
    LOCKED = "locked"
    REFUSED = "refused"
    UNREADABLE = "unreadable"
    MISSING = "missing"


_TITLES = {
    KeychainProblem.NO_BACKEND: "No keychain available",
    KeychainProblem.LOCKED: "Keychain locked",
    KeychainProblem.REFUSED: "Keychain refused access",
    KeychainProblem.UNREADABLE: "Saved credentials unreadable",
    KeychainProblem.MISSING: "Saved credentials gone",
}


def _family(platform: str) -> str:
    if platform.startswith("darwin"):
        return "macos"
    if platform.startswith(("win32", "cygwin")):
        return "windows"
    return "linux"


SERVER_HINT = (
    "On a server or without a desktop session, keep the Etsy credentials in a private "
    "file instead: run 'etsysync config set credentials_file true' (or set "
    "ETSYSYNC_CREDENTIALS_FILE=1), "
    "then try again."
)
"""The keychain-less path (``docs/command-line.md``), named wherever a keychain is missing."""

_NO_BACKEND = {
    "linux": (
        "EtsySync found no system keychain to keep your Etsy credentials in. "
        + SERVER_HINT
        + " On a desktop, install and start GNOME Keyring (package gnome-keyring) or "
        "KWallet and log out and back in so it runs in your session."
    ),
    "macos": (
        "EtsySync cannot reach the macOS Keychain. Open Keychain Access and check that your "
        "login keychain exists and is the default, then try again."
    ),
    "windows": (
        "EtsySync cannot reach the Windows Credential Manager. Check that the Credential "
        "Manager service is running (Control Panel > Credential Manager), then try again."
    ),
}
_LOCKED = {
    "linux": (
        "Your keychain is locked, so EtsySync cannot use your Etsy credentials. Unlock it "
        "(GNOME Keyring: 'Passwords and Keys', unlock the Login keyring; KWallet: KWallet "
        "Manager, open the wallet) or accept the unlock prompt, then try again. " + SERVER_HINT
    ),
    "macos": (
        "Your macOS keychain is locked. Unlock the login keychain in Keychain Access (or "
        "enter your password when macOS asks, and choose 'Always Allow' for EtsySync), "
        "then try again."
    ),
    "windows": (
        "Windows Credential Manager is not available while your session is locked. Sign in "
        "to Windows again, then try again."
    ),
}
_REFUSED = {
    "linux": (
        "Make sure GNOME Keyring or KWallet (the Secret Service) is running and unlocked, "
        "and allow EtsySync if it asks, then try again."
    ),
    "macos": (
        "Open Keychain Access, find the item 'etsysync' and allow EtsySync to use it (or "
        "delete the item and connect to Etsy again), then try again."
    ),
    "windows": (
        "Open Control Panel > Credential Manager > Windows Credentials, check the 'etsysync' "
        "entry (delete it and connect to Etsy again if it is damaged), then try again."
    ),
}


class KeychainError(EtsySyncError):
    """The system keychain (or the opted-in credentials file) cannot be used right now."""

    title = "Keychain problem"
    exit_code = EXIT_NEEDS_USER
    needs_user = True

    def __init__(self, message: str, *, kind: KeychainProblem, title: str | None = None) -> None:
        super().__init__(message, title=title or _TITLES[kind])
        self.kind = kind

    @classmethod
    def no_backend(cls, *, platform: str = sys.platform) -> KeychainError:
        return cls(_NO_BACKEND[_family(platform)], kind=KeychainProblem.NO_BACKEND)

    @classmethod
    def locked(cls, *, platform: str = sys.platform) -> KeychainError:
        return cls(_LOCKED[_family(platform)], kind=KeychainProblem.LOCKED)

    @classmethod
    def refused(cls, action: str, detail: str, *, platform: str = sys.platform) -> KeychainError:
        """``action`` is what was tried ("save", "read", "remove"); ``detail`` the reason."""
        reason = f" ({detail})" if detail else ""
        return cls(
            f"The keychain refused to {action} your Etsy credentials{reason}. "
            + _REFUSED[_family(platform)],
            kind=KeychainProblem.REFUSED,
        )

    @classmethod
    def unreadable(cls, where: str, reason: str) -> KeychainError:
        return cls(
            f"The Etsy credentials saved in {where} cannot be read ({reason}). Run "
            "'etsysync auth logout' and connect to Etsy again.",
            kind=KeychainProblem.UNREADABLE,
        )

    @classmethod
    def missing(cls, profile: str) -> KeychainError:
        return cls(
            f"The Etsy credentials of profile {profile} were removed while in use (signed "
            "out?). Reconnect to Etsy.",
            kind=KeychainProblem.MISSING,
        )
