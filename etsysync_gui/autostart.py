"""Start EtsySync at login, so background sync runs without the seller remembering.

Linux (and other XDG desktops): a ``.desktop`` file in ``$XDG_CONFIG_HOME/autostart``
(the freedesktop Desktop Application Autostart spec), implemented and tested here.
macOS would use a LaunchAgent plist in ``~/Library/LaunchAgents`` (or
``SMAppService`` for a signed bundle); Windows a value under
``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.  Those two are
described, not implemented: they cannot be exercised on this project's CI.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

ENTRY_NAME = "app.etsysync.EtsySync.desktop"


def autostart_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart"


def _command(profile: str | None) -> str:
    if getattr(sys, "frozen", False):
        parts = [sys.executable]
    else:
        parts = [sys.executable, "-m", "etsysync_gui"]
    if profile:
        parts += ["--profile", profile]
    return shlex.join(parts) + " --minimized"


def autostart_supported() -> bool:
    return sys.platform.startswith("linux") or "bsd" in sys.platform


def is_enabled() -> bool:
    return (autostart_dir() / ENTRY_NAME).is_file()


def enable(profile: str | None = None) -> Path:
    """Write the autostart entry (atomically); returns its path."""
    folder = autostart_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / ENTRY_NAME
    text = (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=EtsySync\n"
        "Comment=Keep your Etsy shop in step with your catalog\n"
        f"Exec={_command(profile)}\n"
        "Icon=app.etsysync.EtsySync\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def disable() -> None:
    (autostart_dir() / ENTRY_NAME).unlink(missing_ok=True)
