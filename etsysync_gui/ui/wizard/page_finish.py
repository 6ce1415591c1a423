"""Page 7: the summary, "Run a first listing sync now", and writing the choices (Finish)."""

from __future__ import annotations

from collections.abc import Hashable
from html import escape

from PySide6.QtWidgets import QCheckBox, QVBoxLayout

from etsysync_gui import autostart
from etsysync_gui.config import Settings
from etsysync_gui.ui.tray_choices import remember_close_to_tray
from etsysync_gui.ui.wizard import steps
from etsysync_gui.ui.wizard.base import Page, note
from etsysync_gui.ui.wizard.host import WizardHost


class FinishPage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard, "Ready", "Check your choices, then press Finish.")
        self.summary = note()
        self.first_sync = QCheckBox("Run a first listing sync now")
        self.first_sync.setChecked(True)
        self.first_sync.setToolTip(
            "Reads every listing from Etsy and links them to your catalog by SKU. "
            "Nothing on Etsy is changed."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.first_sync)
        self.add_footer(layout)
        layout.addStretch(1)
        self.setFinalPage(True)
        self._visit = 0

    def initializePage(self) -> None:
        lines = self.setup.model.summary_lines()
        self.summary.setText("<br>".join(escape(line) for line in lines))
        self.first_sync.setChecked(self.setup.model.run_first_sync)
        self._visit += 1

    def check_key(self) -> Hashable | None:
        return self._visit  # saved once per visit: the summary shown is what is written

    def start_check(self, key: Hashable) -> None:
        model = self.setup.model
        model.run_first_sync = self.first_sync.isChecked()
        settings, changes = model.settings, model.config_changes()
        at_login = model.sync.start_at_login

        def save() -> Settings:
            saved = steps.save_choices(settings, changes)
            if at_login:
                autostart.enable(saved.profile.name)
            return saved

        self.run(
            save,
            lambda saved: self._saved(key, saved),
            status="Saving your settings…",
        )

    def _saved(self, key: Hashable, settings: Settings) -> None:
        self.setup.model.settings = settings
        sync = self.setup.model.sync
        remember_close_to_tray(sync.enabled and sync.keep_in_tray, settings.profile.name)
        self.passed(key)
