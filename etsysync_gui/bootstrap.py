"""What every start of EtsySync does, for the GUI and the CLI alike.

Order matters: settings first (they name the log level and the database),
then logging with redaction (so nothing after can leak a secret), then the
database, which is checked and migrated before any command or window runs.
Each step raises an ``EtsySyncError`` with a message fit for the user.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from etsysync_gui.config import Settings, load_settings
from etsysync_gui.db.engine import Database, check_connection
from etsysync_gui.db.migrate import MigrationResult, upgrade_to_head
from etsysync_gui.logging_setup import setup_logging
from etsysync_gui.redaction import register_secret

if TYPE_CHECKING:
    from etsysync_gui.credentials import CredentialStore

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """Settings, the log file and (when asked for) the migrated database.

    ``credentials`` and ``settings_loader`` are for a run whose settings are
    not (only) the config file's: the demo shop keeps its throw-away tokens in
    memory and rebuilds its settings from its own overrides.  ``None`` means
    the usual: the profile's keychain item and ``load_settings``.
    """

    settings: Settings
    log_file: Path
    database: Database | None = None
    migration: MigrationResult | None = None
    credentials: CredentialStore | None = None
    settings_loader: Callable[[], Settings] | None = None

    def fresh_settings(self) -> Settings:
        """The settings read again (after a change); blocking, for a worker thread."""
        if self.settings_loader is not None:
            return self.settings_loader()
        return load_settings(self.settings.profile.name)

    def require_database(self) -> Database:
        assert self.database is not None, "started without a database"
        return self.database

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()


def _register_env_secrets(settings: Settings) -> None:
    for value in (
        settings.secrets.api_secret,
        settings.secrets.access_token,
        settings.secrets.refresh_token,
    ):
        if value:
            register_secret(value)


def open_database(settings: Settings) -> tuple[Database, MigrationResult]:
    """Open, check and migrate the profile's database."""
    return open_database_url(settings.effective_database_url())


def open_database_url(url: str) -> tuple[Database, MigrationResult]:
    """Open, check and migrate the database at ``url`` (the demo's, before its settings)."""
    database = Database.open(url)
    try:
        check_connection(database.engine)
        migration = upgrade_to_head(database.engine)
    except BaseException:
        database.dispose()
        raise
    return database, migration


def start(
    profile: str | None = None,
    *,
    with_database: bool = True,
    quiet: bool = False,
) -> AppContext:
    """Load settings, start logging, and (by default) open the migrated database.

    ``quiet`` keeps log records off stderr (the GUI, whose user reads dialogs).
    """
    return start_with(load_settings(profile), with_database=with_database, quiet=quiet)


def start_with(
    settings: Settings,
    *,
    with_database: bool = True,
    quiet: bool = False,
) -> AppContext:
    """``start`` for settings made elsewhere (the demo shop's): logging, then the database."""
    _register_env_secrets(settings)
    stream: TextIO | None = None if quiet else sys.stderr
    log_file = setup_logging(settings.profile.log_level, stream=stream)
    log.debug("Starting with profile %s (config %s)", settings.profile.name, settings.config_path)
    context = AppContext(settings=settings, log_file=log_file)
    if with_database:
        context.database, context.migration = open_database(settings)
    return context
