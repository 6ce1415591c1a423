"""``WizardHost``: what a wizard page needs from the wizard it sits on.

Why a protocol: the wizard builds its pages, so a page that imported the wizard's
class (even only for its type) would close an import circle.  Pages depend on this
small description instead; ``SetupWizard`` satisfies it without naming it.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWizardPage

from etsysync_gui.ui.infra.jobs import JobRunner
from etsysync_gui.ui.wizard.model import WizardModel


class WizardHost(Protocol):
    """The shared model and job runner, the settings the pages read, and navigation."""

    @property
    def model(self) -> WizardModel:
        """The choices every page reads and fills in."""
        ...

    @property
    def jobs(self) -> JobRunner:
        """The wizard's own runner for blocking checks (keychain, Etsy, database)."""
        ...

    @property
    def connect_timeout(self) -> float:
        """Seconds to wait for Etsy's answer to the browser sign-in."""
        ...

    @property
    def original_shop_id(self) -> int | None:
        """The profile's shop before the wizard started (to tell a change of shop)."""
        ...

    def request_demo(self) -> None:
        """End the wizard with "demo requested"."""

    def currentPage(self) -> QWizardPage:  # Qt's name (QWizard.currentPage)
        """The page shown now."""
        ...

    def nextId(self) -> int:
        """The id of the page Next goes to, or -1 on the last page."""
        ...

    def next(self) -> None:
        """Go to the next page, as the Next button does."""

    def accept(self) -> None:
        """Finish the wizard, as the Finish button does."""
