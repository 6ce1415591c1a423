"""Page 2: the Etsy app's keystring and shared secret, checked with Etsy's ping at once.

The shared secret goes from the password box to the keychain and nowhere else
(``steps.check_and_save_keys``).  Etsy's answer tells a wrong keystring from a
wrong secret (``AppKeysError.field``), and the page marks that box.  When the
computer has no keychain, the page offers the unencrypted credentials file,
an explicit choice with a visible warning, remembered by the profile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit

from etsysync_gui.config import Settings
from etsysync_gui.credentials import KeychainError, KeychainProblem
from etsysync_gui.etsy_account import ETSY_APPS_URL, AppKeysError
from etsysync_gui.ui.wizard import steps
from etsysync_gui.ui.wizard.base import WARNING_STYLE, Page, note
from etsysync_gui.ui.wizard.host import WizardHost

WRONG_BOX = "border: 2px solid #b00020"
FILE_WARNING = (
    "The file is NOT encrypted: anyone who can read your files can use your Etsy "
    "connection. Prefer installing a keychain (GNOME Keyring, KWallet). The profile "
    "remembers this choice; settings show it."
)


class KeysPage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard,
            "Your Etsy app keys",
            "EtsySync talks to Etsy through your own Etsy app. Its keys are on "
            "etsy.com/developers/your-apps.",
        )
        self.keystring = QLineEdit()
        self.keystring.setPlaceholderText("the app's keystring (KEYSTRING)")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("the app's shared secret (kept in your keychain only)")
        self.use_file = QCheckBox("Keep the Etsy credentials in an unencrypted file instead")
        self.file_warning = note(FILE_WARNING, style=WARNING_STYLE)
        self.use_file.hide()
        self.file_warning.hide()
        form = QFormLayout(self)
        form.addRow(
            note(
                f"Open <a href='{ETSY_APPS_URL}'>{ETSY_APPS_URL}</a>, pick your app and copy "
                "its <b>keystring</b> and <b>shared secret</b>. EtsySync checks them with "
                "Etsy as soon as you press Next, then keeps the secret in your system "
                "keychain, never in its settings or logs."
            )
        )
        form.addRow("Keystring:", self.keystring)
        form.addRow("Shared secret:", self.secret)
        form.addRow(self.use_file)
        form.addRow(self.file_warning)
        self.add_footer(form)
        for box in (self.keystring, self.secret):
            box.textChanged.connect(self._edited)
        self.use_file.toggled.connect(self._edited)

    def initializePage(self) -> None:
        model = self.setup.model
        if model.keystring and not self.keystring.text():
            self.keystring.setText(model.keystring)
        if model.credentials_file:
            self._offer_file(checked=True)

    def _edited(self) -> None:
        for box in (self.keystring, self.secret):
            box.setStyleSheet("")
        self.file_warning.setVisible(self.use_file.isVisible() and self.use_file.isChecked())
        self.completeChanged.emit()

    def _offer_file(self, *, checked: bool = False) -> None:
        self.use_file.show()
        if checked:
            self.use_file.setChecked(True)
        self.file_warning.setVisible(self.use_file.isChecked())

    def ready(self) -> bool:
        return bool(self.keystring.text().strip() and self.secret.text().strip())

    def check_key(self) -> Hashable | None:
        digest = hashlib.sha256(self.secret.text().strip().encode()).hexdigest()
        return (self.keystring.text().strip(), digest, self._file_chosen())

    def _file_chosen(self) -> bool:
        return self.use_file.isVisible() and self.use_file.isChecked()

    def start_check(self, key: Hashable) -> None:
        keystring, secret = self.keystring.text().strip(), self.secret.text().strip()
        settings = steps.with_file_choice(self.setup.model.settings, self._file_chosen())
        self.run(
            lambda: steps.check_and_save_keys(settings, keystring, secret),
            lambda saved: self._saved(key, keystring, settings, saved),
            status="Checking the keys with Etsy…",
            on_error=self._failed,
        )

    def _saved(
        self, key: Hashable, keystring: str, settings: Settings, saved: steps.KeysSaved
    ) -> None:
        model = self.setup.model
        model.settings = settings
        model.keystring = keystring
        model.credentials_file = model.settings.profile.credentials_file
        self.status.setText(
            f"Etsy accepted the keys (application {saved.application_id}). "
            f"Saved in {saved.stored_in}."
        )
        self.passed(key)

    def _failed(self, exc: BaseException) -> None:
        self.show_problem(exc)
        if isinstance(exc, AppKeysError):
            wrong = {"keystring": [self.keystring], "shared_secret": [self.secret]}
            for box in wrong.get(exc.field or "", [self.keystring, self.secret]):
                box.setStyleSheet(WRONG_BOX)
            (self.secret if exc.field == "shared_secret" else self.keystring).setFocus()
        elif isinstance(exc, KeychainError) and exc.kind is KeychainProblem.NO_BACKEND:
            self._offer_file()
