"""Settings: the write mode and the unusual-plan rules in the wizard's words, checked input,
and the stock interval that follows the shop's size until the seller sets one."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.config import ConfigStore
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.wizard.model import WRITE_MODE_LABELS

RAW_VALUES = ("autopilot", "drafts", "merge", "local_wins", "etsy_wins", "deactivate", "INFO")


def stored_profile(context: AppContext) -> object:
    return ConfigStore(context.settings.config_path).load().profile("production")


def test_settings_speak_the_wizards_words(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_settings()
    mode = dialog.review.mode
    assert [mode.itemText(i) for i in range(mode.count())] == list(WRITE_MODE_LABELS.values())
    assert mode.currentText().startswith("Autopilot: background syncs write to Etsy")
    for combo in dialog.findChildren(QComboBox):
        if combo is dialog.profile:
            continue  # profile names are the seller's own
        for i in range(combo.count()):
            assert combo.itemText(i) not in RAW_VALUES, combo.itemText(i)
    dialog.reject()


def test_settings_save_the_mode_and_the_thresholds(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    dialog = window.open_settings()
    review = dialog.review
    review.rules["review_drop_percent"].setValue(30)
    review.rules["review_max_listings"].setValue(10)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    profile = window.controller.settings.profile
    assert (profile.review_drop_percent, profile.review_max_listings) == (30, 10)
    assert "more than 30%" in window.dashboard.mode.text()
    assert "more than 10 listings" in window.dashboard.mode.text()

    dialog = window.open_settings()
    dialog.review.mode.setCurrentIndex(dialog.review.mode.findData("drafts"))
    assert not dialog.review.rules["review_drop_percent"].isEnabled()  # drafts: all wait
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    stored = ConfigStore(context.settings.config_path).load().profile("production")
    assert stored.write_mode.value == "drafts"
    assert stored.review_drop_percent == 30
    assert window.dashboard.mode.text().startswith("<b>Drafts</b>: background syncs")


@pytest.mark.parametrize("typed", ["", "0"])
def test_a_bad_threshold_keeps_the_dialog_open_with_a_sentence(
    qtbot: QtBot, window: MainWindow, context: AppContext, typed: str
) -> None:
    dialog = window.open_settings()
    box = dialog.review.rules["review_drop_percent"]
    box.lineEdit().setText(typed)
    assert not box.hasAcceptableInput()
    dialog.review.mode.setCurrentIndex(dialog.review.mode.findData("autopilot"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.isVisible()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.problem.text() == (
        "Type the share of a stock that may drop (1 to 100 %), then save again."
    )
    assert "review_drop_percent" not in ConfigStore(
        context.settings.config_path
    ).load().keys_in_file.get("production", frozenset())
    box.lineEdit().setText("40")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    assert window.controller.settings.profile.review_drop_percent == 40


def test_an_empty_interval_is_refused_not_saved(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_settings()
    dialog.listing_interval.lineEdit().setText("")
    dialog.save()
    assert dialog.isVisible()
    assert dialog.problem.text().startswith("Type how often to read listings (a number from 1")


@pytest.mark.auto_interval
def test_the_stock_interval_follows_the_shop_until_the_seller_sets_one(
    qtbot: QtBot, window: MainWindow, context: AppContext, synced: object
) -> None:
    controller = window.controller
    qtbot.waitUntil(lambda: bool(controller.listing_count), timeout=10_000)  # after the sync
    listings = controller.listing_count
    assert listings is not None
    assert 0 < listings < 100
    assert controller.inventory_interval() == 600  # a small shop: every 10 min
    scheduler = controller.scheduler
    assert scheduler is not None
    qtbot.waitUntil(lambda: scheduler.snapshot().job("inventory").interval_s == 600)
    assert "every 10 min" in window.dashboard.mode.text()
    panel = window.scheduler_panel
    panel.show_snapshot(scheduler.snapshot())
    assert (
        "Every 10 min: a run costs about 4 calls; 144 runs a day use 6 % of Etsy's daily 10,000."
        f" Sized for your {listings} listings" in panel.details.text()
    )

    dialog = window.open_settings()
    assert dialog.automatic.isChecked()
    assert dialog.automatic.text() == "Size it for my shop (10 min now)"
    assert not dialog.inventory_interval.isEnabled()
    dialog.automatic.setChecked(False)
    dialog.inventory_interval.setValue(45)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    assert not controller.inventory_interval_is_automatic()
    assert controller.inventory_interval() == 2700
    controller.count_listings()  # a new count never overrides the seller's choice
    qtbot.waitUntil(lambda: not controller.jobs.busy)
    assert scheduler.snapshot().job("inventory").interval_s == 2700
    panel.show_snapshot(scheduler.snapshot())
    assert "You chose this interval in Settings." in panel.details.text()

    dialog = window.open_settings()
    assert not dialog.automatic.isChecked()
    dialog.automatic.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    stored = ConfigStore(context.settings.config_path).load()
    assert "inventory_sync_interval" not in stored.keys_in_file.get("production", frozenset())
    assert controller.inventory_interval() == 600
