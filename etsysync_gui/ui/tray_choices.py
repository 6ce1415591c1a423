"""The seller's "keep syncing in the tray" choice, kept per profile in ``gui_settings()``.

Why apart from the Settings dialog: three places read or write it (the
wizard's Syncing page, the question asked on the first close, Settings), and
each must treat "never chosen" the same way: ask once, then remember.
"""

from __future__ import annotations

from etsysync_gui.ui.widgets import gui_settings

CLOSE_TO_TRAY_KEY = "tray/close_to_tray"
NOTIFY_KEY = "tray/notifications"


def close_to_tray_choice(profile: str | None = None) -> bool | None:
    """``True``/``False`` once chosen, ``None`` while the seller has not said."""
    value = gui_settings(profile).value(CLOSE_TO_TRAY_KEY)
    if value is None:
        return None
    return str(value) == "true"


def remember_close_to_tray(keep: bool, profile: str | None = None) -> None:
    gui_settings(profile).setValue(CLOSE_TO_TRAY_KEY, "true" if keep else "false")
