"""Sync log: runs with counts, the journal in keyset pages, filters, a run's decisions, CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from etsysync_gui.db.models import EtsyInventorySyncLog
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.dashboard_text import run_text
from etsysync_gui.ui.log_view import RUN_COLUMNS, LogView
from tests.clock import FakeClock
from tests.queries.logdata import fill_log

RUNS, PER_RUN = 3, 400


@pytest.fixture
def run_ids(controller: AppController, clock: FakeClock) -> list[int]:
    assert controller.shop_id is not None
    return fill_log(
        controller.database, shop_id=controller.shop_id, runs=RUNS, per_run=PER_RUN, end=clock.now
    )


@pytest.fixture
def view(qtbot: QtBot, controller: AppController, run_ids: list[int]) -> Iterator[LogView]:
    widget = LogView(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0 and widget.runs.total == RUNS)
    return widget


def _settled(view: LogView) -> bool:
    return not view.model.loading


def test_runs_with_counts_and_the_newest_page_of_decisions(qtbot: QtBot, view: LogView) -> None:
    run = view.runs.row_at(0)
    assert run.counts.listings == PER_RUN
    assert run.counts.api_calls == PER_RUN // 10 + 1
    writes = [c.title for c in RUN_COLUMNS].index("Etsy writes")
    assert view.runs.data(view.runs.index(0, writes)) == str(PER_RUN // 5)
    assert f"{PER_RUN // 5} Etsy writes" in run_text(run, run.started_at)
    assert view.model.rowCount() == 500
    times = [r.synced_at for r in view.model.rows]
    assert times == sorted(times, reverse=True)
    assert "scroll for more" in view.status.text()
    view.model.fetchMore()
    qtbot.waitUntil(lambda: view.model.rowCount() == 1000)
    view.model.fetchMore()
    qtbot.waitUntil(lambda: view.model.rowCount() == RUNS * PER_RUN)
    assert view.model.complete
    assert not view.model.canFetchMore()
    assert len({r.id for r in view.model.rows}) == RUNS * PER_RUN  # no row twice


def test_filters_narrow_the_journal(qtbot: QtBot, view: LogView) -> None:
    view.result.setCurrentIndex(view.result.findData("error"))
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == RUNS * PER_RUN // 10)
    assert {r.result for r in view.model.rows} == {"error"}
    view.result.setCurrentIndex(0)
    view.action.setCurrentIndex(view.action.findData("merge"))
    view.listing.setText("1005")
    view.listing.editingFinished.emit()
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() > 0)
    assert {(r.action, r.listing_id) for r in view.model.rows} == {("merge", 1005)}
    view.action.setCurrentIndex(0)
    view.listing.setText("")
    view.text.setText("refused")
    view.text.flush()
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == RUNS * PER_RUN // 10)
    view.text.setText("")
    view.text.flush()
    view.range.setCurrentText("Last hour")
    qtbot.waitUntil(
        lambda: _settled(view) and view.model.rowCount() == 61
    )  # 60 minutes back, both ends


def test_double_clicking_a_run_shows_its_decisions(
    qtbot: QtBot, view: LogView, run_ids: list[int]
) -> None:
    oldest = view.runs.find(lambda r: r.id == run_ids[0])
    assert oldest is not None
    view.runs_table.doubleClicked.emit(view.runs.index(oldest, 0))
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() > 0)
    assert {r.run_id for r in view.model.rows} == {run_ids[0]}
    assert view.run_chip.isVisible()
    view.run_chip.click()
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == 500)
    assert not view.run_chip.isVisible()


def test_csv_export_writes_every_matching_row(qtbot: QtBot, view: LogView, tmp_path: Path) -> None:
    view.result.setCurrentIndex(view.result.findData("success"))
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == 500)
    path = tmp_path / "log.csv"
    view.export_csv(path)
    qtbot.waitUntil(lambda: view.status.text().startswith("Exported"))
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == RUNS * PER_RUN * 9 // 10  # all of them, not just the loaded page
    assert {row["sync_result"] for row in rows} == {"success"}


def test_typing_a_receipt_shows_the_decisions_that_name_that_order(
    qtbot: QtBot, view: LogView, controller: AppController, run_ids: list[int], clock: FakeClock
) -> None:
    notes = {
        "sold 1 on Etsy that an earlier write had erased: receipt 123456": 2001,
        "sold 2 on Etsy that an earlier write had erased: receipts 999, 123456": 2002,
        "sold 1 on Etsy that an earlier write had erased: receipt 1234567": 2003,
    }
    with controller.database.session() as session:
        session.execute(
            insert(EtsyInventorySyncLog),
            [
                {
                    "run_id": run_ids[-1],
                    "etsy_listing_id": listing,
                    "pool_key": "sku:A",
                    "local_quantity": 3,
                    "etsy_quantity": 3,
                    "quantity_diff": 0,
                    "sync_action": "pull_from_etsy",
                    "sync_result": "success",
                    "synced_at": clock.now,
                    "message": message,
                }
                for message, listing in notes.items()
            ],
        )
    view.text.setText("Receipt 123456")
    view.text.flush()
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == 2)
    assert {r.listing_id for r in view.model.rows} == {2001, 2002}  # not 1234567
    view.text.setText("")
    view.text.flush()
    qtbot.waitUntil(lambda: _settled(view) and view.model.rowCount() == 500)
