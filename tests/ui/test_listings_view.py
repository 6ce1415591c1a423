"""Listings: filters, debounced search, sorting, linking by hand, unlinking, import, open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from etsysync_gui.scheduling.requests import SyncOutcome
from etsysync_gui.ui import listings_view
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.listings_view import ListingsView
from fake_etsy import FakeEtsyServer


@pytest.fixture
def view(qtbot: QtBot, controller: AppController, synced: SyncOutcome) -> Iterator[ListingsView]:
    widget = ListingsView(controller)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.total > 0)
    return widget


def test_loads_every_listing_with_its_link(view: ListingsView, etsy: FakeEtsyServer) -> None:
    assert view.model.total == len(etsy.listing_ids())
    assert all(row.link == "linked" for row in view.model.visible_rows())
    assert view.count.text() == f"{view.model.total} of {view.model.total} listings"


def test_state_link_and_text_filters(qtbot: QtBot, view: ListingsView) -> None:
    rows = view.model.visible_rows()
    states = {r.state for r in rows}
    state = sorted(states)[0]
    view.state.setCurrentText(state)
    assert {r.state for r in view.model.visible_rows()} == {state}
    view.state.setCurrentIndex(0)
    view.link.setCurrentText("unlinked")
    assert view.model.rowCount() == 0
    view.link.setCurrentIndex(0)
    target = rows[5]
    view.search.setText(target.title.upper())  # case does not matter
    assert view.model.rowCount() == len(rows)  # debounced: nothing yet
    view.search.flush()
    assert [r.listing_id for r in view.model.visible_rows()] == [target.listing_id]
    view.search.setText(str(rows[3].listing_id))
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    view.errors.setChecked(True)
    assert view.model.rowCount() == 0


def test_sorting_by_a_column(view: ListingsView) -> None:
    view.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # Etsy quantity
    quantities = [r.quantity or 0 for r in view.model.visible_rows()]
    assert quantities == sorted(quantities, reverse=True)
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    titles = [r.title for r in view.model.visible_rows()]
    assert titles == sorted(titles)


def test_open_on_etsy_uses_the_listing_url(
    view: ListingsView, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(listings_view, "open_url", opened.append)
    view.table.selectRow(0)
    view.open_selected()
    assert opened
    assert opened[0].toString() == view.model.row_at(0).url


def test_unlink_then_link_again_with_the_suggested_variant(
    qtbot: QtBot, view: ListingsView, controller: AppController, no_dialogs: list[str]
) -> None:
    row = view.model.find(lambda r: r.pools == 1 and r.sku is not None)
    assert row is not None
    listing = view.model.row_at(row)
    view.table.selectRow(row)
    view.unlink_selected()
    qtbot.waitUntil(
        lambda: any(
            r.listing_id == listing.listing_id and r.link == "unlinked"
            for r in view.model.visible_rows()
        )
    )
    # The reload that shows the new link leaves the sentence that says what happened.
    assert view.status.text() == "Unlinked 1 stock pool(s)."
    assert view.count.text().endswith("listings")
    assert any("Unlink listing" in text for text in no_dialogs)

    view.table.selectRow(view.model.find(lambda r: r.listing_id == listing.listing_id) or 0)
    view.link_selected()
    dialog = view.link_dialog
    qtbot.waitUntil(lambda: dialog.model.total > 0)
    best = dialog.model.row_at(0)
    assert best.sku == listing.sku
    assert best.confidence == 1.0
    assert best.reason == "same SKU"
    assert "not linked" in dialog.current.text()
    dialog.link_selected()
    qtbot.waitUntil(
        lambda: any(
            r.listing_id == listing.listing_id and r.link == "linked"
            for r in view.model.visible_rows()
        )
    )
    # The dialog reloads after the link; its confirmation stays put while it does.
    qtbot.waitUntil(lambda: dialog.current.text() == f"variant {listing.sku}")
    qtbot.waitUntil(lambda: "suggestion" in dialog.count.text())
    assert dialog.status.text().startswith("Linked"), dialog.status.text()
    assert listing.sku in dialog.status.text()
    dialog.reject()


def test_title_likeness_ranks_variants_without_a_matching_sku(
    qtbot: QtBot, view: ListingsView
) -> None:
    row = view.model.find(lambda r: r.pools == 1)
    assert row is not None
    listing = view.model.row_at(row)
    view.table.selectRow(row)
    view.link_selected()
    dialog = view.link_dialog
    qtbot.waitUntil(lambda: dialog.model.total > 0)
    titles = [s for s in dialog.model.visible_rows() if s.reason.startswith("title")]
    assert titles
    assert all(0 < s.confidence < 1 for s in titles)
    assert titles == sorted(titles, key=lambda s: -s.confidence)
    dialog.search.setText(listing.title.split()[0])
    dialog.search.flush()
    qtbot.waitUntil(lambda: "suggestion" in dialog.count.text())
    dialog.reject()


def test_import_unlinked_listings_runs_a_listing_sync(
    qtbot: QtBot, view: ListingsView, controller: AppController, no_dialogs: list[str]
) -> None:
    with qtbot.waitSignal(controller.runner.finished, timeout=20_000) as blocker:
        view.import_unlinked()
    outcome: SyncOutcome = blocker.args[0]
    assert outcome.request.import_unlinked
    assert outcome.ok
    assert any("Import unlinked" in text for text in no_dialogs)
