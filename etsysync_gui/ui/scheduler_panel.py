"""The scheduler panel: each job with its interval, last run and result, next run.

It shows the scheduler's snapshot (pushed by the controller, never polled
from the database) and commands it: pause, resume, run now.  Every note the
scheduler composes (paused, backing off, stretched for the budget, skipped)
appears in the job's row and in full below the table, with one sentence on
what the stock interval costs of Etsy's daily budget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.scheduling.interval_budget import IntervalAdvice, calls_per_run, explain
from etsysync_gui.scheduling.policy import describe_interval
from etsysync_gui.scheduling.snapshot import JobView, SchedulerSnapshot
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.formatting import relative, when
from etsysync_gui.ui.row_model import Column, RowTableModel
from etsysync_gui.ui.widgets import FastTableView


def _interval(job: JobView) -> str:
    text = f"every {describe_interval(job.effective_interval_s)}"
    if job.effective_interval_s != job.interval_s:
        text += f" (set: {describe_interval(job.interval_s)})"
    return text


def _state(job: JobView) -> str:
    if not job.enabled:
        return "off"
    if job.paused:
        return "paused"
    return "running" if job.running else "waiting"


COLUMNS: list[Column[JobView]] = [
    Column("Job", lambda j: j.title, width=120),
    Column("State", _state, width=70),
    Column("Interval", _interval, width=170),
    Column("Last run", lambda j: when(j.last_finished_at or j.last_started_at, "never"), width=130),
    Column("Result", lambda j: (j.last_result or "").replace("_", " "), width=150),
    Column("Next run", lambda j: when(j.next_run_at, "—"), width=130),
    Column("Failures", lambda j: j.consecutive_failures or "", right=True, width=60),
    Column("Note", lambda j: j.note or j.last_message, tooltip=lambda j: j.note or j.last_message),
]


class SchedulerPanel(QWidget):
    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model: RowTableModel[JobView] = RowTableModel(COLUMNS, self)
        layout = QVBoxLayout(self)
        self.table = FastTableView("scheduler", self)
        self.table.setModel(self.model)
        self.table.restore_state([c.width for c in COLUMNS])
        self.table.setMaximumHeight(self.table.verticalHeader().defaultSectionSize() * 4 + 8)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.run_button = QPushButton("Run now")
        self.pause_all_button = QPushButton("Pause all")
        self.resume_all_button = QPushButton("Resume all")
        self.pause_button.clicked.connect(lambda: self._each(self._pause))
        self.resume_button.clicked.connect(lambda: self._each(self._resume))
        self.run_button.clicked.connect(lambda: self._each(self._run_now))
        self.pause_all_button.clicked.connect(lambda: self._scheduler_call("pause"))
        self.resume_all_button.clicked.connect(lambda: self._scheduler_call("resume"))
        buttons.addStretch(1)
        for button in (
            self.run_button,
            self.pause_button,
            self.resume_button,
            self.pause_all_button,
            self.resume_all_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.details = QLabel()
        self.details.setWordWrap(True)
        box = QGroupBox("What the scheduler will do, and why")
        inner = QVBoxLayout(box)
        inner.addWidget(self.details)
        layout.addWidget(box)
        layout.addStretch(1)
        controller.scheduler_changed.connect(self.show_snapshot)
        if controller.scheduler is None:
            self.details.setText("Scheduled syncs start once a shop is set up (Settings).")
            for button in (self.pause_button, self.resume_button, self.run_button):
                button.setEnabled(False)
        elif controller.scheduler_snapshot is not None:
            self.show_snapshot(controller.scheduler_snapshot)

    @Slot(object)
    def show_snapshot(self, snapshot: SchedulerSnapshot) -> None:
        selected = self.table.selected_row()
        self.model.set_rows(list(snapshot.jobs))
        if selected is not None and selected < self.model.rowCount():
            self.table.selectRow(selected)
        now = self.controller.clock()
        lines = []
        for job in snapshot.jobs:
            upcoming = relative(job.next_run_at, now, "not scheduled")
            line = f"<b>{job.title}</b>: next {upcoming}"
            if job.calls_per_run is not None:
                line += f" · last run cost {job.calls_per_run:,} API calls"
            if job.job_id == "inventory":
                line += f"<br>{self.interval_sentence(job)}"
            if job.note:
                line += f"<br>{job.note}"
            lines.append(line)
        if snapshot.budget_note:
            lines.append(snapshot.budget_note)
        if snapshot.woke_at is not None:
            lines.append(f"Caught up after the computer woke at {when(snapshot.woke_at)}.")
        self.details.setText("<br>".join(lines))

    def interval_sentence(self, job: JobView) -> str:
        """What the stock interval costs a day, and whether it follows the shop's size."""
        controller = self.controller
        sized = controller.interval_advice()
        listings = controller.listing_count or 0
        cost = job.calls_per_run or calls_per_run(listings)
        text = explain(IntervalAdvice(job.interval_s, cost, sized.daily_limit))
        if controller.inventory_interval_is_automatic():
            return f"{text} Sized for your {listings:,} listings; set your own in Settings."
        return f"{text} You chose this interval in Settings."

    def _each(self, action: Callable[[str], None]) -> None:
        row = self.table.selected_row()
        if row is None:
            self.details.setText("Select a job first.")
            return
        action(self.model.row_at(row).job_id)

    def _pause(self, job_id: str) -> None:
        if self.controller.scheduler is not None:
            self.controller.scheduler.pause(job_id)

    def _resume(self, job_id: str) -> None:
        if self.controller.scheduler is not None:
            self.controller.scheduler.resume(job_id)

    def _run_now(self, job_id: str) -> None:
        if self.controller.scheduler is not None:
            submission = self.controller.scheduler.run_now(job_id)
            if submission.reason:
                self.details.setText(submission.reason)

    def _scheduler_call(self, name: str) -> None:
        if self.controller.scheduler is not None:
            getattr(self.controller.scheduler, name)()
