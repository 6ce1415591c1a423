"""``CredentialStore`` against a real Secret Service: GNOME Keyring in a throwaway D-Bus session.

The unit tests use an in-memory keyring; this one proves the same calls work
on the backend most Linux desktops use.  Everything is throwaway: a private
HOME and XDG folders, a session bus from ``dbus-run-session``, and a fresh
login keyring created and unlocked with a throwaway password.  ``.ci/keychain.sh``
installs the tools; locally the test is skipped (with the reason) when they
are missing, under CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = ("dbus-run-session", "gnome-keyring-daemon")
SCRIPT = Path(__file__).with_name("check_store.py")
SESSION = (
    "set -euo pipefail; "
    'echo -n "$THROWAWAY_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets '
    ">/dev/null; "
    "gnome-keyring-daemon --start --components=secrets >/dev/null; "
    'exec "$CHECK_PYTHON" "$CHECK_SCRIPT"'
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def test_store_read_rotate_delete_on_gnome_keyring(tmp_path: Path) -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed; run .ci/keychain.sh"
        if _in_ci():
            pytest.fail(f"real Secret Service test cannot run under CI: {reason}")
        pytest.skip(f"real Secret Service test skipped: {reason}")
    folders = {
        "HOME": tmp_path / "home",
        "XDG_RUNTIME_DIR": tmp_path / "runtime",
        "XDG_DATA_HOME": tmp_path / "data",
        "XDG_CONFIG_HOME": tmp_path / "config",
        "XDG_CACHE_HOME": tmp_path / "cache",
        "ETSYSYNC_HOME": tmp_path / "etsysync",
    }
    for folder in folders.values():
        folder.mkdir(mode=0o700)
    env = {name: str(path) for name, path in folders.items()}
    env.update(
        PATH=os.environ.get("PATH", "/usr/bin:/bin"),
        LANG="C.UTF-8",
        THROWAWAY_PASSWORD="throwaway-test-password",
        CHECK_PYTHON=sys.executable,
        CHECK_SCRIPT=str(SCRIPT),
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SESSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, output
    assert "ALL STEPS OK" in done.stdout, output
    # The keyring file was created in the throwaway home, not the real one.
    assert list((folders["XDG_DATA_HOME"] / "keyrings").glob("*.keyring")), output
