"""A private JSON file for credentials, used only when the user chose it.

Why it exists: a headless server or a minimal desktop may have no Secret
Service at all.  Maestral's rule applies: fall back to a file only when the
user asked for it, and say so wherever the storage is shown.  The file is not
encrypted; its only protection is its permissions (0600 in a 0700 folder), so
``CredentialStore.backend_name`` reads "file (not encrypted): <path>".

Writes go to a temporary file in the same folder, are flushed to disk and then
renamed over the old file, so a crash leaves either the old or the new
document, never half of one (the same guarantee the keychain gives for one
item).  A file readable by group or others is refused rather than used: its
secrets may already have been read, and the user should know.

On Windows, POSIX modes mean little; the file then relies on the user profile
folder's ACLs (documented, not enforced).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path

from etsysync_gui.credentials.errors import KeychainError, KeychainProblem


class FileFallback:
    """``get_password``/``set_password``/``delete_password`` over one JSON file.

    The file maps ``"<service>/<username>"`` to the stored text.  Callers
    serialise access (``CredentialStore`` holds a lock around every call).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return f"file (not encrypted): {self.path}"

    def _read(self) -> dict[str, str]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise self._error("read", exc) from None
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeychainError(
                f"The credentials file {self.path} can be read by other users, so its secrets "
                f"may be exposed. Run 'chmod 600 {self.path}', consider renewing the shared "
                "secret on etsy.com/developers/your-apps, then try again.",
                kind=KeychainProblem.REFUSED,
                title="Credentials file not private",
            )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise self._error("read", exc) from None
        except ValueError:
            raise KeychainError.unreadable(str(self.path), "not valid JSON") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise KeychainError.unreadable(str(self.path), "unexpected content")
        return data

    def _write(self, data: dict[str, str]) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".credentials-", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise self._error("save", exc) from None
        # mkstemp creates the file 0600 (owner only) before any secret is written.
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise self._error("save", exc) from None

    def _error(self, action: str, exc: OSError) -> KeychainError:
        return KeychainError(
            f"Cannot {action} the credentials file {self.path}: {exc.strerror or exc}. Check "
            "that the folder exists and is writable by you.",
            kind=KeychainProblem.REFUSED,
            title="Credentials file problem",
        )

    @staticmethod
    def _key(service: str, username: str) -> str:
        return f"{service}/{username}"

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[self._key(service, username)] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(self._key(service, username), None) is None:
            return
        if data:
            self._write(data)
        else:
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise self._error("remove", exc) from None
