"""The settings a run uses: the chosen profile from the file, overridden by the environment.

Precedence, lowest first: built-in defaults, config.toml, ``.env`` in the
working folder, the real environment.  The profile itself is chosen by
``--profile``, then ETSYSYNC_PROFILE, then ``default_profile`` in the file,
then ``production``.  Each value remembers its source so ``etsysync config
show`` can explain why a setting is what it is.  Environment secrets are
gathered into ``EnvSecrets`` and never reach the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from etsysync_gui.config.fields import (
    FIELD_SPECS,
    InvalidValue,
    check_profile_name,
    from_text,
)
from etsysync_gui.config.model import (
    DEFAULT_PROFILE_NAME,
    PROFILE_KEYS,
    SECRET_ENV_VARS,
    EnvSecrets,
    Settings,
)
from etsysync_gui.config.store import ConfigStore
from etsysync_gui.errors import ConfigError
from etsysync_gui.redaction import redact

PROFILE_ENV_VAR = "ETSYSYNC_PROFILE"
DOTENV_NAME = ".env"


def read_dotenv(folder: Path) -> dict[str, str]:
    """``folder/.env`` as a dict (empty when absent); os.environ is left untouched.

    Interpolation is off: a ``$`` in a shared secret must stay a ``$``.
    """
    path = folder / DOTENV_NAME
    if not path.is_file():
        return {}
    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}.") from exc
    return {key: value for key, value in values.items() if value is not None}


class _Environment:
    """The real environment over ``.env``; empty values count as unset."""

    def __init__(self, environ: Mapping[str, str], dotenv: Mapping[str, str], dotenv_path: Path):
        self._environ = environ
        self._dotenv = dotenv
        self._dotenv_path = dotenv_path

    def get(self, name: str) -> tuple[str, str] | None:
        """``(value, source)`` with source ``"env"`` or ``".env"``, or None."""
        value = self._environ.get(name)
        if value is not None and value.strip():
            return value, "env"
        value = self._dotenv.get(name)
        if value is not None and value.strip():
            return value, ".env"
        return None

    def describe(self, name: str, source: str) -> str:
        if source == ".env":
            return f"{name} in {self._dotenv_path}"
        return f"Environment variable {name}"


def _choose_profile(
    explicit: str | None, env: _Environment, default_in_file: str | None
) -> tuple[str, str]:
    if explicit is not None:
        candidate, source, what = explicit, "argument", "--profile"
    elif (found := env.get(PROFILE_ENV_VAR)) is not None:
        candidate, source = found[0].strip(), found[1]
        what = env.describe(PROFILE_ENV_VAR, source)
    elif default_in_file is not None:
        return default_in_file, "file"  # validated with the file
    else:
        return DEFAULT_PROFILE_NAME, "default"
    try:
        return check_profile_name(candidate), source
    except InvalidValue as exc:
        raise ConfigError(f"{what}: {exc}.") from None


def load_settings(
    profile: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Load the active profile with environment overrides, and the environment's secrets.

    ``profile`` is the CLI's ``--profile``.  ``environ`` defaults to os.environ
    and ``cwd`` (where ``.env`` is looked for) to the current folder.
    Raises ConfigError naming the file/line/key or the variable at fault.
    """
    folder = cwd if cwd is not None else Path.cwd()
    env = _Environment(
        os.environ if environ is None else environ, read_dotenv(folder), folder / DOTENV_NAME
    )
    store = ConfigStore()
    stored = store.load()
    name, profile_source = _choose_profile(profile, env, stored.default_profile)
    base = stored.profile(name)
    in_file = stored.keys_in_file.get(name, frozenset())
    sources = {"profile": profile_source}
    sources.update({key: "file" if key in in_file else "default" for key in PROFILE_KEYS})

    overrides: dict[str, Any] = {}
    for key in PROFILE_KEYS:
        spec = FIELD_SPECS[key]
        if spec.env_var is None or (found := env.get(spec.env_var)) is None:
            continue
        raw, source = found
        try:
            overrides[key] = from_text(spec, raw)
        except InvalidValue as exc:
            raise ConfigError(f"{env.describe(spec.env_var, source)} {exc}.") from None
        sources[key] = source

    secrets: dict[str, str] = {}
    for var, field_name in SECRET_ENV_VARS.items():
        if (found := env.get(var)) is not None:
            secrets[field_name] = found[0].strip()
            sources[field_name] = found[1]

    return Settings(
        profile=replace(base, **overrides),
        secrets=EnvSecrets(**secrets),
        config_path=store.path,
        sources=sources,
    )


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def masked_view(settings: Settings) -> list[tuple[str, str, str]]:
    """Rows of ``(key, value, source)`` for ``etsysync config show``; secrets never shown.

    Unset optional values show what applies instead (the default database, the
    token URL under the API base URL) or ``not set``; a password in a database
    URL is masked; secrets show only ``set (from env)`` / ``not set``.
    """
    profile = settings.profile
    sources = settings.sources
    rows = [("profile", profile.name, sources.get("profile", "default"))]
    for key in PROFILE_KEYS:
        value = getattr(profile, key)
        source = sources.get(key, "default")
        if key == "database_url":
            shown = redact(profile.effective_database_url())
        elif key == "oauth_token_url":
            shown = profile.effective_oauth_token_url()
        elif value is None:
            shown = "not set"
        else:
            shown = _show(value)
        rows.append((key, shown, source))
    for field_name in SECRET_ENV_VARS.values():
        secret_source = sources.get(field_name, "-")
        if getattr(settings.secrets, field_name):
            rows.append((field_name, f"set (from {secret_source})", secret_source))
        else:
            rows.append((field_name, "not set", "-"))
    return rows
