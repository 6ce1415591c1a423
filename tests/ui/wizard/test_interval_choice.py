"""The wizard's stock interval: sized for the shop unless the profile already sets one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from etsysync_gui.config import EnvSecrets, Profile, Settings
from etsysync_gui.ui.wizard.model import ShopSummary, SyncChoices, WizardModel

SHOP = ShopSummary(1, "Shop", "USD", 300, 2)


def model(source: str) -> WizardModel:
    settings = Settings(
        Profile(inventory_sync_interval=2700),
        EnvSecrets(),
        Path("config.toml"),
        {"inventory_sync_interval": source},
    )
    return WizardModel(settings, shop=SHOP, sync=SyncChoices.from_settings(settings))


def test_a_new_profile_is_sized_for_the_shop_and_keeps_following_it() -> None:
    wizard = model("default")
    assert wizard.suggested_inventory_interval() == 15 * 60
    wizard.sync = replace(wizard.sync, inventory_interval=15 * 60)
    assert "inventory_sync_interval" not in wizard.config_changes()
    wizard.sync = replace(wizard.sync, inventory_interval=20 * 60)  # the seller's own choice
    assert wizard.config_changes()["inventory_sync_interval"] == "1200"


def test_an_interval_the_seller_set_is_never_overridden() -> None:
    for source in ("file", "env", ".env"):
        wizard = model(source)
        assert wizard.suggested_inventory_interval() is None
        assert wizard.sync.inventory_interval == 2700
        assert "inventory_sync_interval" not in wizard.config_changes()
