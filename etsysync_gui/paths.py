"""Where EtsySync keeps its files, and where it finds the files it ships.

Data, configuration and logs live in the platform's per-user folders
(platformdirs).  ``ETSYSYNC_HOME`` puts all three under one folder instead:
tests use it, and so can a portable install or a second, throwaway setup.

Migrations and resources sit at the top of the repository in a checkout and
inside the package in an installed wheel (see pyproject.toml); the locators
below look in both places so a developer checkout and an installed app
behave the same.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from etsysync_gui import APP_ID

_PACKAGE_DIR = Path(__file__).resolve().parent
_HOME_ENV = "ETSYSYNC_HOME"


def _override() -> Path | None:
    value = os.environ.get(_HOME_ENV)
    return Path(value).expanduser() if value else None


def user_data_dir() -> Path:
    """Folder for SQLite databases and backups made before migrations."""
    home = _override()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def user_config_dir() -> Path:
    """Folder for the configuration file (profiles; never secrets)."""
    home = _override()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_ID, appauthor=False))


def user_log_dir() -> Path:
    """Folder for the rotating log file."""
    home = _override()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def _shipped_dir(name: str) -> Path:
    installed = _PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def migrations_dir() -> Path:
    """The Alembic script directory (``migrations/``)."""
    return _shipped_dir("migrations")


def docs_dir() -> Path:
    """The user guide (``docs/``), for the Help menu; it may be absent from a build."""
    return _shipped_dir("docs")


def resources_dir() -> Path:
    """Icons, desktop metadata and other files the app ships (``resources/``)."""
    return _shipped_dir("resources")
