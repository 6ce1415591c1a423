"""User-facing errors shared by the CLI and the GUI.

Every failure a user can cause or fix (bad configuration, a database that
cannot be reached, a malformed CSV) is raised as an ``EtsySyncError``.  It
carries a one-line ``message`` written for a shop owner, a short ``title``
for dialogs, and the CLI exit code, so the CLI prints one clear line and the
GUI shows a dialog, and neither ever shows a traceback.
"""

from __future__ import annotations

# CLI exit codes; README.md documents them.
EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_ALREADY_RUNNING = 3
EXIT_NEEDS_USER = 4


class EtsySyncError(Exception):
    """An error whose message is fit to show to the user as it is."""

    title = "EtsySync"
    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class ConfigError(EtsySyncError):
    """The configuration file, an environment variable or a setting is invalid."""

    title = "Configuration problem"


class DatabaseError(EtsySyncError):
    """The database cannot be reached, opened, created or migrated."""

    title = "Database problem"


class DatabaseBusyError(DatabaseError):
    """Another EtsySync holds the database's write lock (upgrading it) beyond the wait."""

    title = "Database busy"
    exit_code = EXIT_ALREADY_RUNNING


class DataDirError(EtsySyncError):
    """A folder EtsySync needs (data, config, logs) cannot be created or written."""

    title = "Folder not writable"


class CatalogImportError(EtsySyncError):
    """A catalog CSV file cannot be imported; ``problems`` lists every bad row."""

    title = "Catalog import failed"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class CatalogExportError(EtsySyncError):
    """The catalog cannot be written to the chosen file."""

    title = "Catalog export failed"
