"""The typed values the rest of the app reads: a profile, the env secrets, the settings.

They are frozen dataclasses so a Settings object handed to the sync engine or
the GUI cannot drift from what was validated; changing a value goes through
``ConfigStore`` (which validates and writes the file) and a fresh load.

Secrets never live in ``Profile`` (it is what gets written to the file); the
ones taken from the environment travel in ``EnvSecrets``, whose repr shows
only whether each is set.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from etsysync_gui.paths import user_data_dir
from etsysync_gui.policies import ConflictPolicy, WriteMode, ZeroStockPolicy
from etsysync_gui.redaction import redact

DEFAULT_PROFILE_NAME = "production"
BUILTIN_PROFILES = ("production", "staging")
"""Profiles that exist (with default values) even when the file does not mention them."""

DEFAULT_API_BASE_URL = "https://openapi.etsy.com/v3"
DEFAULT_OAUTH_CONNECT_URL = "https://www.etsy.com/oauth/connect"
DEFAULT_REDIRECT_URI = "http://localhost:3003/oauth/redirect"
OAUTH_TOKEN_PATH = "/public/oauth/token"


@dataclass(frozen=True)
class Profile:
    """One named set of non-secret settings (``[profiles.NAME]`` in config.toml)."""

    name: str = DEFAULT_PROFILE_NAME
    shop_id: int | None = None
    database_url: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    oauth_token_url: str | None = None
    oauth_connect_url: str = DEFAULT_OAUTH_CONNECT_URL
    redirect_uri: str = DEFAULT_REDIRECT_URI
    sync_enabled: bool = True
    product_sync_interval: int = 7200
    inventory_sync_interval: int = 3600
    log_level: str = "INFO"
    conflict_policy: ConflictPolicy = ConflictPolicy.MERGE
    zero_stock_policy: ZeroStockPolicy = ZeroStockPolicy.DEACTIVATE
    log_retention_days: int = 90
    write_mode: WriteMode = WriteMode.AUTOPILOT
    review_drop_percent: int = 50
    """A scheduled plan that drops any pool's stock by more than this share waits for review."""
    review_max_listings: int = 50
    """A scheduled plan that writes more listings than this waits for review."""
    keystring: str | None = None
    credentials_file: bool = False
    """Keep this profile's secrets in an unencrypted file instead of the system keychain
    (the user's explicit choice when there is no keychain; the wizard warns)."""

    def effective_oauth_token_url(self) -> str:
        """``oauth_token_url``, or the token endpoint under ``api_base_url``."""
        if self.oauth_token_url:
            return self.oauth_token_url
        return self.api_base_url.rstrip("/") + OAUTH_TOKEN_PATH

    def default_database_path(self) -> Path:
        """``<user data dir>/<profile>.db``: the database when ``database_url`` is unset."""
        return user_data_dir() / f"{self.name}.db"

    def effective_database_url(self) -> str:
        """``database_url``, or the default SQLite file of this profile."""
        if self.database_url:
            return self.database_url
        # Same form as etsysync_gui.db.urls.default_sqlite_url.
        return f"sqlite:///{self.default_database_path()}"

    def __repr__(self) -> str:
        # A database URL from the environment may carry a password.
        parts = []
        for item in fields(self):
            value = getattr(self, item.name)
            shown = repr(redact(value)) if item.name == "database_url" and value else repr(value)
            parts.append(f"{item.name}={shown}")
        return f"Profile({', '.join(parts)})"


PROFILE_KEYS: tuple[str, ...] = tuple(item.name for item in fields(Profile) if item.name != "name")
"""The settable keys of a profile, in display order."""

SECRET_ENV_VARS: dict[str, str] = {
    "ETSY_API_SECRET": "api_secret",
    "ETSY_ACCESS_TOKEN": "access_token",
    "ETSY_REFRESH_TOKEN": "refresh_token",
}


@dataclass(frozen=True, repr=False)
class EnvSecrets:
    """Secrets given in the environment (or ``.env``); never written anywhere."""

    api_secret: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None

    def values(self) -> tuple[str, ...]:
        """The secrets that are set, e.g. to hand to ``redaction.register_secret``."""
        return tuple(v for v in (self.api_secret, self.access_token, self.refresh_token) if v)

    def __repr__(self) -> str:
        # Names only, in lists, so the log redaction leaves the line readable.
        names = list(SECRET_ENV_VARS.values())
        present = [name for name in names if getattr(self, name)]
        absent = [name for name in names if not getattr(self, name)]
        return f"EnvSecrets(set={present!r}, not_set={absent!r})"


@dataclass(frozen=True)
class Settings:
    """The active profile with environment overrides applied, and where each value came from.

    ``sources`` maps each profile key (and ``profile`` itself, and each secret
    that is set) to ``"file"``, ``"env"``, ``".env"``, ``"default"`` or, for
    ``profile`` only, ``"argument"``.
    """

    profile: Profile
    secrets: EnvSecrets
    config_path: Path
    sources: dict[str, str]

    def effective_database_url(self) -> str:
        """The profile's database URL, or its default SQLite file."""
        return self.profile.effective_database_url()
