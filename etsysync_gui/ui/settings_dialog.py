"""Settings: the profile's sync settings (config.toml) and the GUI's own choices (QSettings).

Profile values are written through ``ConfigStore.set_value`` (validated there,
with its messages) on a worker, then the settings are reloaded and the
scheduler re-armed.  Only changed values are written, so keys the file does
not set keep following the defaults; the stock interval, while not set,
follows the shop's size ("Size it for my shop").  Tray and review choices are
the GUI's and live in ``gui_settings()``.

What was typed is checked before anything is saved: a number box left empty
keeps the dialog open with a sentence saying what to type (never a save of
the last value the box happened to hold).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from etsysync_gui import autostart
from etsysync_gui.config import ConfigStore
from etsysync_gui.config.fields import MAX_RETENTION_DAYS
from etsysync_gui.demo.settings import DEMO_PROFILE
from etsysync_gui.etsy_account import credentials_file_path
from etsysync_gui.logging_setup import LOG_LEVELS
from etsysync_gui.policies import ConflictPolicy, ZeroStockPolicy
from etsysync_gui.scheduling.interval_budget import interval_words
from etsysync_gui.ui.controller import AppController
from etsysync_gui.ui.plan_review_dialog import (
    DEFAULT_SMALL_LIMIT,
    SKIP_SMALL_KEY,
    SMALL_LIMIT_KEY,
)
from etsysync_gui.ui.review_rules_box import ReviewRulesBox
from etsysync_gui.ui.tray_choices import (
    NOTIFY_KEY,
    close_to_tray_choice,
    remember_close_to_tray,
)
from etsysync_gui.ui.widgets import gui_settings
from etsysync_gui.ui.wizard.model import CONFLICT_LABELS, ZERO_STOCK_LABELS


def _minutes(seconds: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 30 * 24 * 60)
    box.setSuffix(" min")
    box.setValue(max(1, seconds // 60))
    return box


LOG_LEVEL_LABELS = {
    "DEBUG": "Everything (for troubleshooting)",
    "INFO": "Normal: what each sync did",
    "WARNING": "Only warnings and errors",
    "ERROR": "Only errors",
}


def _choice(labels: Mapping[str, str], current: str) -> QComboBox:
    """A combo showing the seller's words and keeping the stored value as its data."""
    combo = QComboBox()
    for value, label in labels.items():
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class SettingsDialog(QDialog):
    """Edit the profile's settings and this computer's GUI choices; saved on a worker."""

    def __init__(self, controller: AppController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        groups = QWidget()
        column = QVBoxLayout(groups)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._profile_group())
        self.review = ReviewRulesBox(controller.settings.profile)
        column.addWidget(self.review)
        column.addWidget(self._computer_group())
        scroll = QScrollArea()  # fits a 700-pixel-high screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(groups)
        layout.addWidget(scroll, 1)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fit(groups)

    def _fit(self, groups: QWidget) -> None:
        """As big as the groups want, but no taller than the screen (then it scrolls)."""
        wanted = groups.sizeHint()
        screen = (self.parentWidget() or self).screen().availableGeometry()
        extra = self.buttons.sizeHint().height() + 80
        self.resize(
            min(max(wanted.width() + 40, 560), screen.width() - 40),
            min(wanted.height() + extra, screen.height() - 60),
        )

    def _profile_group(self) -> QGroupBox:
        """The profile's sync settings, as config.toml holds them."""
        profile = self.controller.settings.profile
        self.profile = QComboBox()
        self.profile.addItem(profile.name)
        self.profile.setToolTip("The profile EtsySync opens next time (a restart switches)")
        config_path = self.controller.settings.config_path
        self.controller.jobs.submit(
            lambda: ConfigStore(config_path).profile_names(), self._profiles, context=self
        )
        self.database = QLineEdit(profile.database_url or "")
        self.database.setPlaceholderText(profile.effective_database_url())
        self.enabled = QCheckBox("Sync in the background on a schedule")
        self.enabled.setChecked(profile.sync_enabled)
        self.listing_interval = _minutes(profile.product_sync_interval)
        self.inventory_interval = _minutes(self.controller.inventory_interval())
        self._was_automatic = self.controller.inventory_interval_is_automatic()
        sized = interval_words(self.controller.interval_advice().interval_s)
        self.automatic = QCheckBox(f"Size it for my shop ({sized} now)")
        self.automatic.setToolTip(
            "Sized from your number of listings and Etsy's daily request budget"
        )
        self.automatic.setChecked(self._was_automatic)
        self.automatic.toggled.connect(self._automatic_toggled)
        self._automatic_toggled(self._was_automatic)
        self.conflict = _choice(
            {p.value: CONFLICT_LABELS[p] for p in ConflictPolicy}, profile.conflict_policy.value
        )
        self.zero = _choice(
            {p.value: ZERO_STOCK_LABELS[p] for p in ZeroStockPolicy},
            profile.zero_stock_policy.value,
        )
        self.retention = QSpinBox()
        self.retention.setRange(1, MAX_RETENTION_DAYS)
        self.retention.setSuffix(" days")
        self.retention.setValue(profile.log_retention_days)
        self.log_level = _choice(
            {level: LOG_LEVEL_LABELS.get(level, level) for level in LOG_LEVELS}, profile.log_level
        )
        sync = QFormLayout()
        sync.addRow("Profile at next start:", self.profile)
        sync.addRow("Database URL:", self.database)
        sync.addRow("", self.enabled)
        sync.addRow("Read listings from Etsy every:", self.listing_interval)
        sync.addRow("Sync stock every:", self.inventory_interval)
        if profile.name != DEMO_PROFILE:  # the demo keeps its short intervals (see demo.settings)
            sync.addRow("", self.automatic)
        else:
            self.automatic.setParent(self)
            self.automatic.hide()
        sync.addRow("When my catalog and Etsy both changed:", self.conflict)
        sync.addRow("When a listing's stock reaches zero:", self.zero)
        sync.addRow("Keep the sync log for:", self.retention)
        sync.addRow("How much to write in the log file:", self.log_level)
        later = QLabel("The database, the log file and the profile change at the next start.")
        later.setWordWrap(True)
        sync.addRow(later)
        if profile.credentials_file:
            sync.addRow(_credentials_file_warning(profile.name))
        return _group(f"Profile {profile.name}", sync)

    def _computer_group(self) -> QGroupBox:
        """The GUI's own choices for this computer (QSettings and the login entry)."""
        gui = gui_settings()
        self.close_to_tray = QCheckBox("Keep syncing in the tray when the window is closed")
        # Never chosen: shown ticked (the wizard's default) but only written when the
        # seller changes it, so the first close still asks.
        self._tray_choice = close_to_tray_choice()
        self.close_to_tray.setChecked(self._tray_choice is not False)
        self.notifications = QCheckBox("Notify me when a sync fails or needs me")
        self.notifications.setChecked(str(gui.value(NOTIFY_KEY, "true")) == "true")
        self.skip_small = QCheckBox("Apply small inventory plans without review")
        self.skip_small.setChecked(str(gui.value(SKIP_SMALL_KEY, "false")) == "true")
        self.small_limit = QSpinBox()
        self.small_limit.setRange(1, 1000)
        self.small_limit.setSuffix(" listings or fewer")
        self.small_limit.setValue(int(str(gui.value(SMALL_LIMIT_KEY, DEFAULT_SMALL_LIMIT))))
        self.start_at_login = QCheckBox("Start EtsySync when I log in (in the tray)")
        self.start_at_login.setChecked(autostart.is_enabled())
        # The demo shop resets at each start: starting it at login would help nobody.
        offer_login = (
            autostart.autostart_supported()
            and self.controller.settings.profile.name != DEMO_PROFILE
        )
        self.start_at_login.setVisible(offer_login)
        window = QFormLayout()
        for widget in (self.close_to_tray, self.notifications, self.skip_small):
            window.addRow("", widget)
        if offer_login:
            window.addRow("", self.start_at_login)
        window.addRow("Small means:", self.small_limit)
        return _group("This computer", window)

    def _automatic_toggled(self, on: bool) -> None:
        self.inventory_interval.setEnabled(not on)
        if on:
            self.inventory_interval.setValue(self.controller.interval_advice().interval_s // 60)

    def _number_boxes(self) -> dict[str, QSpinBox]:
        """Each number box and the words a message uses for it."""
        return {
            "how often to read listings": self.listing_interval,
            "how often to sync stock": self.inventory_interval,
            "how many days to keep the sync log": self.retention,
            "how many listings count as a small plan": self.small_limit,
        }

    def input_problem(self) -> tuple[str, QWidget] | None:
        """The first thing typed that cannot be saved, as a sentence, and where it is."""
        for what, box in self._number_boxes().items():
            if box.isEnabled() and not box.hasAcceptableInput():
                low, high = box.minimum(), box.maximum()
                return f"Type {what} (a number from {low} to {high}), then save again.", box
        return self.review.problem()

    def _apply_start_at_login(self) -> None:
        """Write or remove the login entry (a small local file, like QSettings)."""
        if not self.start_at_login.isVisibleTo(self):
            return
        wanted = self.start_at_login.isChecked()
        if wanted == autostart.is_enabled():
            return
        try:
            if wanted:
                autostart.enable(self.controller.settings.profile.name)
            else:
                autostart.disable()
        except OSError as exc:
            self.problem.setText(f"Could not change starting at login: {exc}")

    def _profiles(self, names: list[str]) -> None:
        current = self.profile.currentText()
        self.profile.clear()
        self.profile.addItems(names)
        self.profile.setCurrentText(current)

    def changes(self) -> dict[str, str | None]:
        """What to write (``None``: remove the key, so it follows the shop again)."""
        found: dict[str, str | None] = {**self._plain_changes(), **self.review.changes()}
        found.pop("inventory_sync_interval", None)
        if self.automatic.isChecked():
            if not self._was_automatic:
                found["inventory_sync_interval"] = None
        else:
            chosen = str(self.inventory_interval.value() * 60)
            profile = self.controller.settings.profile
            if self._was_automatic or chosen != str(profile.inventory_sync_interval // 60 * 60):
                found["inventory_sync_interval"] = chosen
        return found

    def _plain_changes(self) -> dict[str, str]:
        profile = self.controller.settings.profile
        wanted = {
            "database_url": self.database.text().strip(),
            "sync_enabled": "true" if self.enabled.isChecked() else "false",
            "product_sync_interval": str(self.listing_interval.value() * 60),
            "inventory_sync_interval": str(self.inventory_interval.value() * 60),
            "conflict_policy": str(self.conflict.currentData()),
            "zero_stock_policy": str(self.zero.currentData()),
            "log_retention_days": str(self.retention.value()),
            "log_level": str(self.log_level.currentData()),
        }
        current = {
            "database_url": profile.database_url or "",
            "sync_enabled": "true" if profile.sync_enabled else "false",
            "product_sync_interval": str(profile.product_sync_interval // 60 * 60),
            "inventory_sync_interval": str(profile.inventory_sync_interval // 60 * 60),
            "conflict_policy": profile.conflict_policy.value,
            "zero_stock_policy": profile.zero_stock_policy.value,
            "log_retention_days": str(profile.log_retention_days),
            "log_level": profile.log_level,
        }
        return {key: value for key, value in wanted.items() if value != current[key]}

    def save(self) -> None:
        problem = self.input_problem()
        if problem is not None:
            text, where = problem
            self.problem.setText(text)
            where.setFocus()
            return
        gui = gui_settings()
        keep = self.close_to_tray.isChecked()
        if self._tray_choice is not None or keep != (self._tray_choice is not False):
            remember_close_to_tray(keep)
        gui.setValue(NOTIFY_KEY, "true" if self.notifications.isChecked() else "false")
        gui.setValue(SKIP_SMALL_KEY, "true" if self.skip_small.isChecked() else "false")
        gui.setValue(SMALL_LIMIT_KEY, self.small_limit.value())
        self._apply_start_at_login()
        chosen = self.profile.currentText()
        default = chosen if chosen and chosen != self.controller.settings.profile.name else None
        changes = self.changes()
        if not changes and default is None:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.problem.setText("Saving…")
        self.controller.save_settings(changes, self.accept, self._failed, default_profile=default)

    def _failed(self, exc: object) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText(str(exc))


def _group(title: str, form: QFormLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(form)
    return box


def _credentials_file_warning(profile_name: str) -> QLabel:
    """Say plainly that the Etsy connection sits in a readable file (the user chose it)."""
    plain = QLabel(
        "Etsy credentials are kept in an unencrypted file, not the system keychain "
        f"(you chose it: no keychain was found): {credentials_file_path(profile_name)}. "
        "Anyone who can read your files can use your Etsy connection."
    )
    plain.setObjectName("credentialsFileWarning")
    plain.setWordWrap(True)
    plain.setStyleSheet("color: #8a5a00")
    return plain
