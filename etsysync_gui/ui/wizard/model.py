"""What the setup wizard collects and what it ends with: plain data, no Qt.

Why a model apart from the pages: the pages present and command; the choices
they gather (profile, shop, database, sync settings) and the words of the
summary live here, so they can be tested without a window and so the finish
step writes exactly what the summary showed.

Secrets are not in the model: the shared secret goes from the keys page
straight to the keychain (``steps.check_and_save_keys``), and the connect
step reads it back from there.  ``keystring`` is not secret (Etsy shows it in
the consent URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from etsysync_gui.config import Settings
from etsysync_gui.db.urls import mask_url_text
from etsysync_gui.policies import ConflictPolicy, WriteMode, ZeroStockPolicy
from etsysync_gui.scheduling.interval_budget import suggest_inventory_interval

NEW_PROFILE = ""
"""The profile choice that means "a new profile, named below"."""


class PageId(IntEnum):
    """QWizard page ids, in the order the pages come."""

    PROFILE = 0
    KEYS = 1
    CONNECT = 2
    SHOP = 3
    DATABASE = 4
    SYNC = 5
    FINISH = 6


class Mode(StrEnum):
    SETUP = "setup"
    """Every page, from the profile to the summary (first start)."""
    RECONNECT = "reconnect"
    """Connect and shop only, for a profile whose app keys are already stored."""


class OutcomeKind(StrEnum):
    CONNECTED = "connected"
    DEMO = "demo"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class WizardOutcome:
    """How the wizard ended: a connected profile, "show me the demo", or cancelled."""

    kind: OutcomeKind
    profile: str | None = None
    run_first_sync: bool = False

    @property
    def connected(self) -> bool:
        return self.kind is OutcomeKind.CONNECTED

    @property
    def demo_requested(self) -> bool:
        return self.kind is OutcomeKind.DEMO

    @property
    def cancelled(self) -> bool:
        return self.kind is OutcomeKind.CANCELLED


CANCELLED = WizardOutcome(OutcomeKind.CANCELLED)
DEMO = WizardOutcome(OutcomeKind.DEMO)


@dataclass(frozen=True)
class ShopSummary:
    """The shop the seller is asked to confirm (getMe + getShop)."""

    shop_id: int
    shop_name: str
    currency_code: str
    listing_count: int
    user_id: int
    url: str = ""


@dataclass(frozen=True)
class SyncChoices:
    """The sync settings page; intervals in seconds, as the profile keeps them."""

    enabled: bool = True
    listings_interval: int = 7200
    inventory_interval: int = 3600
    conflict_policy: ConflictPolicy = ConflictPolicy.MERGE
    zero_stock_policy: ZeroStockPolicy = ZeroStockPolicy.DEACTIVATE
    write_mode: WriteMode = WriteMode.AUTOPILOT
    keep_in_tray: bool = True
    """Closing the window keeps syncing from the tray (this computer's choice)."""
    start_at_login: bool = False
    """Start EtsySync in the tray when the seller logs in."""

    @classmethod
    def from_settings(cls, settings: Settings) -> SyncChoices:
        profile = settings.profile
        return cls(
            enabled=profile.sync_enabled,
            listings_interval=profile.product_sync_interval,
            inventory_interval=profile.inventory_sync_interval,
            conflict_policy=profile.conflict_policy,
            zero_stock_policy=profile.zero_stock_policy,
            write_mode=profile.write_mode,
        )


CONFLICT_LABELS: dict[ConflictPolicy, str] = {
    ConflictPolicy.MERGE: "Merge: keep both sides' changes where they do not clash",
    ConflictPolicy.LOCAL_WINS: "My catalog wins",
    ConflictPolicy.ETSY_WINS: "Etsy wins",
    ConflictPolicy.SKIP: "Skip the listing and tell me",
}
ZERO_STOCK_LABELS: dict[ZeroStockPolicy, str] = {
    ZeroStockPolicy.DEACTIVATE: "Deactivate the listing on Etsy",
    ZeroStockPolicy.LEAVE: "Leave the listing as it is",
}
WRITE_MODE_LABELS: dict[WriteMode, str] = {
    WriteMode.AUTOPILOT: "Autopilot: background syncs write to Etsy without asking",
    WriteMode.DRAFTS: "Drafts: background syncs prepare a plan and wait for me",
}


def duration(seconds: int) -> str:
    """``7200`` → ``2 h``, ``5400`` → ``1 h 30 min``, ``600`` → ``10 min``."""
    hours, rest = divmod(seconds // 60, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def _flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class WizardModel:
    """What the pages have gathered so far (the GUI thread's; workers get copies)."""

    settings: Settings
    """The chosen profile's settings (reloaded when the profile changes)."""
    keystring: str | None = None
    redirect_uri: str | None = None
    shop: ShopSummary | None = None
    database_url: str | None = None
    """``None``: the profile's default SQLite file."""
    sync: SyncChoices = field(default_factory=SyncChoices)
    run_first_sync: bool = True
    credentials_file: bool = False
    """The seller chose the unencrypted credentials file (no keychain)."""

    @property
    def profile_name(self) -> str:
        return self.settings.profile.name

    def suggested_inventory_interval(self) -> int | None:
        """The stock interval sized for the shop, while the profile has not set one.

        ``None`` once the seller set an interval (in the file or the environment):
        that choice is never overridden.
        """
        if self.shop is None or self.settings.sources.get("inventory_sync_interval") not in (
            None,
            "default",
        ):
            return None
        return suggest_inventory_interval(self.shop.listing_count).interval_s

    def database_label(self) -> str:
        if self.database_url:
            return f"PostgreSQL: {mask_url_text(self.database_url)}"
        return f"SQLite file {self.settings.profile.default_database_path()}"

    def config_changes(self) -> dict[str, str]:
        """``key → text`` for ``ConfigStore.set_value``: only what differs from the profile,
        so keys the file does not set keep following the defaults.  The shop and the
        redirect URI are written when connecting; secrets never appear here."""
        sync, profile = self.sync, self.settings.profile
        wanted = {
            "database_url": (self.database_url or "", profile.database_url or ""),
            "sync_enabled": (_flag(sync.enabled), _flag(profile.sync_enabled)),
            "product_sync_interval": (
                str(sync.listings_interval),
                str(profile.product_sync_interval),
            ),
            "inventory_sync_interval": (
                str(sync.inventory_interval),
                str(profile.inventory_sync_interval),
            ),
            "conflict_policy": (sync.conflict_policy.value, profile.conflict_policy.value),
            "zero_stock_policy": (sync.zero_stock_policy.value, profile.zero_stock_policy.value),
            "write_mode": (sync.write_mode.value, profile.write_mode.value),
        }
        if self.suggested_inventory_interval() == sync.inventory_interval:
            del wanted["inventory_sync_interval"]  # keeps following the shop's size
        return {key: new for key, (new, old) in wanted.items() if new != old}

    def summary_lines(self) -> list[str]:
        sync, shop = self.sync, self.shop
        lines = [f"Profile: {self.profile_name}"]
        if shop is not None:
            lines.append(
                f"Etsy shop: {shop.shop_name} (id {shop.shop_id}), {shop.currency_code}, "
                f"{shop.listing_count} active listings"
            )
        lines.append(f"Database: {self.database_label()}")
        if sync.enabled:
            lines.append(
                f"Background sync: listings every {duration(sync.listings_interval)}, "
                f"inventory every {duration(sync.inventory_interval)}"
            )
        else:
            lines.append("Background sync: off (sync by hand from the main window)")
        if sync.enabled and sync.keep_in_tray:
            lines.append("Closing the window keeps syncing from the tray")
        if sync.start_at_login:
            lines.append("EtsySync starts in the tray when you log in")
        lines.append(f"When both sides changed: {CONFLICT_LABELS[sync.conflict_policy]}")
        lines.append(f"When stock reaches zero: {ZERO_STOCK_LABELS[sync.zero_stock_policy]}")
        lines.append(f"Background writes: {WRITE_MODE_LABELS[sync.write_mode]}")
        where = (
            "an unencrypted file (you chose it: no keychain)"
            if self.credentials_file
            else "the system keychain"
        )
        lines.append(f"Etsy credentials: in {where}")
        return lines
