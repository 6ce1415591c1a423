"""The settings a sync run needs, taken once from the profile.

Why a separate frozen value: the engine must not read the live configuration
half-way through a run (the GUI may change it meanwhile), and tests build these
directly without any configuration file.  The policies are the very values
``config`` read (``etsysync_gui.policies``), so nothing is converted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from etsysync_gui.config import Settings
from etsysync_gui.errors import ConfigError
from etsysync_gui.policies import ConflictPolicy, ZeroStockPolicy
from etsysync_gui.sync.inventory.hold import HoldRules

DEFAULT_LEASE_TTL_S = 120.0
DEFAULT_LOG_RETENTION_DAYS = 90
DEFAULT_WRITES_IN_FLIGHT = 12


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """What a run of one shop is allowed and asked to do.

    ``lease_ttl_s``: how long a lease lasts without renewal; a sync whose
    process died is taken over after this.  ``sync_enabled``: the profile's
    switch (the scheduler asks ``SyncService.is_enabled``).  ``hold``: when a
    scheduled plan waits for the seller (``sync.inventory.hold``).
    ``writes_in_flight``: how many listings' Etsy writes may be in flight at
    once (``sync.inventory.inflight``, which says why 12); 1 writes one listing
    at a time.  Not a profile setting: the pace is Etsy's rate limit, shared by
    every run, so the app, the CLI and the scheduler all use the default.
    """

    shop_id: int
    conflict_policy: ConflictPolicy = ConflictPolicy.MERGE
    zero_stock_policy: ZeroStockPolicy = ZeroStockPolicy.DEACTIVATE
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    lease_ttl_s: float = DEFAULT_LEASE_TTL_S
    sync_enabled: bool = True
    hold: HoldRules = field(default_factory=HoldRules)
    writes_in_flight: int = DEFAULT_WRITES_IN_FLIGHT

    def __post_init__(self) -> None:
        if self.zero_stock_policy not in tuple(ZeroStockPolicy):
            raise ValueError(f"unknown zero-stock policy {self.zero_stock_policy!r}")
        if self.log_retention_days < 1:
            raise ValueError("log_retention_days must be at least 1")
        if self.lease_ttl_s <= 0:
            raise ValueError("lease_ttl_s must be positive")
        if self.writes_in_flight < 1:
            raise ValueError("writes_in_flight must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings, *, policy: str | None = None) -> SyncOptions:
        """Options for the active profile; ``policy`` overrides its conflict policy.

        Raises ``ConfigError`` when no shop is configured.
        """
        profile = settings.profile
        if profile.shop_id is None:
            raise ConfigError(
                f"Profile {profile.name} has no shop: connect it with 'etsysync auth login' "
                "(or the app's setup wizard), or set it with 'etsysync config set shop_id N' "
                "or ETSY_SHOP_ID."
            )
        return cls(
            shop_id=profile.shop_id,
            conflict_policy=ConflictPolicy(policy) if policy else profile.conflict_policy,
            zero_stock_policy=profile.zero_stock_policy,
            log_retention_days=profile.log_retention_days,
            sync_enabled=profile.sync_enabled,
            hold=HoldRules(
                profile.write_mode, profile.review_drop_percent, profile.review_max_listings
            ),
        )

    def with_policy(self, policy: ConflictPolicy | str | None) -> SyncOptions:
        """These options with another conflict policy (``None`` keeps this one)."""
        if policy is None:
            return self
        return replace(self, conflict_policy=ConflictPolicy(policy))
