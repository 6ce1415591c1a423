"""The setup wizard (issue 5): first start, reconnecting, and its pages for screenshots.

Entry points:

* ``run_setup_wizard(parent, settings)``: modal, for the first start; returns a
  ``WizardOutcome`` (a connected profile, the demo requested, or cancelled).
  ``needs_setup(settings)`` says whether the profile needs it.
* ``open_reconnect(parent, controller)``: the "Reconnect to Etsy" action
  (``MainWindow.reconnect_to_etsy``); the wizard at the connect page, then
  ``controller.reconnect()``, which rechecks the connection and lifts the
  scheduler's "reconnect" pause.
* ``screenshot_pages(parent)``: every page filled with demo data
  (``benchmarks/screenshots.py``).

One module per page (``page_*.py``); ``model`` and ``steps`` hold the data
and the blocking work, without Qt.  Pages know the wizard only through
``host.WizardHost``, so they never import ``wizard``.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from etsysync_gui.config import Settings, load_settings
from etsysync_gui.etsy.oauth.flow import DEFAULT_TIMEOUT
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.wizard.model import (
    Mode,
    OutcomeKind,
    PageId,
    ShopSummary,
    WizardModel,
    WizardOutcome,
)
from etsysync_gui.ui.wizard.screenshots import screenshot_pages
from etsysync_gui.ui.wizard.steps import needs_setup
from etsysync_gui.ui.wizard.wizard import SetupWizard

log = logging.getLogger(__name__)

__all__ = [
    "Mode",
    "OutcomeKind",
    "PageId",
    "SetupWizard",
    "ShopSummary",
    "WizardModel",
    "WizardOutcome",
    "needs_setup",
    "open_reconnect",
    "run_setup_wizard",
    "screenshot_pages",
]


def run_setup_wizard(
    parent: QWidget | None = None,
    settings: Settings | None = None,
    *,
    profile: str | None = None,
    connect_timeout: float = DEFAULT_TIMEOUT,
) -> WizardOutcome:
    """Show the setup wizard modally; returns how it ended.

    The wizard starts on ``settings``' profile (else ``profile``, else the
    active one: ``load_settings(profile)``, a quick read of the config file).
    On ``connected``, the profile named in the outcome is saved, connected,
    migrated and made the default profile: start the app with it, and run a
    first listing sync when ``outcome.run_first_sync`` says so.
    """
    if settings is None:
        settings = load_settings(profile)
    wizard = SetupWizard(settings, parent=parent, connect_timeout=connect_timeout)
    try:
        wizard.exec()
        return wizard.outcome
    finally:
        wizard.deleteLater()


def open_reconnect(
    parent: QWidget, controller: AppController, *, connect_timeout: float = DEFAULT_TIMEOUT
) -> SetupWizard | None:
    """The wizard at the connect page for the controller's profile (not modal to the app).

    When the tokens come from the environment, the wizard cannot help (the
    environment wins over the keychain): the seller is told to renew them
    there, and the connection is checked again at once.
    """
    settings = controller.settings
    if settings.secrets.access_token:
        dialogs.tell(
            parent,
            "Reconnect to Etsy",
            "This profile takes its Etsy tokens from the environment (ETSY_ACCESS_TOKEN and "
            "ETSY_REFRESH_TOKEN). Put fresh ones there; EtsySync checks the connection again "
            "now and resumes the scheduled syncs when it works.",
        )
        controller.reconnect()
        return None
    wizard = SetupWizard(
        settings, mode=Mode.RECONNECT, parent=parent, connect_timeout=connect_timeout
    )

    def finished(outcome: WizardOutcome) -> None:
        if outcome.connected:
            log.info("Reconnected profile %s to Etsy", outcome.profile)
            controller.reconnect()

    wizard.finished_with.connect(finished)
    wizard.finished.connect(wizard.deleteLater)  # one wizard per reconnect, not kept
    wizard.open()
    return wizard
