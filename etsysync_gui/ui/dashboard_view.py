"""The dashboard: connection, API budget, last syncs, what is scheduled, what is running.

It presents and commands: every number comes from ``queries.dashboard`` (on a
worker), the controller's connection and budget, and the scheduler's
snapshot; the two buttons hand requests to the sync runner.  "Sync inventory
now" first asks for a plan, then shows it in ``PlanReviewDialog`` (unless the
seller chose to apply small plans without asking) and applies that plan.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.etsy.ratelimit import Budget
from etsysync_gui.queries.dashboard import DashboardData, load_dashboard
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.scheduling.snapshot import SchedulerSnapshot
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.ui import dialogs
from etsysync_gui.ui.controller import AppController, Connection
from etsysync_gui.ui.dashboard_text import PHASES, mode_text, run_text, schedule_text
from etsysync_gui.ui.formatting import when
from etsysync_gui.ui.plain_errors import outcome_text
from etsysync_gui.ui.plan_review_dialog import PlanReviewDialog, skip_review_for
from etsysync_gui.ui.sync_state import paused_by_user

DETAILS_LINK = ' <a href="details">Details…</a>'


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DashboardView(QWidget):
    reconnect_requested = Signal()
    needs_you_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.review_dialog: PlanReviewDialog | None = None
        self._plan_request: SyncRequest | None = None
        self._data: DashboardData | None = None
        self._connection_detail: str | None = None
        self._message_detail: str | None = None
        grid = QGridLayout(self)
        grid.addWidget(self._connection_box(), 0, 0)
        grid.addWidget(self._budget_box(), 0, 1)
        self.listing_run = _label("No listing sync yet.")
        self.inventory_run = _label("No inventory sync yet.")
        grid.addWidget(_boxed("Last listing sync", self.listing_run), 1, 0)
        grid.addWidget(_boxed("Last inventory sync", self.inventory_run), 1, 1)
        self.schedule = _label("The scheduler starts once a shop is set up.")
        self.mode = _label(mode_text(controller.settings.profile, controller.inventory_interval()))
        grid.addWidget(_boxed("Scheduled syncs", self.mode, self.schedule), 2, 0, 1, 2)
        grid.addWidget(self._running_box(), 3, 0, 1, 2)
        grid.addLayout(self._buttons(controller), 4, 0, 1, 2)
        self.message = _label()
        self.message.linkActivated.connect(lambda _link: self.show_detail("message"))
        grid.addWidget(self.message, 5, 0, 1, 2)
        grid.setRowStretch(6, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self._follow(controller)
        self._clock = QTimer(self)
        self._clock.setInterval(30_000)
        self._clock.timeout.connect(self._refresh_times)
        self._clock.start()
        self._show_connection(controller.connection)
        self._show_running(None)

    # --- boxes -----------------------------------------------------------------------------

    def _buttons(self, controller: AppController) -> QHBoxLayout:
        """Needs you, the two sync buttons and Pause, in one row."""
        buttons = QHBoxLayout()
        self.needs_you_button = QPushButton("Needs you: nothing")
        self.needs_you_button.setToolTip("Conflicts, unlinked listings and plans waiting for you")
        self.needs_you_button.clicked.connect(self.needs_you_requested)
        buttons.addWidget(self.needs_you_button)
        self.sync_listings_button = QPushButton("Sync listings now")
        self.sync_listings_button.setToolTip("Read every listing from Etsy (Ctrl+L)")
        self.sync_listings_button.clicked.connect(self.sync_listings)
        self.sync_inventory_button = QPushButton("Sync inventory now…")
        self.sync_inventory_button.setToolTip("Plan the stock sync and review it (Ctrl+I)")
        self.sync_inventory_button.clicked.connect(self.sync_inventory)
        self.pause_button = QPushButton("Pause syncing")
        self.pause_button.setToolTip("Stop the scheduled syncs until you resume them")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.pause_button.setVisible(controller.scheduler is not None)
        buttons.addWidget(self.sync_listings_button)
        buttons.addWidget(self.sync_inventory_button)
        buttons.addStretch(1)
        buttons.addWidget(self.pause_button)
        return buttons

    def _follow(self, controller: AppController) -> None:
        """Redraw from the runner's and the controller's signals."""
        runner = controller.runner
        runner.started.connect(self._on_started)
        runner.progress.connect(self._on_progress)
        runner.finished.connect(self._on_finished)
        runner.refused.connect(self._on_refused)
        runner.queue_changed.connect(self._show_queue)
        controller.connection_changed.connect(self._show_connection)
        controller.budget_changed.connect(self._show_budget)
        controller.scheduler_changed.connect(self._show_schedule)
        controller.data_changed.connect(self.reload)
        controller.settings_changed.connect(self._show_mode)
        controller.scheduler_changed.connect(self._show_mode)

    def _connection_box(self) -> QGroupBox:
        self.connection = _label("Checking the connection…")
        self.connection.linkActivated.connect(lambda _link: self.show_detail("connection"))
        self.token = _label()
        self.shop_counts = _label()
        self.reconnect_button = QPushButton("Reconnect to Etsy…")
        self.reconnect_button.clicked.connect(self.reconnect_requested)
        self.reconnect_button.hide()
        box = _boxed("Etsy", self.connection, self.token, self.shop_counts)
        _layout(box).addWidget(self.reconnect_button)
        return box

    def _budget_box(self) -> QGroupBox:
        self.budget_bar = QProgressBar()
        self.budget_bar.setTextVisible(True)
        self.budget_label = _label("Etsy reports the budget with each answer.")
        return _boxed("API budget today", self.budget_bar, self.budget_label)

    def _running_box(self) -> QGroupBox:
        self.running = _label()
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the listing in progress (Ctrl+Shift+X)")
        self.cancel_button.clicked.connect(self.cancel)
        self.waiting = _label()
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        box = _boxed("Now", self.running, self.waiting)
        _layout(box).addLayout(row)
        return box

    # --- commands --------------------------------------------------------------------------

    def sync_listings(self) -> None:
        self._submit(SyncRequest("listings"))

    def sync_inventory(self) -> None:
        request = SyncRequest("plan")
        if self._submit(request):
            self._plan_request = request

    def show_detail(self, which: str) -> None:
        """The technical text behind an error, one click away from the plain sentence."""
        detail = self._connection_detail if which == "connection" else self._message_detail
        if detail:
            dialogs.tell(self, "Technical details", detail)

    def toggle_pause(self) -> None:
        self.controller.set_paused(not paused_by_user(self.controller.scheduler_snapshot))

    def cancel(self) -> None:
        if self.controller.runner.cancel():
            self.running.setText(self.running.text() + " — cancelling…")

    def apply_plan(self, plan: SyncPlan) -> None:
        self._submit(SyncRequest("apply", plan=plan))

    def _submit(self, request: SyncRequest) -> bool:
        submission = self.controller.runner.submit(request)
        if submission.reason:
            self.message.setText(submission.reason)
        return submission.accepted

    @Slot(int)
    def _show_mode(self, _news: object = None) -> None:
        """The write mode with the stock interval in force (it may follow the shop's size)."""
        controller = self.controller
        self.mode.setText(mode_text(controller.settings.profile, controller.inventory_interval()))

    def show_needs_you(self, count: int) -> None:
        """The card that opens the Needs you inbox, with how many items wait there."""
        self.needs_you_button.setText(f"Needs you: {count}" if count else "Needs you: nothing")
        self.needs_you_button.setStyleSheet("font-weight: bold" if count else "")

    def reload(self) -> None:
        shop_id = self.controller.shop_id
        if shop_id is None:
            return
        database = self.controller.database
        self.controller.jobs.submit(
            lambda: load_dashboard(database, shop_id), self._show_data, context=self
        )

    # --- runner news -----------------------------------------------------------------------

    @Slot(object)
    def _on_started(self, request: SyncRequest) -> None:
        self._show_running(request)

    @Slot(str, int, int)
    def _on_progress(self, phase: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        current = self.controller.runner.current
        title = current.title if current else "Sync"
        self.running.setText(f"<b>{title}</b>: {PHASES.get(phase, phase)} ({done:,} of {total:,})")

    @Slot(object)
    def _on_finished(self, outcome: SyncOutcome) -> None:
        self._show_running(None)
        text, self._message_detail = outcome_text(outcome)
        self.message.setText(escape(text) + (DETAILS_LINK if self._message_detail else ""))
        if outcome.request is self._plan_request:
            self._plan_request = None
            if outcome.plan is not None and outcome.error is None:
                self._review(outcome.plan)

    @Slot(object, str)
    def _on_refused(self, request: SyncRequest, reason: str) -> None:
        if request.trigger == "manual":
            self.message.setText(f"{request.title}: {reason}")

    def _review(self, plan: SyncPlan) -> None:
        if skip_review_for(plan):
            self.message.setText("Small plan applied without review (see Settings).")
            self.apply_plan(plan)
            return
        dialog = PlanReviewDialog(plan, self)
        dialog.accepted.connect(lambda: self.apply_plan(dialog.chosen_plan()))
        dialog.finished.connect(lambda _r: setattr(self, "review_dialog", None))
        self.review_dialog = dialog
        dialog.open()

    def _show_running(self, request: SyncRequest | None) -> None:
        busy = request is not None
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)
        if busy:
            assert request is not None
            self.progress.setRange(0, 0)
            who = "scheduled" if request.trigger == "scheduled" else "started by you"
            self.running.setText(f"<b>{request.title}</b> ({who}): starting…")
        else:
            self.running.setText("No sync running.")
        self._show_queue()

    @Slot()
    def _show_queue(self) -> None:
        waiting = self.controller.runner.waiting
        self.waiting.setText("Waiting: " + ", ".join(r.title for r in waiting) if waiting else "")

    # --- controller news -------------------------------------------------------------------

    @Slot(object)
    def _show_connection(self, connection: Connection) -> None:
        texts = {
            "checking": "Checking the connection to Etsy…",
            "connected": f"Connected to <b>{connection.shop_name}</b>",
            "needs_user": f"<b>Etsy needs you to reconnect.</b> {connection.message or ''}",
            "not_configured": connection.message or "Not set up yet.",
            "error": f"<b>Etsy unreachable.</b> {connection.message or ''}",
        }
        self._connection_detail = connection.detail
        text = texts.get(connection.state, connection.state)
        self.connection.setText(text + (DETAILS_LINK if connection.detail else ""))
        self.reconnect_button.setVisible(connection.state in ("needs_user", "not_configured"))
        expiry = connection.token_expires_at
        self.token.setText(
            f"Access token valid until {when(expiry)} (renewed automatically)" if expiry else ""
        )
        self.token.setVisible(expiry is not None)

    @Slot(object)
    def _show_budget(self, budget: Budget) -> None:
        self._set_budget(budget.remaining_today, budget.limit_per_day)

    def _set_budget(self, remaining: int | None, limit: int) -> None:
        self.budget_bar.setRange(0, max(limit, 1))
        if remaining is None:
            self.budget_bar.setValue(0)
            self.budget_bar.setFormat("not reported yet")
            self.budget_label.setText(f"Etsy allows {limit:,} calls a day.")
            return
        self.budget_bar.setValue(min(remaining, limit))
        self.budget_bar.setFormat(f"{remaining:,} of {limit:,} left")
        self.budget_label.setText(f"{remaining:,} of Etsy's {limit:,} daily calls remain.")

    @Slot(object)
    def _show_schedule(self, snapshot: SchedulerSnapshot) -> None:
        self.schedule.setText(schedule_text(snapshot, self.controller.clock()))
        paused = paused_by_user(snapshot)
        self.pause_button.setText("Resume syncing" if paused else "Pause syncing")

    def _show_data(self, data: DashboardData) -> None:
        self._data = data
        self.shop_counts.setText(
            f"{data.listings:,} listings, {data.linked_listings:,} linked to the catalog · "
            f"{data.attention_pools:,} stock pools need attention"
        )
        self.listing_run.setText(run_text(data.last_listing_run, self.controller.clock()))
        self.inventory_run.setText(run_text(data.last_inventory_run, self.controller.clock()))
        if self.controller.budget is None and data.shop is not None:
            remaining = data.shop.rate_limit_remaining
            if remaining is not None:
                self._set_budget(remaining, 10_000)

    def _refresh_times(self) -> None:
        if self.controller.scheduler_snapshot is not None:
            self._show_schedule(self.controller.scheduler_snapshot)
        if self._data is not None:
            self._show_data(self._data)


def _boxed(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _layout(box: QGroupBox) -> QVBoxLayout:
    layout = box.layout()
    assert isinstance(layout, QVBoxLayout)
    return layout
