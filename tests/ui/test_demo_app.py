"""Demo mode through the app's own entry point: ``etsysync_gui.app.main``.

Nothing is configured in the test's home, so ``main([])`` (the README's
launch command) must open the demo shop: the fake Etsy in process, connected
through OAuth, the first listing sync filling the listings view, the
scheduler running, and simulated purchases pulled by the next stock sync.
``event_loop`` stands in for ``QApplication.exec()``.  The system keychain
is replaced by one that raises: the demo must never touch it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import httpx
import pytest
from keyring.errors import KeyringError
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from etsysync_gui import app
from etsysync_gui.config import Profile
from etsysync_gui.db.models import SyncRun
from etsysync_gui.demo.first_run import DEMO_UNLINKED_LISTINGS
from etsysync_gui.demo.shop import DemoShop, DemoStartError
from etsysync_gui.queries.listings import load_listings
from etsysync_gui.redaction import clear_registered_secrets
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui import wizard as setup_wizard
from etsysync_gui.ui.demo_banner import DEMO_BANNER_TEXT
from etsysync_gui.ui.demo_mode import DemoSession
from etsysync_gui.ui.main_window import MainWindow
from etsysync_gui.ui.wizard import OutcomeKind, WizardOutcome
from fake_etsy import FakeEtsyServer
from tests.credentials.fakes import RaisingKeyring, installed_keyring


def unexpected_wizard(*args: object, **kwargs: object) -> NoReturn:
    pytest.fail("the setup wizard opened; the real one would wait for a seller forever")


@pytest.fixture(autouse=True)
def no_keychain_and_no_wizard(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The start-up looks the wizard up when it needs it: tests that expect it replace
    # this stand-in with their own, the others fail instead of blocking on a modal wizard.
    monkeypatch.setattr(setup_wizard, "run_setup_wizard", unexpected_wizard)
    with installed_keyring(RaisingKeyring(KeyringError("the demo touched the keychain"))):
        yield
    clear_registered_secrets()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[DemoShop]:
    """Every ``DemoShop`` the app opens (to reach its fake Etsy and its buyers)."""
    shops: list[DemoShop] = []
    original = DemoShop.open.__func__  # type: ignore[attr-defined]

    def record(cls: type[DemoShop], *args: object, **kwargs: object) -> DemoShop:
        shop: DemoShop = original(cls, *args, **kwargs)
        shops.append(shop)
        return shop

    monkeypatch.setattr(DemoShop, "open", classmethod(record))
    return shops


def finished(qtbot: QtBot, window: MainWindow, request: SyncRequest) -> SyncOutcome:
    outcomes: list[SyncOutcome] = []
    window.controller.runner.finished.connect(
        lambda o: outcomes.append(o) if o.request is request else None
    )
    assert window.controller.runner.submit(request).accepted
    qtbot.waitUntil(lambda: bool(outcomes), timeout=60_000)
    return outcomes[0]


def test_the_launch_command_opens_the_demo_when_nothing_is_configured(
    qtbot: QtBot, isolated_environment: Path, opened: list[DemoShop]
) -> None:
    seen: dict[str, object] = {}

    def event_loop(window: MainWindow) -> int:
        outcomes: list[SyncOutcome] = []
        window.controller.runner.finished.connect(outcomes.append)
        seen["title"] = window.windowTitle()
        assert window.demo_banner is not None
        assert window.demo_banner.isVisible()
        assert window.demo_banner.label.text() == DEMO_BANNER_TEXT
        window.tabs.setCurrentWidget(window.listings)
        # The first listing sync imports the generated shop and fills the view.
        qtbot.waitUntil(lambda: window.listings.model.total == 300, timeout=60_000)
        seen["rows"] = window.listings.model.rowCount()
        session = window.findChild(DemoSession)
        assert session is not None
        assert [o.request.import_unlinked for o in outcomes] == [True]
        # A few listings are left unlinked so links have something to show.
        qtbot.waitUntil(
            lambda: (
                sum(r.linked_pools == 0 for r in load_listings(window.controller.database))
                == DEMO_UNLINKED_LISTINGS
            ),
            timeout=30_000,
        )
        # Then the scheduler runs (its first stock sync is due at once) and buyers buy.
        qtbot.waitUntil(
            lambda: any(o.request.job_id == "inventory" for o in outcomes), timeout=60_000
        )
        assert session.shop.purchases.running
        session.shop.purchases.stop()  # sales by hand from here: deterministic
        bought = [session.shop.purchases.buy_one() for _ in range(4)]
        assert all(bought)
        outcome = finished(qtbot, window, SyncRequest("inventory"))
        assert outcome.ok
        assert outcome.result is not None
        seen["pulls"] = outcome.result.counts.pulls
        seen["connection"] = window.connection_label.text()
        return 0

    assert app.main([], event_loop=event_loop) == 0

    assert seen["title"] == "EtsySync — demo"
    assert seen["rows"] == 300
    assert isinstance(seen["pulls"], int)
    assert seen["pulls"] >= 1
    assert seen["connection"] == "Etsy: DemoCraftStudio"
    assert (isolated_environment / "data" / "demo.db").is_file()
    assert not (isolated_environment / "data" / "production.db").exists()
    assert not (isolated_environment / "config" / "config.toml").exists()
    [shop] = opened
    assert not shop.purchases.running
    with pytest.raises(httpx.ConnectError):  # the fake Etsy stopped with the app
        httpx.get(
            f"{shop.endpoints.api_base_url}/application/openapi-ping", timeout=2, trust_env=False
        )
    assert shop.server.internal_errors == []


def test_demo_quit_after_start_opens_the_window_and_stops(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, opened: list[DemoShop]
) -> None:
    shown: list[tuple[str, bool]] = []
    original_show = MainWindow.show

    def record_show(window: MainWindow) -> None:
        shown.append((window.windowTitle(), window.demo_banner is not None))
        original_show(window)

    monkeypatch.setattr(MainWindow, "show", record_show)
    assert app.main(["--demo", "--quit-after-start"]) == 0
    assert shown == [("EtsySync — demo", True)]
    [shop] = opened
    assert shop.purchases.purchases == []
    assert not shop.purchases.running


def test_demo_is_also_there_when_a_shop_is_configured(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, opened: list[DemoShop]
) -> None:
    monkeypatch.setenv("ETSY_SHOP_ID", "99")
    titles: list[str] = []
    assert app.main(["--demo"], event_loop=lambda w: titles.append(w.windowTitle()) or 0) == 0
    assert titles == ["EtsySync — demo"]


def test_each_demo_starts_from_a_fresh_database(
    qtbot: QtBot, isolated_environment: Path, opened: list[DemoShop]
) -> None:
    database = isolated_environment / "data" / "demo.db"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"a database from the last demo, not even SQLite")
    assert app.main(["--demo", "--quit-after-start"]) == 0
    assert database.read_bytes().startswith(b"SQLite format 3")


def wizard_recorder(
    answer: WizardOutcome,
) -> tuple[list[dict[str, object]], Callable[..., WizardOutcome]]:
    calls: list[dict[str, object]] = []

    def run_setup_wizard(
        parent: object = None, settings: object = None, *, profile: str | None = None
    ) -> WizardOutcome:
        calls.append({"parent": parent, "settings": settings, "profile": profile})
        return answer

    return calls, run_setup_wizard


def test_a_chosen_profile_without_a_shop_opens_the_wizard_first(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls, wizard = wizard_recorder(WizardOutcome(OutcomeKind.CANCELLED))
    monkeypatch.setattr(setup_wizard, "run_setup_wizard", wizard)
    titles: list[str] = []
    assert (
        app.main(["--profile", "studio"], event_loop=lambda w: titles.append(w.windowTitle()) or 0)
        == 0
    )
    assert calls == [{"parent": None, "settings": None, "profile": "studio"}]
    assert titles == ["EtsySync — studio"]  # cancelled: the profile opens as it is


def test_the_wizard_can_send_the_seller_to_the_demo(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, opened: list[DemoShop]
) -> None:
    _calls, wizard = wizard_recorder(WizardOutcome(OutcomeKind.DEMO))
    monkeypatch.setattr(setup_wizard, "run_setup_wizard", wizard)
    titles: list[str] = []
    assert (
        app.main(["--profile", "studio"], event_loop=lambda w: titles.append(w.windowTitle()) or 0)
        == 0
    )
    assert titles == ["EtsySync — demo"]
    assert len(opened) == 1


def test_a_second_demo_hands_over_without_touching_the_running_demo(
    qtbot: QtBot,
    isolated_environment: Path,
    capsys: pytest.CaptureFixture[str],
    opened: list[DemoShop],
) -> None:
    from etsysync_gui.ui.infra.single_instance import SingleInstanceServer

    database = isolated_environment / "data" / "demo.db"
    database.parent.mkdir(parents=True)
    database.write_bytes(b"the running demo's data")
    running = SingleInstanceServer("demo")
    assert running.listen()
    try:
        with qtbot.waitSignal(running.show_requested, timeout=5000):
            assert app.main(["--demo", "--quit-after-start"]) == 0
    finally:
        running.close()
    assert database.read_bytes() == b"the running demo's data"
    assert "already running" in capsys.readouterr().out
    [shop] = opened
    with pytest.raises(httpx.ConnectError):  # its own fake Etsy was stopped again
        httpx.get(
            f"{shop.endpoints.api_base_url}/application/openapi-ping", timeout=2, trust_env=False
        )


def test_after_the_wizard_connected_the_profile_opens_with_a_first_sync(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeEtsyServer(listings=6, seed=2, qps=None, qpd=None) as etsy:
        access, refresh, _ = etsy.issue_tokens()

        def run_setup_wizard(
            parent: object = None, settings: object = None, *, profile: str | None = None
        ) -> WizardOutcome:
            # What connecting does, as far as the app can tell: the profile has a shop.
            for name, value in {
                "ETSY_API_KEY": etsy.keystring,
                "ETSY_API_SECRET": etsy.shared_secret,
                "ETSY_ACCESS_TOKEN": access,
                "ETSY_REFRESH_TOKEN": refresh,
                "ETSY_SHOP_ID": str(etsy.shop_id),
                "ETSY_API_BASE_URL": etsy.base_url,
            }.items():
                monkeypatch.setenv(name, value)
            return WizardOutcome(OutcomeKind.CONNECTED, "studio", run_first_sync=True)

        monkeypatch.setattr(setup_wizard, "run_setup_wizard", run_setup_wizard)
        runs: list[tuple[str, str]] = []

        def manual_listing_runs(window: MainWindow) -> list[tuple[str, str]]:
            # Read from the database: the run may end before a signal could be connected.
            with window.controller.database.session() as session:
                return [
                    (run.trigger, run.status)
                    for run in session.scalars(select(SyncRun).where(SyncRun.kind == "products"))
                    if run.trigger == "manual" and run.finished_at is not None
                ]

        def event_loop(window: MainWindow) -> int:
            qtbot.waitUntil(lambda: bool(manual_listing_runs(window)), timeout=30_000)
            runs.extend(manual_listing_runs(window))
            return 0

        assert app.main(["--profile", "studio"], event_loop=event_loop) == 0
        assert runs == [("manual", "completed")]


def test_settings_changed_in_the_demo_never_reach_the_sellers_config(
    qtbot: QtBot, isolated_environment: Path, opened: list[DemoShop]
) -> None:
    profiles: list[Profile] = []

    def event_loop(window: MainWindow) -> int:
        controller = window.controller
        done: list[bool] = []
        controller.save_settings(
            {"inventory_sync_interval": "120"}, lambda: done.append(True), pytest.fail
        )
        qtbot.waitUntil(lambda: bool(done), timeout=30_000)
        profiles.append(controller.settings.profile)
        return 0

    assert app.main(["--demo"], event_loop=event_loop) == 0
    [profile] = profiles
    assert profile.name == "demo"
    assert profile.inventory_sync_interval == 120
    assert profile.api_base_url == opened[0].endpoints.api_base_url
    assert not (isolated_environment / "config" / "config.toml").exists()
    assert (isolated_environment / "data" / "demo-config.toml").is_file()


def test_a_demo_that_cannot_start_says_why_and_quits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(cls: type[DemoShop], *args: object, **kwargs: object) -> DemoShop:
        raise DemoStartError("The demo shop could not start: port 1 was taken.")

    monkeypatch.setattr(DemoShop, "open", classmethod(refuse))
    assert app.main(["--demo", "--quit-after-start"]) == DemoStartError.exit_code
    assert "port 1 was taken" in capsys.readouterr().err
