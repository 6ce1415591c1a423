"""The "Needs you" inbox: everything waiting for the seller, each with its fixes as buttons.

It presents and commands: the items come from ``queries.needs_you`` (on a
worker) plus what only the controller knows (Etsy wants a reconnect, a
scheduled plan waits for review).  A conflict is settled by handing a
``resolve`` request to THE sync runner (the same safe write path as every
sync); *Link…* / *Relink…* open the existing link dialog; *Reconnect* and
*Review…* are signals the main window answers.

When a reload finds items that were not there before, the seller is told once
through ``controller.notify`` (the tray's message); the first load only sets
what counts as already seen, so starting the app does not nag, and unlinked
listings never trigger a message (``QUIET``).  What counts as seen is what the
last load listed: an item settled and back later is news again.  A reconnect
and a plan waiting are told by the controller, in their own words, when they
happen; the inbox only lists them (told twice would be noise).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui.queries import needs_you as q
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.sync.inventory.resolve import PoolFix, Resolution
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.link_dialog import LinkDialog
from etsysync_gui.ui.plan_review_dialog import PlanReviewDialog

BUTTON_WORDS = {
    q.KEEP_MINE: "Keep my number",
    q.KEEP_ETSY: "Keep Etsy's",
    q.MERGE: "Merge",
    q.COUNTED: "I counted",
    q.LINK: "Link…",
    q.RELINK: "Relink…",
    q.RECONNECT: "Reconnect…",
    q.REVIEW: "Review…",
}
# Unlinked listings are counted and listed, but a new shop has hundreds of them and the
# first listing sync finds them all at once: they are no news worth a tray message.
# A reconnect and a plan waiting for review are told by the controller when they happen.
QUIET = ("unlinked", "reconnect", "review")
RESOLUTIONS = {
    q.KEEP_MINE: Resolution.KEEP_MINE,
    q.KEEP_ETSY: Resolution.KEEP_ETSY,
    q.MERGE: Resolution.MERGE,
    q.COUNTED: Resolution.COUNTED,
}


class ItemRow(QFrame):
    """One item: its name, the sentence, and a button per fix (plus the count box)."""

    def __init__(self, item: q.NeedsYouItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(self)
        name = QLabel(f"<b>{item.title}</b>")
        name.setTextFormat(Qt.TextFormat.RichText)
        detail = QLabel(item.detail)
        detail.setWordWrap(True)
        column.addWidget(name)
        column.addWidget(detail)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        self.count = QSpinBox()
        self.count.setRange(0, 1_000_000)
        self.count.setValue(item.local or 0)
        self.count.setToolTip("The stock you counted; both sides are set to it")
        for fix in item.fixes:
            if fix == q.COUNTED:
                row.addWidget(self.count)
            button = QPushButton(BUTTON_WORDS[fix])
            self.buttons[fix] = button
            row.addWidget(button)
        self.count.setVisible(q.COUNTED in item.fixes)
        row.addStretch(1)
        column.addLayout(row)


class NeedsYouView(QWidget):
    count_changed = Signal(int)
    reconnect_requested = Signal()

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.rows: dict[str, ItemRow] = {}
        self.link_dialog: LinkDialog | None = None
        self.review_dialog: PlanReviewDialog | None = None
        self._seen: set[str] | None = None
        self._pending: dict[object, str] = {}  # resolve request → the item's key
        self._data = q.NeedsYou(())
        self._shown: list[q.NeedsYouItem] | None = None
        layout = QVBoxLayout(self)
        self.summary = QLabel("Nothing needs you right now.")
        self.summary.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        self._list = QWidget()
        self._column = QVBoxLayout(self._list)
        self._column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        layout.addWidget(scroll, 1)
        controller.data_changed.connect(self.reload)
        controller.connection_changed.connect(lambda _c: self._show())
        controller.runner.finished.connect(self._on_finished)

    # --- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        shop_id = self.controller.shop_id
        if shop_id is None:
            return
        database = self.controller.database
        self.controller.jobs.submit(
            lambda: q.load_needs_you(database, shop_id), self._loaded, context=self
        )

    def _loaded(self, data: q.NeedsYou) -> None:
        self._data = data
        self._show()

    def items(self) -> list[q.NeedsYouItem]:
        """The database's items and the controller's (reconnect, a plan waiting)."""
        extra = []
        connection = self.controller.connection
        if connection.state == "needs_user":
            extra.append(
                q.NeedsYouItem(
                    "reconnect",
                    "reconnect",
                    "Reconnect to Etsy",
                    "Etsy no longer accepts EtsySync's access "
                    f"({connection.message or 'no reason given'}). Reconnect so syncing can go on.",
                    (q.RECONNECT,),
                )
            )
        held = self.controller.held
        if held is not None:
            totals = held.plan.totals
            extra.append(
                q.NeedsYouItem(
                    "review",
                    f"review:{held.plan.created_at.isoformat()}",
                    "A scheduled inventory sync waits for your review",
                    f"It stopped at its plan because {held.reason} It would write "
                    f"{totals.listings_to_write} listing(s); review it, untick what you do not "
                    "want, and apply.",
                    (q.REVIEW,),
                )
            )
        return extra + list(self._data.items)

    def _show(self) -> None:
        items = self.items()
        # A reload that found the same items keeps the rows; a hidden inbox builds none
        # (hundreds of rows are widgets: building them while a big sync runs would stall
        # the window), it only counts, and builds its rows when it is shown.
        if items != self._shown and self.isVisible():
            self._rebuild(items)
        count = len(items) + self._data.count - len(self._data.items)
        more = count - len(items)
        self.summary.setText(
            f"<b>{count} thing(s) need you.</b> Each has its fixes as buttons."
            + (f" The first {len(items)} are listed; settle them to see the rest." if more else "")
            if count
            else "Nothing needs you right now."
        )
        self.count_changed.emit(count)
        self._tell_about_new(items)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        items = self.items()
        if items != self._shown:
            self._rebuild(items)

    def _rebuild(self, items: list[q.NeedsYouItem]) -> None:
        self._shown = items
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows = {}
        for item in items:
            row = ItemRow(item, self._list)
            for fix, button in row.buttons.items():
                button.clicked.connect(lambda _c=False, i=item, f=fix, r=row: self.fix(i, f, r))
            self._column.insertWidget(self._column.count() - 1, row)
            self.rows[item.key] = row

    def _tell_about_new(self, items: list[q.NeedsYouItem]) -> None:
        keys = {item.key for item in items}
        new = [
            item
            for item in items
            if self._seen is not None and item.key not in self._seen and item.kind not in QUIET
        ]
        # A capped list shows the first items only: one settled lets an old one move up, which
        # is no news, so a capped list only adds to what was seen.
        capped = self._data.count > len(self._data.items)
        self._seen = self._seen | keys if self._seen is not None and capped else keys
        if new:
            first = new[0].title
            self.controller.notify.emit(
                "EtsySync needs you",
                f"{len(new)} new item(s) need you, first: {first}. Open Needs you to settle them.",
                False,
            )

    # --- fixes -------------------------------------------------------------------------

    def fix(self, item: q.NeedsYouItem, fix: str, row: ItemRow) -> None:
        """Carry out one button of one item."""
        if fix in RESOLUTIONS:
            self._resolve(item, RESOLUTIONS[fix], row.count.value())
        elif fix in (q.LINK, q.RELINK):
            self._open_link(item)
        elif fix == q.RECONNECT:
            self.reconnect_requested.emit()
        elif fix == q.REVIEW:
            self.review_held()

    def _resolve(self, item: q.NeedsYouItem, resolution: Resolution, count: int) -> None:
        assert item.listing_id is not None
        assert item.pool_key is not None
        fix = PoolFix(
            item.listing_id,
            item.pool_key,
            resolution,
            count if resolution is Resolution.COUNTED else None,
        )
        request = SyncRequest("resolve", fix=fix)
        submission = self.controller.runner.submit(request)
        if not submission.accepted:
            self.message.setText(f"Not settled yet: {submission.reason}. Try again in a moment.")
            return
        self._pending[request] = item.key
        self.message.setText(f"Settling {item.title}…")

    @Slot(object)
    def _on_finished(self, outcome: SyncOutcome) -> None:
        key = self._pending.pop(outcome.request, None)
        if key is None:
            return
        if outcome.error is not None:
            self.message.setText(f"Not settled: {outcome.error}")
        else:
            self.message.setText("Settled; both sides now hold the number you chose.")

    def review_held(self) -> None:
        """Open the held plan in the review; applying it hands the chosen rows to the runner."""
        held = self.controller.held
        if held is None:
            return
        dialog = PlanReviewDialog(held.plan, self)
        dialog.accepted.connect(lambda: self._apply_reviewed(dialog))
        dialog.finished.connect(lambda _r: setattr(self, "review_dialog", None))
        self.review_dialog = dialog
        dialog.open()

    def _apply_reviewed(self, dialog: PlanReviewDialog) -> None:
        submission = self.controller.runner.submit(SyncRequest("apply", plan=dialog.chosen_plan()))
        if submission.reason:
            self.message.setText(f"{submission.reason}.")

    def _open_link(self, item: q.NeedsYouItem) -> None:
        assert item.listing_id is not None
        dialog = LinkDialog(self.controller, item.listing_id, item.title, self)
        dialog.changed.connect(self.controller.data_changed)
        dialog.finished.connect(lambda _r: setattr(self, "link_dialog", None))
        self.link_dialog = dialog
        dialog.open()
