"""What every wizard page shares: a worker call with a busy bar, a problem line, and
"check, then go on" navigation.

Why "check, then go on": ``validatePage`` must answer at once, but the checks
(keychain, Etsy, database) block.  So a page answers "not yet", starts the
check on the wizard's job runner and, when the check passes for the input it
was given, remembers that input and presses Next itself.  Pressing Next again
with the same input goes straight on; changed input is checked again.
Next is disabled while a check runs (``isComplete``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QProgressBar, QWizardPage

from etsysync_gui.scheduling.requests import describe_error
from etsysync_gui.ui.wizard.host import WizardHost

PROBLEM_STYLE = "color: #b00020"
WARNING_STYLE = "color: #8a5a00"


def note(text: str = "", *, style: str = "") -> QLabel:
    """A word-wrapped label whose text can be selected and copied."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setOpenExternalLinks(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    if style:
        label.setStyleSheet(style)
    return label


class Page(QWizardPage):
    """A page of the setup wizard (see the module notes)."""

    def __init__(self, wizard: WizardHost, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.setup = wizard
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self._busy = False
        self._passed: Hashable | None = None
        self.problem_title = ""
        self.problem_message = ""
        self.status = note()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.problem = note(style=PROBLEM_STYLE)
        self.problem.hide()

    # -- layout ---------------------------------------------------------------------------

    def add_footer(self, layout: QLayout) -> None:
        layout.addWidget(self.status)
        layout.addWidget(self.busy_bar)
        layout.addWidget(self.problem)

    # -- busy and problems --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._busy

    def set_busy(self, busy: bool, status: str = "") -> None:
        self._busy = busy
        self.busy_bar.setVisible(busy)
        if status or busy:
            self.status.setText(status)
        self.completeChanged.emit()

    def show_problem(self, error: object, message: str | None = None) -> None:
        """Show an error's title and message as they are (or a title and a message)."""
        if message is None:
            exc = error if isinstance(error, BaseException) else Exception(str(error))
            title, message, _ = describe_error(exc)
        else:
            title = str(error)
        self.problem_title, self.problem_message = title, message
        self.problem.setText(f"<b>{escape(title)}</b><br>{escape(message)}")
        self.problem.show()

    def clear_problem(self) -> None:
        self.problem_title = self.problem_message = ""
        self.problem.clear()
        self.problem.hide()

    def run(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], None],
        *,
        status: str,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn`` on the wizard's job runner; results come back on the GUI thread."""
        self.clear_problem()
        self.set_busy(True, status)

        def done(value: object) -> None:
            self.set_busy(False)
            on_result(value)

        def failed(exc: object) -> None:
            self.set_busy(False)
            self.status.clear()
            if on_error is not None and isinstance(exc, BaseException):
                on_error(exc)
            else:
                self.show_problem(exc)

        self.setup.jobs.submit(fn, done, failed, context=self)

    # -- navigation ---------------------------------------------------------------------------

    def ready(self) -> bool:
        """Whether the page's input is complete enough to try Next (override)."""
        return True

    def isComplete(self) -> bool:
        return not self._busy and self.ready()

    def check_key(self) -> Hashable | None:
        """The input the check depends on, or ``None`` when the page needs no check."""
        return None

    def start_check(self, key: Hashable) -> None:
        """Start the check of ``key``; call ``passed(key)`` when it succeeds (override)."""
        self.passed(key)

    def validatePage(self) -> bool:
        key = self.check_key()
        if key is None or key == self._passed:
            return True
        if not self._busy:
            self.start_check(key)
        return False

    def passed(self, key: Hashable) -> None:
        """The check of ``key`` succeeded: go on as if Next (or Finish) was pressed again."""
        self._passed = key
        wizard = self.setup
        if wizard.currentPage() is not self:
            return
        if self.isFinalPage() or wizard.nextId() == -1:
            wizard.accept()
        else:
            wizard.next()
