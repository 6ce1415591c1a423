"""Inventory: one row per stock pool, the next step, the attention filter, inline edits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.inventory_view import LOCAL_COLUMN, InventoryView


@pytest.fixture
def view(qtbot: QtBot, controller: AppController, synced: SyncOutcome) -> Iterator[InventoryView]:
    widget = InventoryView(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.total > 0)
    return widget


def test_one_row_per_pool_with_the_next_step(view: InventoryView) -> None:
    rows = view.model.visible_rows()
    assert len(rows) == view.model.total
    assert all(r.next_action == "nothing" for r in rows)  # imported: both sides agree
    assert all(r.local_quantity == r.etsy_quantity for r in rows)


def test_needs_attention_filter_shows_unlinked_pools(
    qtbot: QtBot, view: InventoryView, controller: AppController
) -> None:
    view.attention.setChecked(True)
    assert view.model.rowCount() == 0
    listing = view.model.source_row(0).listing_id
    controller.service().unlink(listing)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    assert {r.listing_id for r in view.model.visible_rows()} == {listing}
    assert all(r.next_action == "not linked" for r in view.model.visible_rows())
    assert "need attention" in view.status.text()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-3", "cannot be negative"), ("abc", "whole number of 0 or more"), ("2.5", "whole number")],
)
def test_a_bad_quantity_is_refused_with_a_clear_message(
    view: InventoryView, typed: str, message: str
) -> None:
    index = view.model.index(0, LOCAL_COLUMN)
    before = view.model.row_at(0).local_quantity
    assert not view.model.setData(index, typed)
    assert message in view.problem.text()
    assert view.model.row_at(0).local_quantity == before


def test_only_linked_pools_are_editable(
    qtbot: QtBot, view: InventoryView, controller: AppController
) -> None:
    from PySide6.QtCore import Qt

    assert view.model.flags(view.model.index(0, LOCAL_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    assert not view.model.flags(view.model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    controller.service().unlink(view.model.row_at(0).listing_id)
    view.reload()
    qtbot.waitUntil(lambda: view.model.row_at(0).local_variant_id is None)
    assert not view.model.flags(view.model.index(0, LOCAL_COLUMN)) & Qt.ItemFlag.ItemIsEditable


def test_a_saved_quantity_says_what_the_next_sync_does_and_the_reload_keeps_it(
    qtbot: QtBot, view: InventoryView, controller: AppController
) -> None:
    row = view.model.row_at(0)
    assert row.local_quantity is not None
    wanted = row.local_quantity + 3
    assert view.model.setData(view.model.index(0, LOCAL_COLUMN), str(wanted))
    qtbot.waitUntil(lambda: "Saved:" in view.outcome.text())
    assert f"now {wanted} locally" in view.outcome.text()
    assert "Next sync: push to Etsy" in view.outcome.text()
    saved = next(r for r in view.model.visible_rows() if r.pool_id == row.pool_id)
    assert (saved.local_quantity, saved.next_action) == (wanted, "push to Etsy")

    view.status.clear()
    view.reload()  # what any later sync or edit elsewhere does
    qtbot.waitUntil(lambda: "stock pools" in view.status.text())  # the reload has landed
    reloaded = next(r for r in view.model.visible_rows() if r.pool_id == row.pool_id)
    assert reloaded.local_quantity == wanted  # stored, not only shown
    assert "Saved:" in view.outcome.text()
