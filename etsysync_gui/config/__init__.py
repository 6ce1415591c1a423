"""EtsySync settings: named profiles in config.toml, overridden by the environment.

The package is split by concern (model, per-key rules, TOML file, store,
environment) so each part stays small; import from here, not the submodules.
Secrets are never part of a profile: the app's shared secret and tokens come
from the keychain or the environment (``EnvSecrets``), never the file.
"""

from __future__ import annotations

from etsysync_gui.config.fields import MIN_INTERVAL_SECONDS, PROFILE_NAME_RE, is_secret_key
from etsysync_gui.config.model import (
    BUILTIN_PROFILES,
    DEFAULT_API_BASE_URL,
    DEFAULT_OAUTH_CONNECT_URL,
    DEFAULT_PROFILE_NAME,
    DEFAULT_REDIRECT_URI,
    PROFILE_KEYS,
    SECRET_ENV_VARS,
    EnvSecrets,
    Profile,
    Settings,
)
from etsysync_gui.config.settings import PROFILE_ENV_VAR, load_settings, masked_view, read_dotenv
from etsysync_gui.config.store import (
    CONFIG_FILE_NAME,
    ConfigStore,
    StoredConfig,
    default_config_path,
)
from etsysync_gui.policies import ConflictPolicy, ZeroStockPolicy

__all__ = [
    "BUILTIN_PROFILES",
    "CONFIG_FILE_NAME",
    "DEFAULT_API_BASE_URL",
    "DEFAULT_OAUTH_CONNECT_URL",
    "DEFAULT_PROFILE_NAME",
    "DEFAULT_REDIRECT_URI",
    "MIN_INTERVAL_SECONDS",
    "PROFILE_ENV_VAR",
    "PROFILE_KEYS",
    "PROFILE_NAME_RE",
    "SECRET_ENV_VARS",
    "ConfigStore",
    "ConflictPolicy",
    "EnvSecrets",
    "Profile",
    "Settings",
    "StoredConfig",
    "ZeroStockPolicy",
    "default_config_path",
    "is_secret_key",
    "load_settings",
    "masked_view",
    "read_dotenv",
]
