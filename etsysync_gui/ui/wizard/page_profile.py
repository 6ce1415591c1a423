"""Page 1: which profile to set up (production, staging or a new name), or the demo shop."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLineEdit, QPushButton

from etsysync_gui.config import BUILTIN_PROFILES, PROFILE_NAME_RE, ConfigStore, Settings
from etsysync_gui.ui.wizard import steps
from etsysync_gui.ui.wizard.base import Page, note
from etsysync_gui.ui.wizard.host import WizardHost
from etsysync_gui.ui.wizard.model import NEW_PROFILE, SyncChoices


class ProfilePage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard,
            "Welcome to EtsySync",
            "EtsySync keeps your Etsy shop's listings and stock in step with your own catalog. "
            "First, choose the profile to set up: one profile is one shop setup.",
        )
        current = wizard.model.profile_name
        self.profiles = QComboBox()
        for name in sorted({*BUILTIN_PROFILES, current}):
            self.profiles.addItem(name, name)
        self.profiles.addItem("New profile…", NEW_PROFILE)
        self.profiles.setCurrentIndex(self.profiles.findData(current))
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("letters, digits, - or _ (e.g. summer-market)")
        self.new_name.setEnabled(False)
        self.demo = QPushButton("Try the demo shop")
        self.demo.setToolTip("Look around with a made-up shop; nothing is sent to Etsy")
        self.demo.clicked.connect(wizard.request_demo)
        form = QFormLayout(self)
        form.addRow(
            note(
                "Use <b>production</b> for your real shop. <b>staging</b> or a new profile "
                "keeps a second setup (another shop, a test database) apart from it."
            )
        )
        form.addRow("Profile:", self.profiles)
        form.addRow("New profile name:", self.new_name)
        demo_row = QHBoxLayout()
        demo_row.addWidget(note("Just looking? The demo shows EtsySync with a made-up shop."), 1)
        demo_row.addWidget(self.demo, 0)
        form.addRow(demo_row)
        self.add_footer(form)
        self.profiles.currentIndexChanged.connect(self._changed)
        self.new_name.textChanged.connect(self._changed)
        config_path = wizard.model.settings.config_path
        wizard.jobs.submit(
            lambda: ConfigStore(config_path).profile_names(), self._names, context=self
        )

    def _names(self, names: list[str]) -> None:
        chosen = self.profiles.currentData()
        for name in names:
            if self.profiles.findData(name) < 0:
                self.profiles.insertItem(self.profiles.count() - 1, name, name)
        self.profiles.setCurrentIndex(self.profiles.findData(chosen))

    def _changed(self) -> None:
        self.new_name.setEnabled(self.profiles.currentData() == NEW_PROFILE)
        self.clear_problem()
        self.completeChanged.emit()

    def chosen_name(self) -> str:
        data = self.profiles.currentData()
        return self.new_name.text().strip() if data == NEW_PROFILE else str(data)

    def ready(self) -> bool:
        return bool(PROFILE_NAME_RE.fullmatch(self.chosen_name()))

    def check_key(self) -> Hashable | None:
        return self.chosen_name()

    def start_check(self, key: Hashable) -> None:
        name = str(key)
        self.run(
            lambda: steps.load_profile(name),
            lambda settings: self._loaded(name, settings),
            status=f"Reading profile {name}…",
        )

    def _loaded(self, name: str, settings: Settings) -> None:
        model = self.setup.model
        if settings.profile.name != model.profile_name:
            model.shop = None
            model.redirect_uri = None
        model.settings = settings
        model.keystring = settings.profile.keystring
        model.sync = SyncChoices.from_settings(settings)
        model.database_url = settings.profile.database_url
        model.credentials_file = settings.profile.credentials_file
        self.status.setText(f"Setting up profile {name}.")
        self.passed(name)
