"""What each profile key accepts, checked the same way wherever the value comes from.

A value can arrive typed (from TOML: ``shop_id = 123``) or as text (an
environment variable, ``etsysync config set``).  Both paths end in the same
check, so a rule (intervals of at least a minute, https for Etsy endpoints)
cannot be enforced in one place and forgotten in another.  The checks raise
``InvalidValue`` with the reason only; callers add where the value came from
(file and line, profile and key, or variable name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import ip_address
from typing import Any
from urllib.parse import parse_qs, urlsplit

from etsysync_gui.logging_setup import LOG_LEVELS
from etsysync_gui.policies import ConflictPolicy, WriteMode, ZeroStockPolicy

PROFILE_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 30 * 24 * 3600
MAX_RETENTION_DAYS = 3650

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")
_KEYSTRING_RE = re.compile(r"[A-Za-z0-9_-]{1,128}")

# Keys (normalised: lower case, ``-`` → ``_``) that name secrets.  They are
# refused by ``config set`` and in the file with a message saying where secrets go.
_SECRET_KEYS = frozenset(
    {"secret", "api_secret", "shared_secret", "client_secret", "token", "password"}
    | {"access_token", "refresh_token", "etsy_api_secret", "etsy_access_token"}
    | {"etsy_refresh_token", "etsy_shared_secret"}
)


class InvalidValue(ValueError):
    """A value is wrong; the message says why (not where it came from)."""


def normalize_key(key: str) -> str:
    return key.strip().lower().replace("-", "_")


def is_secret_key(key: str) -> bool:
    key = normalize_key(key)
    return key in _SECRET_KEYS or key.endswith(("_secret", "_token", "password"))


def check_profile_name(name: object) -> str:
    if not isinstance(name, str) or not PROFILE_NAME_RE.fullmatch(name):
        raise InvalidValue(
            f"profile name {name!r} is not valid: use 1 to 40 letters, digits, '-' or '_'"
        )
    return name


@dataclass(frozen=True)
class FieldSpec:
    """How one profile key is parsed from text, type-checked from TOML and validated."""

    key: str
    kind: type
    check: Callable[[Any], Any]
    optional: bool = False
    env_var: str | None = None
    sensitive: bool = False
    """Never echo the value in a message (it may hold a secret by mistake)."""


def _shown(spec: FieldSpec, value: object) -> str:
    return "" if spec.sensitive else f" (got {value!r})"


def _toml_type(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a decimal number", str: "text"}
    names.update({list: "a list", dict: "a table"})
    return names.get(type(value), type(value).__name__)


def from_toml(spec: FieldSpec, value: object) -> Any:
    """Check a value read from TOML: right type, then the key's own rule."""
    if spec.kind is bool and not isinstance(value, bool):
        raise InvalidValue(f"must be true or false, not {_toml_type(value)}")
    if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise InvalidValue(f"must be a whole number, not {_toml_type(value)}")
    if spec.kind is str and not isinstance(value, str):
        raise InvalidValue(f"must be quoted text, not {_toml_type(value)}")
    return spec.check(value)


def from_text(spec: FieldSpec, text: str) -> Any:
    """Parse and check a value given as text; empty text clears an optional key (None)."""
    raw = text.strip()
    if not raw:
        if spec.optional:
            return None
        raise InvalidValue("must not be empty")
    value: Any = raw
    if spec.kind is bool:
        if raw.lower() not in _TRUE + _FALSE:
            raise InvalidValue(f"must be true/false, 1/0 or yes/no{_shown(spec, text)}")
        value = raw.lower() in _TRUE
    elif spec.kind is int:
        if not raw.isascii() or not raw.isdigit():
            raise InvalidValue(f"must be a whole number{_shown(spec, text)}")
        value = int(raw)
    return spec.check(value)


def to_toml(value: object) -> object:
    """A checked value as it is written to TOML (enums as their text)."""
    return value.value if isinstance(value, StrEnum) else value


