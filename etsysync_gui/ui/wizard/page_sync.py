"""Page 6: background sync on or off, how often, the policies, the write mode, tray and login.

"Keep running in the tray" is on by default: a seller who turns background
sync on expects it to go on after closing the window.  The stock interval
starts sized for the shop (``scheduling.interval_budget``) unless the profile
already sets one, and a sentence says what it costs.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSpinBox

from etsysync_gui import autostart
from etsysync_gui.config import MIN_INTERVAL_SECONDS
from etsysync_gui.policies import ConflictPolicy, WriteMode, ZeroStockPolicy
from etsysync_gui.scheduling.interval_budget import (
    explain,
    interval_words,
    suggest_inventory_interval,
)
from etsysync_gui.ui.wizard.base import Page, note
from etsysync_gui.ui.wizard.host import WizardHost
from etsysync_gui.ui.wizard.model import (
    CONFLICT_LABELS,
    WRITE_MODE_LABELS,
    ZERO_STOCK_LABELS,
    SyncChoices,
)


def _minutes() -> QSpinBox:
    box = QSpinBox()
    box.setRange(MIN_INTERVAL_SECONDS // 60, 30 * 24 * 60)
    box.setSingleStep(15)
    box.setSuffix(" min")
    return box


class SyncPage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard,
            "Syncing",
            "EtsySync can sync in the background while it runs. You can change all of this "
            "later in Settings.",
        )
        self.enabled = QCheckBox("Sync in the background on a schedule")
        self.listings = _minutes()
        self.inventory = _minutes()
        self.conflict = QComboBox()
        for policy in ConflictPolicy:
            self.conflict.addItem(CONFLICT_LABELS[policy], policy)
        self.zero = QComboBox()
        for zero in ZeroStockPolicy:
            self.zero.addItem(ZERO_STOCK_LABELS[zero], zero)
        self.write_mode = QComboBox()
        for mode in WriteMode:
            self.write_mode.addItem(WRITE_MODE_LABELS[mode], mode)
        self.write_mode.setToolTip(
            "Syncs you start are always shown to you first; an unusual plan (a big drop, "
            "many listings) waits for you in either mode."
        )
        self.interval_note = QLabel()
        self.interval_note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.enabled)
        form.addRow("Read listings from Etsy every:", self.listings)
        form.addRow("Sync stock every:", self.inventory)
        form.addRow(self.interval_note)
        form.addRow("Background syncs:", self.write_mode)
        self.keep_in_tray = QCheckBox("Keep running in the tray when I close the window")
        self.start_at_login = QCheckBox("Start EtsySync when I log in (in the tray)")
        self.start_at_login.setVisible(autostart.autostart_supported())
        form.addRow(self.keep_in_tray)
        form.addRow(self.start_at_login)
        form.addRow("When my catalog and Etsy both changed:", self.conflict)
        form.addRow("When a listing's stock reaches zero:", self.zero)
        form.addRow(
            note(
                "Etsy cannot keep a listing with zero stock active, so 'deactivate' is the "
                "usual choice; EtsySync never changes prices or variations."
            )
        )
        self.enabled.toggled.connect(self._toggled)
        self.inventory.valueChanged.connect(self._explain_interval)

    def initializePage(self) -> None:
        model = self.setup.model
        sync = model.sync
        suggested = model.suggested_inventory_interval()
        inventory = sync.inventory_interval
        if suggested is not None and inventory == model.settings.profile.inventory_sync_interval:
            inventory = suggested  # not chosen yet: start from the size of the shop
        self.enabled.setChecked(sync.enabled)
        self.listings.setValue(sync.listings_interval // 60)
        self.inventory.setValue(inventory // 60)
        self.write_mode.setCurrentIndex(self.write_mode.findData(sync.write_mode))
        self._explain_interval()
        self.conflict.setCurrentIndex(self.conflict.findData(sync.conflict_policy))
        self.zero.setCurrentIndex(self.zero.findData(sync.zero_stock_policy))
        self.keep_in_tray.setChecked(sync.keep_in_tray)
        self.start_at_login.setChecked(sync.start_at_login)
        self._toggled(sync.enabled)

    def _explain_interval(self) -> None:
        """What the chosen stock interval costs a day, for this shop's size."""
        shop = self.setup.model.shop
        if shop is None:
            self.interval_note.setText("")
            return
        advice = suggest_inventory_interval(shop.listing_count)
        chosen = replace(advice, interval_s=self.inventory.value() * 60)
        if chosen.interval_s == advice.interval_s:
            tail = (
                f"Sized for your {shop.listing_count:,} listings, it leaves most of the budget "
                "for your own changes."
            )
        else:
            suggested = interval_words(advice.interval_s)
            tail = f"For {shop.listing_count:,} listings EtsySync suggests {suggested}."
        self.interval_note.setText(f"{explain(chosen)} {tail}")

    def _toggled(self, on: bool) -> None:
        self.listings.setEnabled(on)
        self.inventory.setEnabled(on)
        self.keep_in_tray.setEnabled(on)

    def choices(self) -> SyncChoices:
        return SyncChoices(
            enabled=self.enabled.isChecked(),
            listings_interval=self.listings.value() * 60,
            inventory_interval=self.inventory.value() * 60,
            conflict_policy=ConflictPolicy(self.conflict.currentData()),
            zero_stock_policy=ZeroStockPolicy(self.zero.currentData()),
            write_mode=WriteMode(self.write_mode.currentData()),
            keep_in_tray=self.keep_in_tray.isChecked(),
            start_at_login=self.start_at_login.isChecked() and autostart.autostart_supported(),
        )

    def validatePage(self) -> bool:
        self.setup.model.sync = self.choices()
        return True
