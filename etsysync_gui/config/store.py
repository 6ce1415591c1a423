"""config.toml as a store of named profiles: strict to read, careful to write.

Reading validates everything at once and names the file, line, profile and
key of the first problem, because a typo found at start is cheap and one
found mid-sync is not.  Writing re-reads the file, changes only what was
asked, validates the result and replaces the file atomically, so other
profiles and tables this version does not know survive, and a file we write
is always one we can read back.  Secrets are refused on the way in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etsysync_gui.config.fields import (
    FIELD_SPECS,
    InvalidValue,
    check_profile_name,
    database_url_has_password,
    from_text,
    from_toml,
    is_secret_key,
    normalize_key,
    to_toml,
)
from etsysync_gui.config.model import BUILTIN_PROFILES, PROFILE_KEYS, Profile
from etsysync_gui.config.toml_file import dumps, find_line, read_document, write_private
from etsysync_gui.errors import ConfigError
from etsysync_gui.paths import user_config_dir

log = logging.getLogger(__name__)

CONFIG_FILE_NAME = "config.toml"
FILE_HEADER = """\
EtsySync configuration. EtsySync rewrites this file when settings change (comments are lost).
Secrets (the shared secret, OAuth tokens, database passwords) are never stored here:
they belong in the system keychain or in environment variables."""
SECRETS_HINT = (
    "Sign in from the app to keep tokens in the system keychain, or set ETSY_API_SECRET, "
    "ETSY_ACCESS_TOKEN or ETSY_REFRESH_TOKEN in the environment"
)
_DEFAULTS = Profile()


def default_config_path() -> Path:
    """``<user config dir>/config.toml``."""
    return user_config_dir() / CONFIG_FILE_NAME


@dataclass(frozen=True)
class StoredConfig:
    """What config.toml holds, validated."""

    path: Path
    default_profile: str | None
    profiles: Mapping[str, Profile]
    keys_in_file: Mapping[str, frozenset[str]]
    """For each profile in the file, the keys the file sets (the rest are defaults)."""

    def profile(self, name: str) -> Profile:
        """The named profile; a valid name the file does not define gets the defaults."""
        found = self.profiles.get(name)
        return found if found is not None else Profile(name=name)

    def profile_names(self) -> list[str]:
        return sorted(set(BUILTIN_PROFILES) | set(self.profiles))


def _file_error(
    path: Path, text: str | None, table: tuple[str, ...], key: str | None, message: str
) -> ConfigError:
    line = find_line(text, table, key)
    where = f"{path}, line {line}" if line is not None else str(path)
    return ConfigError(f"Configuration file {where}: {message}.")


def _parse_profile(path: Path, text: str | None, name: str, table: Mapping[str, Any]) -> Profile:
    """One profile table; unknown keys are warned about and ignored, never fatal.

    A key this version does not know was most likely written by a newer
    version of EtsySync sharing the file: refusing the whole file would stop
    an older install from starting at all, so it is skipped (and kept on
    rewrite).  Secrets and database passwords are still refused outright.
    """
    where = ("profiles", name)
    values: dict[str, Any] = {}
    for key, value in table.items():
        spec = FIELD_SPECS.get(key)
        if spec is None:
            if is_secret_key(key):
                message = (
                    f"profile '{name}' holds the secret '{key}', and secrets are never read "
                    f"from this file. Remove it. {SECRETS_HINT}"
                )
                raise _file_error(path, text, where, key, message)
            _warn_unknown_key(path, text, name, key)
            continue
        try:
            values[key] = from_toml(spec, value)
        except InvalidValue as exc:
            raise _file_error(
                path, text, where, key, f"profile '{name}', key '{key}' {exc}"
            ) from None
    url = values.get("database_url")
    if url and database_url_has_password(url):
        raise _file_error(
            path,
            text,
            where,
            "database_url",
            f"profile '{name}' keeps a database password in database_url, and a database "
            "password cannot be stored in this file. Remove it from the URL and give it in "
            "~/.pgpass, PGPASSWORD or ETSYSYNC_DATABASE_URL (see docs/database.md)",
        )
    return Profile(name=name, **values)


def _warn_unknown_key(path: Path, text: str | None, name: str, key: str) -> None:
    line = find_line(text, ("profiles", name), key)
    where = f"{path}, line {line}" if line is not None else str(path)
    message = (
        f"Configuration file {where}: ignoring unknown key '{key}' in profile '{name}' "
        "(written by a newer EtsySync, or a typo)."
    )
    if message not in _WARNED:
        _WARNED.add(message)
        log.warning("%s", message)


_WARNED: set[str] = set()


def parse_document(path: Path, data: Mapping[str, Any], text: str | None) -> StoredConfig:
    """Validate a parsed config.toml; ``text`` (if known) gives line numbers in errors."""
    default = data.get("default_profile")
    if default is not None:
        try:
            check_profile_name(default)
        except InvalidValue as exc:
            raise _file_error(
                path, text, (), "default_profile", f"default_profile: {exc}"
            ) from None
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, Mapping):
        raise _file_error(
            path, text, (), "profiles", "'profiles' must be tables like [profiles.production]"
        )
    profiles: dict[str, Profile] = {}
    keys: dict[str, frozenset[str]] = {}
    for name, table in raw_profiles.items():
        try:
            check_profile_name(name)
        except InvalidValue as exc:
            raise _file_error(path, text, ("profiles", name), None, str(exc)) from None
        if not isinstance(table, Mapping):
            raise _file_error(
                path,
                text,
                ("profiles",),
                name,
                f"profile '{name}' must be a [profiles.{name}] table",
            )
        profiles[name] = _parse_profile(path, text, name, table)
        keys[name] = frozenset(table)
    if default is not None and default not in profiles and default not in BUILTIN_PROFILES:
        raise _file_error(
            path,
            text,
            (),
            "default_profile",
            f"default_profile names '{default}', but there is no [profiles.{default}] table",
        )
    return StoredConfig(path, default, profiles, keys)


def _profiles_table(data: dict[str, Any], path: Path) -> dict[str, Any]:
    profiles = data.setdefault("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"Configuration file {path}: 'profiles' must be [profiles.NAME] tables.")
    return profiles


def _profile_table(data: dict[str, Any], path: Path, name: str) -> dict[str, Any]:
    table = _profiles_table(data, path).setdefault(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"Configuration file {path}: profile '{name}' must be a table.")
    return table


class ConfigStore:
    """Named profiles in one TOML file (default: ``<user config dir>/config.toml``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_config_path()

    def load(self) -> StoredConfig:
        """Read and validate the file (a missing file is an empty configuration)."""
        data, text = read_document(self.path)
        return parse_document(self.path, data, text)

    def profile(self, name: str) -> Profile:
        return self.load().profile(self._check_name(name))

    def profile_names(self) -> list[str]:
        """Profiles in the file plus the built-in ``production`` and ``staging``, sorted."""
        return self.load().profile_names()

    def set_value(self, profile_name: str, key: str, raw_value: str) -> Profile:
        """Validate ``raw_value`` for ``key``, store it in the profile and return the profile.

        Empty text clears an optional key (back to its default).  Secret keys are refused.
        """
        name = self._check_name(profile_name)
        normalized = normalize_key(key)
        if is_secret_key(normalized):
            raise ConfigError(
                f"'{key}' is a secret, and EtsySync never stores secrets in {self.path}. "
                f"{SECRETS_HINT}."
            )
        spec = FIELD_SPECS.get(normalized)
        if spec is None:
            raise ConfigError(
                f"Unknown setting '{key}'. Known settings: {', '.join(PROFILE_KEYS)}."
            )
        try:
            value = from_text(spec, raw_value)
        except InvalidValue as exc:
            raise ConfigError(f"Cannot set {normalized} in profile '{name}': it {exc}.") from None
        self._refuse_database_password(normalized, value)

        def change(data: dict[str, Any]) -> None:
            table = _profile_table(data, self.path, name)
            if value is None:
                table.pop(normalized, None)
            else:
                table[normalized] = to_toml(value)

        return self._update(change).profile(name)

    def clear_value(self, profile_name: str, key: str) -> Profile:
        """Remove ``key`` from the profile's table, so it follows its default again.

        Why apart from ``set_value``: a key that is never empty (an interval)
        cannot be cleared with empty text, yet "back to automatic" is a choice.
        """
        name = self._check_name(profile_name)
        normalized = normalize_key(key)
        if normalized not in FIELD_SPECS:
            raise ConfigError(
                f"Unknown setting '{key}'. Known settings: {', '.join(PROFILE_KEYS)}."
            )

        def change(data: dict[str, Any]) -> None:
            _profile_table(data, self.path, name).pop(normalized, None)

        return self._update(change).profile(name)

    def save_profile(self, profile: Profile) -> None:
        """Write every value of ``profile`` (validated) under its name.

        Keys the file already sets are updated; keys it does not set are added
        only when they differ from the default, so future defaults still apply.
        """
        name = self._check_name(profile.name)
        values: dict[str, object] = {}
        for key in PROFILE_KEYS:
            value = getattr(profile, key)
            if value is not None:
                try:
                    value = from_toml(FIELD_SPECS[key], to_toml(value))
                except InvalidValue as exc:
                    raise ConfigError(f"Cannot save profile '{name}': {key} {exc}.") from None
                self._refuse_database_password(key, value)
            values[key] = value

        def change(data: dict[str, Any]) -> None:
            table = _profile_table(data, self.path, name)
            for key, value in values.items():
                if value is None:
                    table.pop(key, None)
                elif key in table or value != getattr(_DEFAULTS, key):
                    table[key] = to_toml(value)

        self._update(change)

    def delete_profile(self, name: str) -> None:
        """Remove a profile's table (its database is left alone)."""
        self._check_name(name)

        def change(data: dict[str, Any]) -> None:
            profiles = _profiles_table(data, self.path)
            if name not in profiles:
                raise ConfigError(f"There is no profile '{name}' in {self.path}.")
            if data.get("default_profile") == name:
                raise ConfigError(
                    f"Profile '{name}' is the default profile; make another profile the "
                    "default before deleting it."
                )
            del profiles[name]

        self._update(change)

    def set_default_profile(self, name: str) -> None:
        """Make ``name`` the profile used when neither --profile nor ETSYSYNC_PROFILE is given."""
        self._check_name(name)

        def change(data: dict[str, Any]) -> None:
            if name not in BUILTIN_PROFILES and name not in _profiles_table(data, self.path):
                raise ConfigError(
                    f"There is no profile '{name}' in {self.path}; set one of its values first."
                )
            data["default_profile"] = name

        self._update(change)

    def _check_name(self, name: str) -> str:
        try:
            return check_profile_name(name)
        except InvalidValue as exc:
            raise ConfigError(f"The {exc}.") from None

    def _refuse_database_password(self, key: str, value: object) -> None:
        if key == "database_url" and isinstance(value, str) and database_url_has_password(value):
            raise ConfigError(
                f"A database password cannot be stored in {self.path}. Leave it out of the "
                "URL and give it in ETSYSYNC_DATABASE_URL (environment), PGPASSWORD or "
                "PostgreSQL's password file (~/.pgpass)."
            )

    def _update(self, change: Callable[[dict[str, Any]], None]) -> StoredConfig:
        data, text = read_document(self.path)
        change(data)
        if not data.get("profiles"):
            data.pop("profiles", None)
        # Validate what is about to be written: a file we write is one we can read.
        stored = parse_document(self.path, data, text)
        write_private(self.path, dumps(data, FILE_HEADER))
        return stored
