"""Pressing the wizard's buttons the way a seller does, and waiting for the pages' workers."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from etsysync_gui.ui.wizard import SetupWizard
from etsysync_gui.ui.wizard.base import Page
from etsysync_gui.ui.wizard.model import PageId

TIMEOUT_MS = 30_000


def press(wizard: SetupWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isEnabled(), f"{which.name} is disabled on {wizard.currentPage().title()}"
    button.click()


def go_next(qtbot: QtBot, wizard: SetupWizard, expected: PageId) -> None:
    """Next, then wait until the page's check passed and ``expected`` is shown."""
    page = wizard.currentPage()
    press(wizard, QWizard.WizardButton.NextButton)
    qtbot.waitUntil(
        lambda: wizard.currentId() == expected or bool(_problem(page)), timeout=TIMEOUT_MS
    )
    assert wizard.currentId() == expected, _problem(page)


def start_at(wizard: SetupWizard, page_id: PageId) -> Page:
    wizard.setStartId(int(page_id))
    wizard.restart()
    return wizard.page_of(page_id)


def wait_problem(qtbot: QtBot, page: Page) -> str:
    """Wait for the page's worker to report a problem; returns "title: message"."""
    qtbot.waitUntil(lambda: bool(page.problem_title) and not page.busy, timeout=TIMEOUT_MS)
    assert page.problem.isVisibleTo(page)
    return _problem(page)


def _problem(page: object) -> str:
    if not isinstance(page, Page) or not page.problem_title:
        return ""
    return f"{page.problem_title}: {page.problem_message}"
