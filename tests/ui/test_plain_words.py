"""Plain words: Settings speaks like the wizard, headers explain, reasons stay visible,
errors are sentences with the detail one click away, "Etsy unreachable", the Help menu."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui.column_help import column_help
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.link_dialog import COLUMNS as LINK_COLUMNS
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.plain_errors import plain_error
from etsysync_gui.ui.plan_review_dialog import COLUMNS as PLAN_COLUMNS
from etsysync_gui.ui.widgets import FastTableView
from tests.ui.conftest import RunSync

INTERNAL = ("ConnectError", "Errno", "invalid_grant", "postgresql+psycopg", "Traceback")


@pytest.fixture
def window(qtbot: QtBot, context: AppContext, controller: AppController) -> Iterator[MainWindow]:
    win = MainWindow(context, controller=controller)
    opened: list[QUrl] = []
    win.help_menu.open_url = opened.append
    win.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    win.show()
    win.start(scheduler=False)
    yield win
    win.shutdown()


def test_settings_use_the_wizards_words(window: MainWindow) -> None:
    dialog = window.open_settings()
    for combo in (dialog.conflict, dialog.zero, dialog.log_level):
        texts = [combo.itemText(i) for i in range(combo.count())]
        for raw in ("merge", "local wins", "INFO", "DEBUG", "deactivate", "skip"):
            assert raw not in texts
    assert dialog.conflict.currentText().startswith("Merge: keep both sides")
    assert dialog.conflict.currentData() == "merge"  # the stored value is unchanged
    dialog.reject()


def test_every_table_header_explains_itself(window: MainWindow) -> None:
    tables = window.findChildren(FastTableView)
    assert len(tables) >= 6
    for table in tables:
        model = table.model()
        for section in range(model.columnCount()):
            title = model.headerData(section, Qt.Orientation.Horizontal)
            tip = model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            assert tip, f"{table.objectName()}: {title} has no header help"
    for column in [*LINK_COLUMNS, *PLAN_COLUMNS]:
        assert column.help or column_help(column.title), column.title


def test_inventory_explains_base_etsy_qty_and_shows_the_whole_reason(
    qtbot: QtBot, window: MainWindow, synced: SyncOutcome, run_sync: RunSync
) -> None:
    assert run_sync("inventory").ok
    window.tabs.setCurrentWidget(window.inventory)
    view = window.inventory
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    tip = Qt.ItemDataRole.ToolTipRole
    header = view.model.headerData
    assert "agreed" in header(6, Qt.Orientation.Horizontal, tip)  # Base
    qtbot.waitUntil(lambda: "Etsy qty at last sync" in header(5, Qt.Orientation.Horizontal, tip))
    assert "Select a stock pool" in view.details.text()
    view.table.selectRow(0)
    row = view.model.row_at(0)
    assert row.next_reason in view.details.text().replace("&#x27;", "'")
    assert row.label in view.details.text()


def test_the_log_names_pools_as_inventory_does(
    qtbot: QtBot, window: MainWindow, synced: SyncOutcome, run_sync: RunSync
) -> None:
    window.tabs.setCurrentWidget(window.inventory)
    inventory = window.inventory
    qtbot.waitUntil(lambda: inventory.model.rowCount() > 0, timeout=10_000)
    labels = {(r.listing_id, r.label) for r in inventory.model.visible_rows()}
    keys = {r.pool_key for r in inventory.model.visible_rows()}
    row = inventory.model.row_at(0)
    assert row.local_variant_id is not None
    with qtbot.waitSignal(inventory.quantity_saved, timeout=10_000):
        inventory.model.setData(inventory.model.index(0, 4), str((row.local_quantity or 0) + 3))
    outcome = run_sync("inventory")
    assert outcome.ok, outcome.summary
    window.tabs.setCurrentWidget(window.log_view)
    log = window.log_view
    qtbot.waitUntil(lambda: log.model.rowCount() > 0, timeout=10_000)
    shown = [log.model.data(log.model.index(i, 4)) for i in range(log.model.rowCount())]
    pooled = [
        (entry.listing_id, text)
        for entry, text in zip(log.model.rows, shown, strict=True)
        if entry.pool_key
    ]
    assert pooled
    for listing_id, text in pooled:
        assert (listing_id, text) in labels
        assert text not in keys or text in {label for _, label in labels}
    log.table.selectRow(0)
    assert log.model.rows[0].pool_name in log.details.text()
    assert not log.run_details.isVisible()  # no run selected: the decisions keep the room
    qtbot.waitUntil(lambda: log.runs.total > 0)
    log.runs_table.selectRow(0)
    assert log.run_details.isVisible()
    assert f"Run {log.runs.row_at(0).id}" in log.run_details.text()


def test_errors_are_sentences_with_the_detail_one_click_away(
    qtbot: QtBot, window: MainWindow, no_dialogs: list[str]
) -> None:
    qtbot.waitUntil(lambda: window.controller.connection.state == "connected", timeout=10_000)
    technical = "Cannot reach Etsy (ConnectError: [Errno 111] Connection refused)"
    outcome = SyncOutcome(SyncRequest("listings"), error=technical, error_title="Cannot reach Etsy")
    window.controller.runner.finished.emit(outcome)
    assert window.connection_label.text() == "Etsy unreachable"
    dashboard = window.dashboard
    assert "Etsy unreachable" in dashboard.connection.text()
    for text in (
        dashboard.connection.text(),
        dashboard.message.text(),
        window.sync_label.text(),
        window.tray.messages[-1][1],
    ):
        assert not any(word in text for word in INTERNAL), text
    assert "internet connection" in dashboard.message.text()
    assert "Details" in dashboard.message.text()
    dashboard.show_detail("message")
    assert technical in no_dialogs[-1]


@pytest.mark.parametrize(
    ("message", "needs_user", "expected"),
    [
        ("Cannot reach Etsy (ConnectError: [Errno 111] Connection refused)", False, "reach"),
        ("Token refresh failed: invalid_grant", True, "Reconnect to Etsy"),
        (
            "(psycopg.OperationalError) connection to postgresql+psycopg://db failed",
            False,
            "database",
        ),
        ("KeyError: 'x' Traceback", False, "did not expect"),
        (
            "Etsy refused the app key; enter the shared secret from etsy.com/developers",
            True,
            "enter the shared secret",  # the engine's own words for the seller are kept
        ),
    ],
)
def test_plain_error_keeps_internal_strings_out_of_the_main_text(
    message: str, needs_user: bool, expected: str
) -> None:
    plain = plain_error(message, needs_user=needs_user)
    assert expected in plain.text
    assert plain.next_step
    assert not any(word in plain.text for word in INTERNAL)
    assert plain.detail == message


def test_the_help_menu_opens_the_guide_and_the_log_folder(window: MainWindow) -> None:
    menu = window.help_menu
    menu.guide.trigger()
    menu.logs.trigger()
    guide, logs = window.opened  # type: ignore[attr-defined]
    assert guide.toString().endswith("README.md") or guide.scheme() == "https"
    assert logs.isLocalFile()
    assert logs.toLocalFile().endswith("logs")
    menu.about.trigger()
    assert menu.about_box is not None
    assert "EtsySync" in menu.about_box.text()
    menu.about_box.close()


def test_the_status_bar_names_the_database_in_words(window: MainWindow) -> None:
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert any("SQLite file" in text for text in texts)
    assert not any("sqlite:" in text or "postgresql+" in text for text in texts)
