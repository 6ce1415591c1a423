"""``DemoShop``: a fake Etsy connected through the real OAuth flow, tokens in memory only."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from keyring.errors import KeyringError

from etsysync_gui.config import ConfigStore
from etsysync_gui.demo.settings import (
    DEMO_INVENTORY_INTERVAL_S,
    DEMO_LISTING_INTERVAL_S,
    demo_paths,
    demo_settings,
    prepare_demo,
    reset_demo_database,
)
from etsysync_gui.demo.shop import DemoShop, DemoStartError
from tests.credentials.fakes import RaisingKeyring, installed_keyring


def test_the_shop_has_every_state_and_both_kinds_of_stock(demo: DemoShop) -> None:
    server = demo.server
    states = {state: server.listing_ids(state) for state in ("active", "inactive", "draft")}
    states.update({s: server.listing_ids(s) for s in ("sold_out", "expired")})
    assert all(states.values()), {k: len(v) for k, v in states.items()}
    quantity_on = [server.inventory_json(i)["quantity_on_property"] for i in states["active"]]
    varied = [
        server.inventory_json(i)
        for i in states["active"]
        if server.inventory_json(i)["products"][0]["property_values"]
    ]
    assert any(not inv["quantity_on_property"] for inv in varied)  # one shared stock
    assert any(inv["quantity_on_property"] for inv in varied)  # stock per variation
    assert quantity_on


def test_connected_through_oauth_with_tokens_kept_in_memory(tmp_path: Path) -> None:
    # Any use of the system keychain would raise: the demo must never touch it.
    with installed_keyring(RaisingKeyring(KeyringError("keychain touched"))):
        shop = DemoShop.open(listings=5, data_dir=tmp_path)
        try:
            saved = shop.credentials.load()
            assert saved is not None
            assert saved.connected
            assert saved.shop_id == shop.shop_id == shop.server.shop_id
            assert not shop.credentials.uses_file
            assert "memory" in shop.credentials.backend_name()
            stats = shop.server.stats  # it went over HTTP, through the consent page
            assert stats.calls("oauthConnect") == 2  # the consent page, then "Grant access"
            assert stats.calls("oauthToken") == 1
            assert stats.calls("getMe") == 1
        finally:
            shop.close()


def test_settings_point_at_the_fake_and_are_overrides(demo: DemoShop, tmp_path: Path) -> None:
    profile = demo.settings().profile
    assert profile.name == "demo"
    assert profile.api_base_url == demo.server.base_url
    assert profile.oauth_connect_url == demo.server.oauth_connect_url
    assert profile.effective_oauth_token_url() == demo.server.token_url
    assert profile.shop_id == demo.shop_id
    assert profile.effective_database_url() == f"sqlite:///{tmp_path / 'demo.db'}"
    assert (profile.product_sync_interval, profile.inventory_sync_interval) == (
        DEMO_LISTING_INTERVAL_S,
        DEMO_INVENTORY_INTERVAL_S,
    )
    assert not ConfigStore().path.exists()  # the seller's config file is never written


def test_settings_changed_in_the_demo_stay_in_the_demo_file(demo: DemoShop) -> None:
    settings = demo.settings()
    store = ConfigStore(settings.config_path)
    store.set_value("demo", "inventory_sync_interval", "120")
    store.set_value("demo", "api_base_url", "https://openapi.etsy.com/v3")
    profile = demo.settings().profile
    assert profile.inventory_sync_interval == 120
    assert profile.api_base_url == demo.server.base_url  # forced, whatever the file says
    assert not ConfigStore().path.exists()


def test_the_environment_cannot_send_the_demo_to_etsy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ETSY_API_BASE_URL", "https://openapi.etsy.com/v3")
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", f"sqlite:///{tmp_path / 'real.db'}")
    monkeypatch.setenv("ETSY_ACCESS_TOKEN", "real-token")
    with DemoShop.open(listings=3, data_dir=tmp_path) as shop:
        settings = shop.settings()
        assert settings.profile.api_base_url == shop.server.base_url
        assert settings.profile.database_url == f"sqlite:///{tmp_path / 'demo.db'}"
        assert settings.secrets.values() == ()


def test_close_stops_the_server(tmp_path: Path) -> None:
    shop = DemoShop.open(listings=2, data_dir=tmp_path)
    url = shop.server.base_url
    shop.close()
    shop.close()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/application/openapi-ping", timeout=2, trust_env=False)


def test_the_demo_database_is_reset(tmp_path: Path) -> None:
    paths = demo_paths(tmp_path)
    for path in (paths.database, Path(f"{paths.database}-wal"), tmp_path / "production.db"):
        path.write_text("old", encoding="utf-8")
    reset_demo_database(paths)
    assert not paths.database.exists()
    assert not Path(f"{paths.database}-wal").exists()
    assert (tmp_path / "production.db").exists()  # nothing else is touched


def test_prepare_plans_free_ports_and_a_fresh_settings_file(tmp_path: Path) -> None:
    paths = demo_paths(tmp_path)
    paths.config.write_text("[profiles.demo]\ninventory_sync_interval = 120\n", encoding="utf-8")
    plan = prepare_demo(tmp_path)
    assert not paths.config.exists()
    assert plan.endpoints.api_port != plan.endpoints.redirect_port
    assert plan.endpoints.api_base_url.startswith("http://127.0.0.1:")


def test_a_planned_demo_serves_where_the_settings_say(tmp_path: Path) -> None:
    plan = prepare_demo(tmp_path)
    before = demo_settings(plan.paths, plan.endpoints)
    with DemoShop.open(plan, listings=2) as shop:
        assert shop.settings() == before
        assert shop.server.base_url == before.profile.api_base_url


def test_a_taken_port_is_reported_plainly(tmp_path: Path) -> None:
    plan = prepare_demo(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", plan.endpoints.api_port))
        squatter.listen()
        with pytest.raises(DemoStartError, match="Start EtsySync again"):
            DemoShop.open(plan, listings=2)
