"""Page 4: the shop Etsy says the seller owns (getMe + getShop), to confirm before syncing."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QPushButton

from etsysync_gui.ui.wizard import steps
from etsysync_gui.ui.wizard.base import WARNING_STYLE, Page, note
from etsysync_gui.ui.wizard.host import WizardHost
from etsysync_gui.ui.wizard.model import ShopSummary


class ShopPage(Page):
    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(
            wizard, "Your shop", "This is the shop Etsy says you own. EtsySync will sync it."
        )
        self.name = QLabel("…")
        self.currency = QLabel("…")
        self.listings = QLabel("…")
        self.address = note()
        self.other_shop = note(style=WARNING_STYLE)
        self.other_shop.hide()
        self.confirm = QCheckBox("Yes, sync this shop")
        self.confirm.setEnabled(False)
        self.retry = QPushButton("Read the shop again")
        self.retry.hide()
        form = QFormLayout(self)
        form.addRow("Shop:", self.name)
        form.addRow("Currency:", self.currency)
        form.addRow("Active listings:", self.listings)
        form.addRow("On Etsy:", self.address)
        form.addRow(self.other_shop)
        form.addRow(self.confirm)
        form.addRow(self.retry)
        self.add_footer(form)
        self.confirm.toggled.connect(lambda _on: self.completeChanged.emit())
        self.retry.clicked.connect(self.load)

    def initializePage(self) -> None:
        shop = self.setup.model.shop
        if shop is not None and shop.shop_id == self.setup.model.settings.profile.shop_id:
            self.show_shop(shop)
        else:
            self.load()

    def load(self) -> None:
        settings = self.setup.model.settings
        shop_id = settings.profile.shop_id
        self.retry.hide()
        self.confirm.setChecked(False)
        self.confirm.setEnabled(False)
        if shop_id is None:
            self.show_problem("No shop", "Connect to Etsy first (go back one page).")
            return
        self.run(
            lambda: steps.read_shop(settings, shop_id),
            self.show_shop,
            status="Asking Etsy about your shop…",
            on_error=self._failed,
        )

    def show_shop(self, shop: ShopSummary) -> None:
        self.setup.model.shop = shop
        self.status.clear()
        self.name.setText(f"<b>{shop.shop_name}</b> (id {shop.shop_id})")
        self.currency.setText(shop.currency_code)
        self.listings.setText(str(shop.listing_count))
        link = shop.url or "(no address)"
        self.address.setText(f"<a href='{shop.url}'>{link}</a>" if shop.url else link)
        before = self.setup.original_shop_id
        if before is not None and before != shop.shop_id:
            self.other_shop.setText(
                f"This profile synced shop {before} until now; from now on it syncs "
                f"{shop.shop_name} (id {shop.shop_id}). If that is wrong, cancel and connect "
                "with the Etsy account that owns the shop."
            )
            self.other_shop.show()
        self.confirm.setEnabled(True)
        self.completeChanged.emit()

    def _failed(self, exc: BaseException) -> None:
        self.show_problem(exc)
        self.retry.show()

    def ready(self) -> bool:
        return self.setup.model.shop is not None and self.confirm.isChecked()
