"""``etsysync sync|log|link|unlink`` as a user runs them: output and exit codes.

The commands run in-process (``cli.main``) against the fake Etsy over HTTP; the
Etsy client factory ``etsy_account.client_from_settings`` is replaced with one
that connects to the fake, since profiles only accept https base URLs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from etsysync_gui import etsy_account
from etsysync_gui.cli import main
from etsysync_gui.config import Settings
from etsysync_gui.db.engine import Database
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.sync.runs.lease import Lease
from tests.sync.test_support import Env, make_client, make_env, simple


@pytest.fixture
def env(database: Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with make_env(database) as made:
        monkeypatch.setenv("ETSYSYNC_DATABASE_URL", db_url)
        monkeypatch.setenv("ETSY_SHOP_ID", str(made.shop_id))

        def client_for(settings: Settings, *, user: bool = True) -> EtsyClient:
            assert settings.profile.shop_id == made.shop_id
            return make_client(made.server)

        monkeypatch.setattr(etsy_account, "client_from_settings", client_for)
        yield made


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_all_links_and_syncs_and_reports(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.catalog({"MUG": 7})
    listing_id = env.add(simple("MUG", 5))
    code, out, _ = run(capsys, "sync", "all")
    assert code == 0
    assert "Sync completed." in out
    assert "Linked 1 stock pool(s) by SKU" in out
    assert env.local("MUG") == 5
    assert env.runs()[-1].trigger == "cli"
    code, out, _ = run(capsys, "log", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["listing_id"], r["sync_action"]) for r in rows] == [(listing_id, "pull_from_etsy")]


def test_dry_run_json_shows_the_plan_and_writes_nothing(
    env: Env, capsys: pytest.CaptureFixture[str]
) -> None:
    env.catalog({"MUG": 5})
    listing_id = env.add(simple("MUG", 5))
    assert run(capsys, "sync", "all")[0] == 0
    env.set_local("MUG", 2)
    env.server.reset_stats()
    code, out, _ = run(capsys, "sync", "inventory", "--dry-run", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["dry_run"]
    assert report["plan"]["totals"]["pushes"] == 1
    (listing,) = report["plan"]["listings"]
    assert listing["listing_id"] == listing_id
    assert listing["put_body"]["products"][0]["offerings"][0]["quantity"] == 2
    assert env.calls("updateListingInventory") == 0
    assert env.etsy(listing_id) == {"sku:MUG": 5}
    code, out, _ = run(capsys, "sync", "inventory", "--dry-run")
    assert code == 0
    assert "Etsy 5 → 2" in out
    assert "nothing was written" in out


def test_sync_reports_the_etsy_writes_it_sent(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    """The total equals what the fake Etsy accepted, in --json and in the text."""
    env.catalog({"MUG": 5})
    listing_id = env.add(simple("MUG", 5))
    assert run(capsys, "sync", "all")[0] == 0
    env.set_local("MUG", 2)
    env.server.reset_stats()
    code, out, _ = run(capsys, "sync", "inventory", "--json")
    assert code == 0
    assert json.loads(out)["etsy_writes"] == env.server.stats.accepted_writes == 1
    assert env.etsy(listing_id) == {"sku:MUG": 2}
    code, out, _ = run(capsys, "sync", "inventory")
    assert code == 0
    assert "0 change(s) written to Etsy." in out


def test_policy_option_overrides_the_profile(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.catalog({"MUG": 5})
    listing_id = env.add(simple("MUG", 5))
    run(capsys, "sync", "all")
    env.set_local("MUG", 9)
    env.server.simulate_purchase(listing_id, 1)
    code, _, _ = run(capsys, "sync", "inventory", "--policy", "etsy_wins")
    assert code == 0
    assert env.local("MUG") == 4


def test_some_listings_failing_exits_1(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.catalog({"BAD": 5})
    listing_id = env.add(simple("BAD", 5))
    run(capsys, "sync", "all")
    env.set_local("BAD", 1)
    with env.server.shop.lock:
        env.server.shop.listings[listing_id].inventory.price_on_property = [999]
    code, out, _ = run(capsys, "sync", "inventory")
    assert code == 1
    assert "completed with errors" in out
    assert f"Listing {listing_id}:" in out


def test_a_running_sync_exits_3(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    Lease(env.database, env.shop_id).acquire()
    code, _, err = run(capsys, "sync", "products")
    assert code == 3
    assert "a sync is already running since" in err


def test_revoked_credentials_exit_4(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def revoked(settings: Settings, *, user: bool = True) -> EtsyClient:
        client = make_client(env.server)
        env.server.revoke_all_tokens()  # the seller changed their Etsy password
        return client

    monkeypatch.setattr(etsy_account, "client_from_settings", revoked)
    code, _, err = run(capsys, "sync", "products")
    assert code == 4
    assert "Reconnect" in err


def test_missing_credentials_exit_4(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # the real client factory again, and no secrets in the environment
    monkeypatch.setenv("ETSYSYNC_DATABASE_URL", "sqlite:///" + str(env.database.url.database))
    monkeypatch.setenv("ETSY_SHOP_ID", str(env.shop_id))
    if not env.database.is_sqlite:
        pytest.skip("same behaviour; one backend is enough")
    code, _, err = run(capsys, "sync", "inventory")
    assert code == 4
    assert err.startswith("etsysync: ")


def test_no_shop_configured_exits_2(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ETSY_SHOP_ID")
    code, _, err = run(capsys, "sync", "all")
    assert code == 2
    assert "has no shop" in err


def test_link_and_unlink(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    env.catalog({"LOCAL": 9})
    listing_id = env.add(simple("ON-ETSY", 5))
    run(capsys, "sync", "products")
    code, out, _ = run(capsys, "link", "LOCAL", str(listing_id), "--local-first")
    assert code == 0
    assert "starts from local stock" in out
    assert run(capsys, "sync", "inventory")[0] == 0
    assert env.etsy(listing_id) == {"sku:ON-ETSY": 9}
    code, out, _ = run(capsys, "unlink", str(listing_id))
    assert code == 0
    assert "Unlinked 1 stock pool(s)" in out
    code, _, err = run(capsys, "link", "NOPE", str(listing_id))
    assert code == 2
    assert "No local variant has SKU 'NOPE'" in err
    code, _, err = run(capsys, "link", "LOCAL", "123")
    assert code == 2
    assert "Listing 123 is not known" in err
    code, _, err = run(capsys, "link", "LOCAL", str(listing_id), "--pool", "sku:X")
    assert code == 2
    assert "has no stock pool 'sku:X'" in err
