"""The demo profile: its own files, and settings made of overrides.

Why overrides and never the seller's config file: the demo must leave no
trace in the configuration the seller will set up next (a ``[profiles.demo]``
table pointing at a dead local port would be a puzzle later), and the
ETSY_* environment must not send it to the real Etsy.  So the endpoints, the
app key, the shop and the database are forced here, whatever the file or
the environment say.

The demo keeps two files in the user data folder:

* ``demo.db``: its SQLite database;
* ``demo-config.toml``: what the seller changes in the demo's Settings
  dialog (intervals, policies), and the shop id the connect step writes.

Both are deleted at every demo start: the settings file first
(``prepare_demo``), the database once the app knows no other demo is running
(``reset_demo_database``, after the single-instance check).  The fake shop
is generated afresh each start, so a database kept from the last demo would
remember stock, purchases and links of a shop that no longer exists, and the
first sync would report changes nobody made.  Starting clean makes every
demo tell the same story.

Everything the settings name is chosen before the fake Etsy starts
(``prepare_demo``: a fresh settings file and ``endpoints``), so the app can
build its window while the shop starts on a helper thread; ``DemoShop.open``
then serves exactly there.

The scheduler runs on short intervals (10 min listings, 5 min stock) so the
simulated purchases reach the catalog while the seller is looking; Settings
can change them for this session.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from etsysync_gui.config import ConfigStore, EnvSecrets, Profile, Settings
from etsysync_gui.credentials import CredentialStore, MemorySecrets
from etsysync_gui.demo.endpoints import DEMO_SHOP_ID, DemoEndpoints, plan_endpoints
from etsysync_gui.paths import user_data_dir

DEMO_PROFILE = "demo"
DEMO_LISTING_INTERVAL_S = 10 * 60
DEMO_INVENTORY_INTERVAL_S = 5 * 60


@dataclass(frozen=True)
class DemoPaths:
    database: Path
    config: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"


def demo_paths(data_dir: Path | None = None) -> DemoPaths:
    """``<user data dir>/demo.db`` and ``<user data dir>/demo-config.toml``."""
    folder = data_dir if data_dir is not None else user_data_dir()
    return DemoPaths(database=folder / f"{DEMO_PROFILE}.db", config=folder / "demo-config.toml")


def reset_demo_database(paths: DemoPaths) -> None:
    """Delete the last demo's database (with its SQLite side files)."""
    database = paths.database
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def reset_demo_config(paths: DemoPaths) -> None:
    """Delete the settings the seller changed in the last demo."""
    with contextlib.suppress(FileNotFoundError):
        paths.config.unlink()


@dataclass(frozen=True)
class DemoPlan:
    """Where a demo about to start keeps its files and serves its fake Etsy."""

    paths: DemoPaths
    endpoints: DemoEndpoints


def prepare_demo(data_dir: Path | None = None) -> DemoPlan:
    """A fresh settings file and free ports for a demo about to start (fast).

    The last demo's database is left alone: see ``reset_demo_database``.
    """
    paths = demo_paths(data_dir)
    paths.database.parent.mkdir(parents=True, exist_ok=True)
    reset_demo_config(paths)
    return DemoPlan(paths, plan_endpoints())


def demo_credentials() -> CredentialStore:
    """The demo profile's credential store: in memory, never the keychain
    (``credentials.memory`` says why)."""
    return CredentialStore(DEMO_PROFILE, memory=MemorySecrets())


def demo_settings(
    paths: DemoPaths,
    endpoints: DemoEndpoints,
    *,
    log_level: str = "INFO",
) -> Settings:
    """The demo profile: the demo file's values under the forced demo values.

    Blocking (reads the demo's small config file); the controller calls it
    again on a worker after each settings change.
    """
    stored = ConfigStore(paths.config).load()
    base = stored.profile(DEMO_PROFILE)
    in_file = stored.keys_in_file.get(DEMO_PROFILE, frozenset())
    defaults: dict[str, Any] = {
        "product_sync_interval": DEMO_LISTING_INTERVAL_S,
        "inventory_sync_interval": DEMO_INVENTORY_INTERVAL_S,
        "log_level": log_level,
    }
    forced: dict[str, Any] = {  # whatever the demo's config file says
        "shop_id": DEMO_SHOP_ID,
        "database_url": paths.database_url,
        "api_base_url": endpoints.api_base_url,
        "oauth_token_url": endpoints.oauth_token_url,
        "oauth_connect_url": endpoints.oauth_connect_url,
        "redirect_uri": endpoints.redirect_uri,
        "keystring": endpoints.keystring,
    }
    values = {key: value for key, value in defaults.items() if key not in in_file}
    values.update(forced)
    profile: Profile = replace(base, **values)
    sources = {"profile": "demo"}
    # The demo's own intervals are chosen (short, so the demo shows syncs happening): "demo",
    # not "default", so the app does not size them for the shop instead.
    sources.update({key: "file" if key in in_file else "demo" for key in defaults})
    sources.update({key: "demo" for key in forced})
    return Settings(
        profile=profile, secrets=EnvSecrets(), config_path=paths.config, sources=sources
    )
