"""What the dashboard shows about the shop: sync state, the last runs, a few counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, EtsySyncConfig, SyncRun
from etsysync_gui.sync.runs.records import RunCounts, RunKind

# Pool statuses the dashboard counts and the inventory view flags.
ATTENTION_STATUSES = ("conflict", "error", "clamped", "unlinked", "relink", "check")


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One ``sync_runs`` row."""

    id: int
    kind: RunKind
    trigger: str
    dry_run: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: RunCounts
    message: str | None


@dataclass(frozen=True, slots=True)
class ShopState:
    """The shop's ``etsy_sync_config`` row."""

    sync_status: str
    sync_error: str | None
    last_listing_sync: datetime | None
    last_inventory_sync: datetime | None
    rate_limit_remaining: int | None
    rate_limit_reset_at: datetime | None


@dataclass(frozen=True, slots=True)
class DashboardData:
    shop: ShopState | None
    last_listing_run: RunSummary | None
    last_inventory_run: RunSummary | None
    listings: int
    linked_listings: int
    attention_pools: int


def run_summary(row: SyncRun) -> RunSummary:
    return RunSummary(
        id=row.id,
        kind=RunKind(row.kind),
        trigger=row.trigger,
        dry_run=row.dry_run,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        counts=RunCounts.of_row(row),
        message=row.message,
    )


def _last_run(session: Session, shop_id: int, kinds: tuple[RunKind, ...]) -> RunSummary | None:
    stored = [kind.value for kind in kinds]
    row = session.scalar(
        select(SyncRun)
        .where(SyncRun.shop_id == shop_id, SyncRun.kind.in_(stored), SyncRun.dry_run.is_(False))
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(1)
    )
    return run_summary(row) if row is not None else None


def load_dashboard(database: Database, shop_id: int) -> DashboardData:
    with database.session() as session:
        config = session.scalar(select(EtsySyncConfig).where(EtsySyncConfig.shop_id == shop_id))
        shop = (
            ShopState(
                config.sync_status,
                config.sync_error,
                config.last_product_sync,
                config.last_inventory_sync,
                config.rate_limit_remaining,
                config.rate_limit_reset_at,
            )
            if config is not None
            else None
        )
        listings = session.scalar(
            select(func.count()).select_from(EtsyProduct).where(EtsyProduct.shop_id == shop_id)
        )
        linked = session.scalar(
            select(func.count())
            .select_from(EtsyProduct)
            .where(EtsyProduct.shop_id == shop_id, EtsyProduct.local_product_id.is_not(None))
        )
        attention = session.scalar(
            select(func.count())
            .select_from(EtsyStockPool)
            .join(EtsyProduct, EtsyProduct.etsy_listing_id == EtsyStockPool.etsy_listing_id)
            .where(
                EtsyProduct.shop_id == shop_id,
                EtsyProduct.missing_since.is_(None),
                EtsyStockPool.status.in_(ATTENTION_STATUSES),
            )
        )
        return DashboardData(
            shop=shop,
            last_listing_run=_last_run(session, shop_id, (RunKind.LISTINGS, RunKind.ALL)),
            last_inventory_run=_last_run(session, shop_id, (RunKind.INVENTORY, RunKind.ALL)),
            listings=listings or 0,
            linked_listings=linked or 0,
            attention_pools=attention or 0,
        )


def count_listings(database: Database, shop_id: int) -> int:
    """The shop's listings still on Etsy: what sizes the automatic stock interval."""
    with database.session() as session:
        found = session.scalar(
            select(func.count())
            .select_from(EtsyProduct)
            .where(EtsyProduct.shop_id == shop_id, EtsyProduct.missing_since.is_(None))
        )
    return found or 0
