"""Every wizard page filled with demo data, for ``benchmarks/screenshots.py``.

Each page is shown in a wizard of its own, started at that page, with the
model filled as if the seller had got there (a demo shop, a consent URL being
waited on).  Nothing here talks to Etsy, the keychain or a database: pages
whose ``initializePage`` would start a check get their data beforehand.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QWidget

from etsysync_gui.config import DEFAULT_PROFILE_NAME, Profile, Settings, load_settings
from etsysync_gui.ui.wizard.model import PageId, ShopSummary
from etsysync_gui.ui.wizard.page_connect import ConnectPage
from etsysync_gui.ui.wizard.page_keys import KeysPage
from etsysync_gui.ui.wizard.page_shop import ShopPage
from etsysync_gui.ui.wizard.wizard import SetupWizard

DEMO_SHOP = ShopSummary(
    shop_id=41_234_567,
    shop_name="FakeCraftShop",
    currency_code="USD",
    listing_count=400,
    user_id=712_345_678,
    url="https://www.etsy.com/shop/FakeCraftShop",
)
DEMO_KEYSTRING = "fakeetsykeystring0000001"
DEMO_CONSENT_URL = (
    "https://www.etsy.com/oauth/connect?response_type=code&client_id=fakeetsykeystring0000001"
    "&redirect_uri=http%3A%2F%2Flocalhost%3A3003%2Foauth%2Fredirect"
    "&scope=listings_r%20listings_w%20shops_r&state=…&code_challenge=…"
)

NAMES = {
    PageId.PROFILE: "profile",
    PageId.KEYS: "keys",
    PageId.CONNECT: "connect",
    PageId.SHOP: "shop",
    PageId.DATABASE: "database",
    PageId.SYNC: "sync",
    PageId.FINISH: "finish",
}


def _settings(parent: QWidget | None) -> Settings:
    """The window's settings with a default ``production`` profile (what a seller sees)."""
    controller = getattr(parent, "controller", None)
    settings = getattr(controller, "settings", None)
    if not isinstance(settings, Settings):
        settings = load_settings()
    # Every value a default, as in a new profile (the demo's own intervals are not a seller's).
    return replace(settings, profile=Profile(name=DEFAULT_PROFILE_NAME), sources={})


def _at(parent: QWidget | None, settings: Settings, page_id: PageId) -> SetupWizard:
    profile = replace(settings.profile, shop_id=DEMO_SHOP.shop_id, keystring=None)
    wizard = SetupWizard(replace(settings, profile=profile), parent=parent)
    wizard.model.shop = DEMO_SHOP
    wizard.model.keystring = DEMO_KEYSTRING
    wizard.setStartId(int(page_id))
    wizard.restart()
    page = wizard.page_of(page_id)
    if isinstance(page, KeysPage):
        page.keystring.setText(DEMO_KEYSTRING)
        page.secret.setText("not-a-real-secret")
    elif isinstance(page, ConnectPage):
        page.show_url(DEMO_CONSENT_URL)
        page.connect_button.setEnabled(False)
        page.cancel_button.show()
        page.busy_bar.show()
        page.status.setText("Waiting for Etsy's answer in your browser…")
    elif isinstance(page, ShopPage):
        page.confirm.setChecked(True)
    return wizard


def screenshot_pages(parent: QWidget | None) -> list[tuple[str, QWidget]]:
    """``[(name, wizard shown at that page), ...]`` in page order."""
    settings = _settings(parent)
    return [(name, _at(parent, settings, page_id)) for page_id, name in NAMES.items()]
