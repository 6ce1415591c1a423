""" "Reconnect to Etsy": the setup wizard when it is there, else a fresh check.

The wizard (``ui/wizard/``, a colleague's) owns connecting; this only opens
it when it exposes ``open_reconnect(parent, controller)`` and otherwise tells
the seller how to reconnect and checks the connection again.  Either way a
successful check lifts the scheduler's "waiting for you to reconnect" pause.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtWidgets import QWidget

from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController

log = logging.getLogger(__name__)


def reconnect(parent: QWidget, controller: AppController) -> None:
    try:
        wizard = importlib.import_module("etsysync_gui.ui.wizard")
    except ImportError:
        wizard = None
    opener = getattr(wizard, "open_reconnect", None) if wizard is not None else None
    if callable(opener):
        opener(parent, controller)
        return
    dialogs.tell(
        parent,
        "Reconnect to Etsy",
        "Connect EtsySync to Etsy again (the setup wizard, or 'etsysync' on the command "
        "line), then EtsySync checks the connection and resumes the scheduled syncs.",
    )
    controller.reconnect()
