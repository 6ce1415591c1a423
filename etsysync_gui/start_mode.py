"""Which start this is: the demo shop, the seller's shop, or the setup wizard.

The README's one launch command must show something useful on a machine
where nothing is set up, and must never hide a seller's real shop behind the
demo.  The rule, in order:

1. ``--demo`` asked for → the demo;
2. the configuration cannot be read → the normal start (it shows the error);
3. the active profile has a shop → the normal start;
4. the seller chose a profile (``--profile``, ETSYSYNC_PROFILE or the file's
   ``default_profile``) that has no shop yet → the setup wizard for it;
5. something is configured (a profile in the file with a shop or an app
   key, or Etsy credentials in the environment) but the active profile has
   no shop → the setup wizard;
6. nothing is configured → the demo.

"Has a shop" means a shop id, from the file or ETSY_SHOP_ID: connecting
always writes it, and it can be known without opening the keychain (which
may block on an unlock prompt, too slow for start-up).  A profile whose
shop id is set but whose tokens are gone starts normally and the dashboard
asks to reconnect, as before.

The decision (``choose_start_mode``) is a pure function of ``StartFacts``;
``read_start_facts`` gathers them from the file and the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from etsysync_gui.config import SECRET_ENV_VARS, ConfigStore, Settings, load_settings
from etsysync_gui.errors import ConfigError

ENV_CREDENTIALS = ("keystring", "shop_id", *SECRET_ENV_VARS.values())
"""Settings that, taken from the environment or ``.env`` (ETSY_API_KEY, ETSY_SHOP_ID,
ETSY_API_SECRET, ETSY_ACCESS_TOKEN, ETSY_REFRESH_TOKEN), mean it configures a shop
(servers, CI)."""
ENV_SOURCES = ("env", ".env")


class StartMode(StrEnum):
    DEMO = "demo"
    NORMAL = "normal"
    SETUP = "setup"


@dataclass(frozen=True)
class StartFacts:
    """What the start-up decision looks at (no secrets, only whether things are set)."""

    demo_requested: bool = False
    config_readable: bool = True
    active_profile: str = "production"
    profile_chosen: bool = False
    """The seller named the profile: --profile, ETSYSYNC_PROFILE or ``default_profile``."""
    active_has_shop: bool = False
    any_profile_configured: bool = False
    """Some profile in the file has a shop id or an app keystring."""
    env_credentials: bool = False


def choose_start_mode(facts: StartFacts) -> StartMode:
    """The start this is (see the module notes for the rule)."""
    if facts.demo_requested:
        return StartMode.DEMO
    if not facts.config_readable or facts.active_has_shop:
        return StartMode.NORMAL
    if facts.profile_chosen or facts.any_profile_configured or facts.env_credentials:
        return StartMode.SETUP
    return StartMode.DEMO


def read_start_facts(
    profile: str | None,
    *,
    demo_requested: bool = False,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[StartFacts, Settings | None]:
    """The facts for ``choose_start_mode``, and the active settings when they load.

    ``profile`` is ``--profile``.  A configuration that cannot be read gives
    ``config_readable=False`` (and no settings): the normal start reports it.
    """
    try:
        settings = load_settings(profile, environ=environ, cwd=cwd)
        stored = ConfigStore(settings.config_path).load()
    except ConfigError:
        return StartFacts(demo_requested=demo_requested, config_readable=False), None
    sources = settings.sources  # where load_settings found each value (blank counts as unset)
    configured = any(
        p.shop_id is not None or p.keystring is not None for p in stored.profiles.values()
    )
    facts = StartFacts(
        demo_requested=demo_requested,
        active_profile=settings.profile.name,
        profile_chosen=sources.get("profile", "default") != "default",
        active_has_shop=settings.profile.shop_id is not None,
        any_profile_configured=configured,
        env_credentials=any(sources.get(key) in ENV_SOURCES for key in ENV_CREDENTIALS),
    )
    return facts, settings