def _int_range(low: int, high: int, unit: str) -> Callable[[Any], Any]:
    def check(value: int) -> int:
        if value < low:
            raise InvalidValue(f"must be at least {low}{unit} (got {value})")
        if value > high:
            raise InvalidValue(f"must be at most {high}{unit} (got {value})")
        return value

    return check


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _url(*, https_only: bool, base: bool = False) -> Callable[[Any], Any]:
    """An http(s) URL with a host; ``https_only`` allows plain http for loopback only."""

    def check(value: str) -> str:
        value = value.strip()
        example = "like https://openapi.etsy.com/v3"
        if not value or any(ch.isspace() for ch in value):
            raise InvalidValue(f"must be a URL {example} (got {value!r})")
        parts = urlsplit(value)
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            raise InvalidValue(f"has an invalid port (got {value!r})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidValue(f"must be an http(s) URL {example} (got {value!r})")
        if parts.username is not None or parts.password is not None:
            raise InvalidValue("must not contain a user name or password")
        if https_only and parts.scheme != "https" and not _is_loopback(parts.hostname):
            raise InvalidValue(
                f"must use https (plain http is allowed only for localhost) (got {value!r})"
            )
        if base:
            if parts.query or parts.fragment:
                raise InvalidValue(f"must not have a query or fragment (got {value!r})")
            return value.rstrip("/")
        return value

    return check


def _choice(enum: type[StrEnum]) -> Callable[[Any], Any]:
    def check(value: str) -> StrEnum:
        try:
            return enum(value.strip().lower())
        except ValueError:
            choices = ", ".join(member.value for member in enum)
            raise InvalidValue(f"must be one of {choices} (got {value!r})") from None

    return check


def _log_level(value: str) -> str:
    name = value.strip().upper()
    if name not in LOG_LEVELS:
        choices = ", ".join(level.lower() for level in LOG_LEVELS)
        raise InvalidValue(f"must be one of {choices} (got {value!r})")
    return name


def _keystring(value: str) -> str:
    value = value.strip()
    if ":" in value:
        raise InvalidValue(
            "must be the keystring alone; it looks like 'keystring:shared_secret', "
            "and the shared secret belongs in ETSY_API_SECRET or the keychain"
        )
    if not _KEYSTRING_RE.fullmatch(value):
        raise InvalidValue("must be the app keystring from your Etsy developer account")
    return value


def _database_url(value: str) -> str:
    """Checked by the database layer's parser, so the CLI, GUI and config agree on messages."""
    from etsysync_gui.db.urls import parse_database_url
    from etsysync_gui.errors import ConfigError

    value = value.strip()
    try:
        parse_database_url(value)
    except ConfigError as error:
        raise InvalidValue(f"is not usable: {error.message.rstrip('.')}") from None
    return value


def _redirect_uri(value: str) -> str:
    """Checked by the OAuth listener's own parser, so a URL login cannot use is refused now.

    Found at ``config set`` (or in the wizard) the fix is one command away; found
    at login, after the browser has opened, it looks like Etsy failed.
    """
    from etsysync_gui.etsy.oauth.listener import parse_redirect_uri
    from etsysync_gui.etsy.oauth.pages import RedirectUriError

    value = value.strip()
    try:
        parse_redirect_uri(value)
    except RedirectUriError as error:
        raise InvalidValue(f"is not usable: {str(error).rstrip('.')}") from None
    return value


def database_url_has_password(url: str) -> bool:
    """True when a database URL carries a password (in the user info or the query)."""
    try:
        parts = urlsplit(url)
        if parts.password:
            return True
    except ValueError:
        return "@" in url
    return "password" in {key.lower() for key in parse_qs(parts.query)}


_SPECS = (
    FieldSpec("shop_id", int, _int_range(1, 2**63 - 1, ""), optional=True, env_var="ETSY_SHOP_ID"),
    FieldSpec(
        "database_url",
        str,
        _database_url,
        optional=True,
        env_var="ETSYSYNC_DATABASE_URL",
        sensitive=True,
    ),
    FieldSpec("api_base_url", str, _url(https_only=True, base=True), env_var="ETSY_API_BASE_URL"),
    FieldSpec(
        "oauth_token_url",
        str,
        _url(https_only=True),
        optional=True,
        env_var="ETSY_OAUTH_TOKEN_URL",
    ),
    FieldSpec("oauth_connect_url", str, _url(https_only=True), env_var="ETSY_OAUTH_CONNECT_URL"),
    FieldSpec("redirect_uri", str, _redirect_uri),
    FieldSpec("sync_enabled", bool, lambda value: value, env_var="ETSY_SYNC_ENABLED"),
    FieldSpec(
        "product_sync_interval",
        int,
        _int_range(MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS, " seconds"),
        env_var="ETSY_SYNC_INTERVAL_PRODUCTS",
    ),
    FieldSpec(
        "inventory_sync_interval",
        int,
        _int_range(MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS, " seconds"),
        env_var="ETSY_SYNC_INTERVAL_INVENTORY",
    ),
    FieldSpec("log_level", str, _log_level, env_var="LOG_LEVEL"),
    FieldSpec("conflict_policy", str, _choice(ConflictPolicy)),
    FieldSpec("zero_stock_policy", str, _choice(ZeroStockPolicy)),
    FieldSpec("log_retention_days", int, _int_range(1, MAX_RETENTION_DAYS, " days")),
    FieldSpec("write_mode", str, _choice(WriteMode)),
    FieldSpec("review_drop_percent", int, _int_range(1, 100, " percent")),
    FieldSpec("review_max_listings", int, _int_range(1, 1_000_000, " listings")),
    FieldSpec("keystring", str, _keystring, optional=True, env_var="ETSY_API_KEY", sensitive=True),
    FieldSpec("credentials_file", bool, lambda value: value),
)
FIELD_SPECS: dict[str, FieldSpec] = {spec.key: spec for spec in _SPECS}
