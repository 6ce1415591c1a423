"""Turning what the user typed into a database URL we can trust.

Users paste URLs from their hosting panel (``postgres://``, ``postgresql://``)
or type a path; we accept those, pin PostgreSQL to the psycopg 3 driver we
ship, and refuse anything else with a message that says what is accepted.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from etsysync_gui.errors import ConfigError
from etsysync_gui.paths import user_data_dir

_ACCEPTED = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


def default_sqlite_url(profile: str) -> str:
    """The default database: ``<user data dir>/<profile>.db``."""
    return f"sqlite:///{user_data_dir() / f'{profile}.db'}"


def parse_database_url(raw: str) -> URL:
    """Validate and normalise a database URL, or raise ConfigError saying why."""
    text = raw.strip()
    if not text:
        raise ConfigError(f"The database URL is empty. Use {_ACCEPTED}.")
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigError(
            f"The database URL {mask_url_text(text)!r} is not a valid URL. Use {_ACCEPTED}."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
        if not url.host and not url.query.get("host"):
            raise ConfigError(
                f"The PostgreSQL URL {mask_url(url)!r} names no host. Use {_ACCEPTED}."
            )
        if not url.database:
            raise ConfigError(
                f"The PostgreSQL URL {mask_url(url)!r} names no database. Use {_ACCEPTED}."
            )
        return url
    if backend == "sqlite":
        if url.drivername != "sqlite":
            url = url.set(drivername="sqlite")
        if not url.database or url.database == ":memory:":
            # An in-memory database would silently forget the shop at exit.
            raise ConfigError(f"The SQLite URL needs a file path. Use {_ACCEPTED}.")
        return url
    raise ConfigError(
        f"Unsupported database {url.drivername!r} in {mask_url(url)!r}. Use {_ACCEPTED}."
    )


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for other databases."""
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return Path(url.database).expanduser()


def mask_url(url: URL) -> str:
    """The URL as text with any password hidden, for messages and logs."""
    return url.render_as_string(hide_password=True)


def mask_url_text(text: str) -> str:
    """Hide a password in URL-like text that could not be parsed."""
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return text
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else text
