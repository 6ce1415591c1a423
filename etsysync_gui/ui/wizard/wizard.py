"""``SetupWizard``: the pages in order, the shared model and job runner, and the outcome.

Setup mode shows every page (profile → keys → connect → shop → database →
sync → finish); reconnect mode shows connect and shop only, for a profile
whose app key is already stored.  The wizard owns its own ``JobRunner`` so a
five-minute wait for Etsy's answer never takes a thread from the main
window's jobs; closing the wizard cancels that wait and joins the workers.

``outcome`` (and the ``finished_with`` signal) says how it ended: a
connected profile, the demo requested (page 1's button), or cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QWidget, QWizard

from etsysync_gui.config import Settings
from etsysync_gui.etsy.oauth.flow import DEFAULT_TIMEOUT
from etsysync_gui.ui.infra.jobs import JobRunner
from etsysync_gui.ui.wizard import browser
from etsysync_gui.ui.wizard.base import Page
from etsysync_gui.ui.wizard.model import (
    CANCELLED,
    DEMO,
    Mode,
    OutcomeKind,
    PageId,
    SyncChoices,
    WizardModel,
    WizardOutcome,
)
from etsysync_gui.ui.wizard.page_connect import ConnectPage
from etsysync_gui.ui.wizard.page_database import DatabasePage
from etsysync_gui.ui.wizard.page_finish import FinishPage
from etsysync_gui.ui.wizard.page_keys import KeysPage
from etsysync_gui.ui.wizard.page_profile import ProfilePage
from etsysync_gui.ui.wizard.page_shop import ShopPage
from etsysync_gui.ui.wizard.page_sync import SyncPage

SHUTDOWN_WAIT_MS = 5_000


class SetupWizard(QWizard):
    demo_requested = Signal()
    finished_with = Signal(object)  # WizardOutcome

    def __init__(
        self,
        settings: Settings,
        *,
        mode: Mode = Mode.SETUP,
        parent: QWidget | None = None,
        connect_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        browser.install()
        self.mode = mode
        self.connect_timeout = connect_timeout
        self.original_shop_id = settings.profile.shop_id
        self.model = WizardModel(
            settings,
            keystring=settings.profile.keystring,
            sync=SyncChoices.from_settings(settings),
            database_url=settings.profile.database_url,
            credentials_file=settings.profile.credentials_file,
        )
        self.outcome: WizardOutcome = CANCELLED
        self.jobs = JobRunner(self)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setMinimumSize(720, 520)
        self.pages: dict[PageId, Page] = {}
        if mode is Mode.RECONNECT:
            self.setWindowTitle(f"Reconnect EtsySync to Etsy ({settings.profile.name})")
            self._add(PageId.CONNECT, ConnectPage(self))
            self._add(PageId.SHOP, ShopPage(self))
            self.pages[PageId.SHOP].setFinalPage(True)
        else:
            self.setWindowTitle("Set up EtsySync")
            self._add(PageId.PROFILE, ProfilePage(self))
            self._add(PageId.KEYS, KeysPage(self))
            self._add(PageId.CONNECT, ConnectPage(self))
            self._add(PageId.SHOP, ShopPage(self))
            self._add(PageId.DATABASE, DatabasePage(self))
            self._add(PageId.SYNC, SyncPage(self))
            self._add(PageId.FINISH, FinishPage(self))

    def _add(self, page_id: PageId, page: Page) -> None:
        self.pages[page_id] = page
        self.setPage(int(page_id), page)

    def page_of(self, page_id: PageId) -> Page:
        return self.pages[page_id]

    @property
    def connect_page(self) -> ConnectPage:
        page = self.pages[PageId.CONNECT]
        assert isinstance(page, ConnectPage)
        return page

    def request_demo(self) -> None:
        """Page 1's "Try the demo shop": end the wizard with "demo requested"."""
        self.outcome = DEMO
        self.demo_requested.emit()
        self._close(QDialog.DialogCode.Accepted.value)

    def done(self, result: int) -> None:
        """Finish (after the final page's check) or Cancel; the outcome follows."""
        accepted = result == QDialog.DialogCode.Accepted.value
        if accepted and not self.validateCurrentPage():
            return  # the page's check is still running; it finishes the wizard itself
        self.outcome = (
            WizardOutcome(
                OutcomeKind.CONNECTED,
                self.model.profile_name,
                run_first_sync=self.mode is Mode.SETUP and self.model.run_first_sync,
            )
            if accepted
            else CANCELLED
        )
        self._close(result)

    def _close(self, result: int) -> None:
        self.connect_page.cancel()
        self.jobs.shutdown(SHUTDOWN_WAIT_MS)
        # QDialog's, not QWizard's: that one would validate the current page again.
        QDialog.done(self, result)
        self.finished_with.emit(self.outcome)
