"""Opening the seller's own browser at Etsy's consent page (RFC 8252: never a web view).

``open_url`` is what the connect step hands to the OAuth flow, which calls it
on a helper thread.  ``QDesktopServices`` belongs to the GUI thread, so the
call is passed there through a small ``QObject`` made on the GUI thread
(``install``) and its signal (queued across threads).  Tests replace
``open_url`` with a scripted browser that plays the seller on the fake Etsy.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)


class _Opener(QObject):
    requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.requested.connect(self._open)

    @Slot(str)
    def _open(self, url: str) -> None:
        if not QDesktopServices.openUrl(QUrl(url)):
            log.info("No browser could be opened; the wizard shows the address to open")


_opener: _Opener | None = None


def install() -> None:
    """Make the GUI-thread opener (call on the GUI thread, before connecting)."""
    global _opener
    if _opener is None:
        _opener = _Opener()


def open_url(url: str) -> bool:
    """Ask the GUI thread to open ``url`` in the system browser; safe from any thread."""
    if _opener is None:
        return False
    _opener.requested.emit(url)
    return True
