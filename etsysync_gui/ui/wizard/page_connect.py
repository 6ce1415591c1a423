"""Page 3: connect to the seller's Etsy account in the system browser (PKCE, loopback).

The page shows the exact redirect URI to register with Etsy, with a Copy
button: Etsy compares it letter by letter, port included ("All redirect_uri
parameter values must match a precise callback URL string registered with
Etsy", https://developers.etsy.com/documentation/essentials/authentication).
The seller may change it (another port) before connecting.  Connecting runs
``steps.connect`` on a worker: it binds the loopback port first (a busy port
fails at once), hands the consent URL back to the page (shown for copying,
in case no browser opens) and asks the GUI thread to open the browser, then
waits for Etsy's redirect.  Cancel stops the wait within a moment.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from etsysync_gui.etsy.oauth.flow import AuthorizationResult
from etsysync_gui.etsy_account import ETSY_APPS_URL
from etsysync_gui.ui.wizard import browser, steps
from etsysync_gui.ui.wizard.base import WARNING_STYLE, Page, note
from etsysync_gui.ui.wizard.host import WizardHost


def _copy_row(box: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(box, 1)
    layout.addWidget(button)
    button.clicked.connect(lambda: QGuiApplication.clipboard().setText(box.text()))
    return row


class ConnectPage(Page):
    url_ready = Signal(str)
    """The consent URL, emitted on the worker thread, shown on the GUI thread."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard,
            "Connect to your Etsy shop",
            "Etsy asks you, in your browser, to let EtsySync read and update your listings.",
        )
        self.result: AuthorizationResult | None = None
        self._cancel: threading.Event | None = None
        self.redirect = QLineEdit()
        self.redirect.setToolTip(
            "Must match a callback URL of your Etsy app exactly. To use another port, change "
            "it here and register the new URL with Etsy."
        )
        self.copy_redirect = QPushButton("Copy")
        self.connect_button = QPushButton("Connect in the browser")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.url = QLineEdit()
        self.url.setReadOnly(True)
        self.copy_url = QPushButton("Copy address")
        self.url_row = _copy_row(self.url, self.copy_url)
        self.url_label = note("If no browser opened, open this address in one:")
        self.url_row.hide()
        self.url_label.hide()
        self.connected = note(style="color: #1a7f37; font-weight: bold")
        layout = QVBoxLayout(self)
        layout.addWidget(
            note(
                f"<b>1.</b> On <a href='{ETSY_APPS_URL}'>{ETSY_APPS_URL}</a>, open your app, "
                "choose <i>Edit your callback URLs</i> and add this address exactly as shown "
                "(same letters, same port, no trailing slash):"
            )
        )
        layout.addWidget(_copy_row(self.redirect, self.copy_redirect))
        self.redirect_hint = note(style=WARNING_STYLE)
        self.redirect_hint.hide()
        layout.addWidget(self.redirect_hint)
        layout.addWidget(
            note(
                "<b>2.</b> Press <i>Connect in the browser</i>, sign in to Etsy as the shop "
                "owner and grant access. EtsySync waits for Etsy's answer here."
            )
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.url_label)
        layout.addWidget(self.url_row)
        layout.addWidget(self.connected)
        self.add_footer(layout)
        layout.addStretch(1)
        self.connect_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.redirect.textEdited.connect(lambda _text: self.clear_problem())
        self.redirect.textChanged.connect(self._hint)
        self.url_ready.connect(self.show_url)

    def initializePage(self) -> None:
        model = self.setup.model
        self.redirect.setText(model.redirect_uri or model.settings.profile.redirect_uri)

    def ready(self) -> bool:
        return self.result is not None

    def _hint(self, text: str) -> None:
        """Etsy's app settings are reported to refuse IP addresses: say so.

        Etsy's documentation does not say so; a third-party tool quotes the app
        settings screen ("IP addresses are not allowed").  Assumption (the safe
        choice): warn, and suggest ``localhost``.
        """
        host = urlsplit(text.strip()).hostname or ""
        if host in ("127.0.0.1", "::1"):
            self.redirect_hint.setText(
                "Etsy's app settings are reported to refuse IP addresses in callback URLs. "
                "If Etsy does not accept this one, use localhost instead of "
                f"{host} here and there."
            )
        self.redirect_hint.setVisible(host in ("127.0.0.1", "::1"))

    # -- connecting ------------------------------------------------------------------------

    def start(self) -> None:
        if self.busy:
            return
        model = self.setup.model
        settings, redirect = model.settings, self.redirect.text().strip()
        cancel = self._cancel = threading.Event()
        timeout = self.setup.connect_timeout
        self.result = None
        self.connected.clear()
        self.url.clear()
        self.url_row.hide()
        self.url_label.hide()
        self.connect_button.setEnabled(False)
        self.redirect.setReadOnly(True)
        self.cancel_button.show()
        self.run(
            lambda: steps.connect(
                settings,
                redirect,
                open_browser=lambda url: browser.open_url(url),
                on_url=self.url_ready.emit,
                cancel=cancel,
                timeout=timeout,
            ),
            lambda result: self._connected(redirect, result),
            status="Waiting for Etsy's answer in your browser…",
            on_error=self._failed,
        )

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def show_url(self, url: str) -> None:
        self.url.setText(url)
        self.url.setCursorPosition(0)
        self.url_label.show()
        self.url_row.show()

    def _idle(self) -> None:
        self.connect_button.setEnabled(True)
        self.redirect.setReadOnly(False)
        self.cancel_button.hide()

    def _connected(self, redirect: str, result: AuthorizationResult) -> None:
        self._idle()
        self.result = result
        model = self.setup.model
        profile = replace(model.settings.profile, shop_id=result.shop_id, redirect_uri=redirect)
        model.settings = replace(model.settings, profile=profile)
        model.redirect_uri = redirect
        if model.shop is not None and model.shop.shop_id != result.shop_id:
            model.shop = None
        shop = result.shop_name or f"shop {result.shop_id}"
        self.status.setText("")
        self.connected.setText(f"Connected to Etsy: {shop}. Press Next.")
        self.connect_button.setText("Connect again")
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.show_problem(exc)

    def cleanupPage(self) -> None:  # Back pressed
        self.cancel()
