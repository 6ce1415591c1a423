"""``demo.startup``: the demo when nothing is configured, never over a seller's shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from etsysync_gui.config import ConfigStore
from etsysync_gui.start_mode import StartFacts, StartMode, choose_start_mode, read_start_facts


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (StartFacts(), StartMode.DEMO),
        (StartFacts(demo_requested=True, active_has_shop=True), StartMode.DEMO),
        (StartFacts(active_has_shop=True), StartMode.NORMAL),
        (StartFacts(active_has_shop=True, profile_chosen=True), StartMode.NORMAL),
        (StartFacts(profile_chosen=True), StartMode.SETUP),
        (StartFacts(any_profile_configured=True), StartMode.SETUP),
        (StartFacts(env_credentials=True), StartMode.SETUP),
        (StartFacts(config_readable=False), StartMode.NORMAL),
        (StartFacts(config_readable=False, demo_requested=True), StartMode.DEMO),
    ],
)
def test_choose_start_mode(facts: StartFacts, expected: StartMode) -> None:
    assert choose_start_mode(facts) is expected


def mode_for(profile: str | None = None, env: dict[str, str] | None = None) -> StartMode:
    facts, _settings = read_start_facts(profile, environ=env or {})
    return choose_start_mode(facts)


def test_a_fresh_machine_opens_the_demo() -> None:
    assert mode_for() is StartMode.DEMO
    assert not ConfigStore().path.exists()  # deciding writes nothing


def test_a_config_file_without_any_shop_still_opens_the_demo() -> None:
    ConfigStore().set_value("production", "log_level", "debug")
    assert mode_for() is StartMode.DEMO


def test_a_connected_profile_opens_normally() -> None:
    ConfigStore().set_value("production", "shop_id", "123")
    assert mode_for() is StartMode.NORMAL


def test_a_chosen_profile_without_a_shop_opens_the_wizard() -> None:
    assert mode_for("staging") is StartMode.SETUP
    assert mode_for(env={"ETSYSYNC_PROFILE": "shopfront"}) is StartMode.SETUP
    store = ConfigStore()
    store.set_value("studio", "log_level", "debug")
    store.set_default_profile("studio")
    assert mode_for() is StartMode.SETUP


def test_another_profile_with_a_shop_means_set_up_not_demo() -> None:
    ConfigStore().set_value("staging", "shop_id", "5")
    assert mode_for() is StartMode.SETUP  # production has none; staging shows a seller


def test_app_key_saved_but_not_connected_opens_the_wizard() -> None:
    ConfigStore().set_value("production", "keystring", "abc123")
    assert mode_for() is StartMode.SETUP


def test_environment_credentials() -> None:
    assert mode_for(env={"ETSY_SHOP_ID": "77"}) is StartMode.NORMAL
    assert mode_for(env={"ETSY_API_KEY": "k"}) is StartMode.SETUP
    assert mode_for(env={"ETSY_ACCESS_TOKEN": "  "}) is StartMode.DEMO  # empty counts as unset


def test_dotenv_counts_like_the_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ETSY_API_KEY=k\n", encoding="utf-8")
    facts, _ = read_start_facts(None, environ={}, cwd=tmp_path)
    assert choose_start_mode(facts) is StartMode.SETUP


def test_a_broken_config_file_takes_the_normal_start_that_reports_it() -> None:
    path = ConfigStore().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[profiles.production\n", encoding="utf-8")
    facts, settings = read_start_facts(None, environ={})
    assert settings is None
    assert not facts.config_readable
    assert choose_start_mode(facts) is StartMode.NORMAL
