"""The database schema, as typed SQLAlchemy 2 models.

Table and column names follow the original Etsy integration guide
(``etsy_sync_config``, ``etsy_products``, ``etsy_inventory_sync_log``) so its
troubleshooting SQL keeps working.  Status columns are strings guarded by
CHECK constraints rather than native enums: adding a value later is a
one-line migration on both SQLite and PostgreSQL.

Every schema change is an Alembic revision in ``migrations/versions``; a test
compares these models with the migrated schema so the two never drift.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Re-exported: ``from etsysync_gui.db.models import Base`` also registers every model
# in ``Base.metadata`` (what Alembic and the schema test compare).
from etsysync_gui.db.base import Base as Base
from etsysync_gui.db.types import BigIntId, UTCDateTime, utcnow

SYNC_CONFIG_STATUSES = ("idle", "in_progress", "error", "completed")
LISTING_SYNC_STATUSES = ("pending", "synced", "error")
SYNC_ACTIONS = (
    "push_to_etsy",
    "pull_from_etsy",
    "no_change",
    "merge",
    "catalog_import",
    "catalog_edit",
)
CATALOG_ACTIONS = ("catalog_import", "catalog_edit")
"""Log rows the seller's own catalog changes write (no Etsy listing needed)."""
SYNC_RESULTS = ("success", "error", "skipped")

Money = Numeric(12, 2)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


class Product(Base):
    """A product in the seller's own catalog; its stock lives in its variants."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", passive_deletes=True
    )


class ProductVariant(Base):
    """One sellable variant (size, colour...) with its own stock count."""

    __tablename__ = "product_variants"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    # NULLs are distinct in a UNIQUE index on both databases: unique when present.
    sku: Mapped[str | None] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    price: Mapped[Decimal | None] = mapped_column(Money)
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    product: Mapped[Product] = relationship(back_populates="variants")


class EtsySyncConfig(Base):
    """Per-shop sync state, including the cross-process sync lease."""

    __tablename__ = "etsy_sync_config"
    __table_args__ = (
        CheckConstraint(_one_of("sync_status", SYNC_CONFIG_STATUSES), name="sync_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    last_product_sync: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_inventory_sync: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_status: Mapped[str] = mapped_column(String(20), default="idle")
    sync_error: Mapped[str | None] = mapped_column(Text)
    rate_limit_remaining: Mapped[int | None] = mapped_column(Integer)
    rate_limit_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The single-flight lease: whoever holds an unexpired lease may sync this shop.
    lease_holder: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the next incremental receipts read starts (epoch seconds; see sync.ledger).
    receipts_read_until: Mapped[int | None] = mapped_column(BigInteger)
    # When a CSV import last changed the catalog; cleared by the first sync applied after it.
    catalog_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EtsyProduct(Base):
    """A listing as last read from Etsy, and the local product it is linked to."""

    __tablename__ = "etsy_products"
    __table_args__ = (
        CheckConstraint(_one_of("sync_status", LISTING_SYNC_STATUSES), name="sync_status"),
        Index("ix_etsy_products_state", "state"),
        Index("ix_etsy_products_sync_status", "sync_status"),
        Index("ix_etsy_products_shop_id", "shop_id"),
        Index("ix_etsy_products_sku", "sku"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    etsy_listing_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    shop_id: Mapped[int] = mapped_column(BigInteger)
    local_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Money)
    quantity: Mapped[int | None] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(String(1000))
    sync_status: Mapped[str] = mapped_column(String(20), default="pending")
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    etsy_last_modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    has_variations: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set when a listing sync no longer finds the listing on Etsy; history is kept.
    missing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the listing is not (fully) linked: no_sku, duplicate_sku, no_match, ambiguous.
    link_problem: Mapped[str | None] = mapped_column(String(40))
    # Digest of the fields EtsySync read from the listing when it was last stored
    # (``etsy.reads.records``); a repeat sync skips a listing read with the same digest.
    etsy_digest: Mapped[int | None] = mapped_column(BigInteger)
    # The zero-stock policy set this listing inactive; reactivate when stock returns.
    deactivated_by_etsysync: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # Offerings EtsySync disabled at quantity 0 (entries from sync.inventory_edit).
    disabled_by_us: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # Write-ahead record of an inventory write in flight (see sync.recovery).
    pending_write: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sync_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EtsyListingPage(Base):
    """A page of listings Etsy sent before, as the reader made it out (``etsy.reads.page_memo``).

    ``page_key`` is a hash of the page's body; ``records`` its ``count`` and each
    listing's id, state time and digest.  Pure functions of the body, so never
    stale; a complete read forgets the pages Etsy no longer sends.
    """

    __tablename__ = "etsy_listing_pages"

    shop_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    page_key: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    records: Mapped[bytes] = mapped_column(LargeBinary)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EtsyStockPool(Base):
    """One stock pool of a listing, its link to a local variant and the agreed bases.

    Keyed by listing id + a pool key built from SKUs or property names, never by
    Etsy's product or offering ids, which change on every inventory write.
    """

    __tablename__ = "etsy_stock_pools"
    __table_args__ = (
        UniqueConstraint("etsy_listing_id", "pool_key"),
        CheckConstraint(_one_of("first_truth", ("etsy", "local")), name="first_truth"),
        Index("ix_etsy_stock_pools_sku", "sku"),
        Index("ix_etsy_stock_pools_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    etsy_listing_id: Mapped[int] = mapped_column(
        ForeignKey("etsy_products.etsy_listing_id", ondelete="CASCADE")
    )
    pool_key: Mapped[str] = mapped_column(String(500))
    label: Mapped[str] = mapped_column(String(500), default="")
    sku: Mapped[str | None] = mapped_column(String(255))
    local_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL"), index=True
    )
    # 'sku' (linked automatically) or 'manual' (the user linked it).
    link_source: Mapped[str | None] = mapped_column(String(10))
    first_truth: Mapped[str] = mapped_column(String(10), default="etsy")
    base_local: Mapped[int | None] = mapped_column(Integer)
    base_etsy: Mapped[int | None] = mapped_column(Integer)
    etsy_quantity: Mapped[int | None] = mapped_column(Integer)
    etsy_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    price: Mapped[Decimal | None] = mapped_column(Money)
    # ok, conflict, error, clamped, unlinked, sold_out_left, relink (variation gone on Etsy),
    # check (a sale the ledger could not place: the seller checks the count)
    status: Mapped[str] = mapped_column(String(20), default="unlinked")
    message: Mapped[str | None] = mapped_column(Text)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


SYNC_RUN_KINDS = ("products", "inventory", "all")
SYNC_RUN_TRIGGERS = ("manual", "scheduled", "cli")
SYNC_RUN_STATUSES = ("running", "completed", "completed_with_errors", "failed", "cancelled")


class SyncRun(Base):
    """One run of a sync: what started it, how it ended, what it did and cost."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint(_one_of("kind", SYNC_RUN_KINDS), name="kind"),
        CheckConstraint(_one_of("trigger", SYNC_RUN_TRIGGERS), name="trigger"),
        CheckConstraint(_one_of("status", SYNC_RUN_STATUSES), name="status"),
        Index("ix_sync_runs_started_at", "started_at"),
        Index("ix_sync_runs_shop_started", "shop_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(30), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    listings: Mapped[int] = mapped_column(Integer, default=0)
    pushes: Mapped[int] = mapped_column(Integer, default=0)
    pulls: Mapped[int] = mapped_column(Integer, default=0)
    merges: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    api_calls: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    # Write requests Etsy accepted (inventory PUTs and listing state changes).
    etsy_writes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EtsyInventorySyncLog(Base):
    """The audit log: one row per stock decision a sync made, and what came of it."""

    __tablename__ = "etsy_inventory_sync_log"
    __table_args__ = (
        CheckConstraint(_one_of("sync_action", SYNC_ACTIONS), name="sync_action"),
        CheckConstraint(_one_of("sync_result", SYNC_RESULTS), name="sync_result"),
        Index("ix_etsy_inventory_sync_log_synced_at", "synced_at"),
        Index("ix_etsy_inventory_sync_log_listing_time", "etsy_listing_id", "synced_at"),
        Index("ix_etsy_inventory_sync_log_result_time", "sync_result", "synced_at"),
        Index("ix_etsy_inventory_sync_log_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    # None on a catalog import row (``CATALOG_ACTIONS``): it is about no one listing.
    etsy_listing_id: Mapped[int | None] = mapped_column(BigInteger)
    pool_key: Mapped[str | None] = mapped_column(String(500))
    local_variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variants.id", ondelete="SET NULL")
    )
    etsy_quantity: Mapped[int | None] = mapped_column(Integer)
    local_quantity: Mapped[int | None] = mapped_column(Integer)
    quantity_diff: Mapped[int | None] = mapped_column(Integer)
    sync_action: Mapped[str] = mapped_column(String(20))
    sync_result: Mapped[str] = mapped_column(String(20))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message: Mapped[str | None] = mapped_column(Text)


class EtsyWriteSnapshot(Base):
    """What one inventory write was based on: when Etsy was read, and the pools it saw.

    ``read_ts``/``written_ts`` bound (Etsy's clock, epoch seconds) the window in
    which a sale was erased by the write; ``pools`` holds Etsy's quantity per
    pool key and which product ids and SKUs belonged to which pool, so an order
    line from that window finds its pool (see ``sync.ledger.overwrites``).
    """

    __tablename__ = "etsy_write_snapshots"
    __table_args__ = (
        Index("ix_etsy_write_snapshots_listing_time", "etsy_listing_id", "written_ts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger)
    etsy_listing_id: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    read_ts: Mapped[int] = mapped_column(BigInteger)
    written_ts: Mapped[int] = mapped_column(BigInteger)
    pools: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EtsyTransaction(Base):
    """One line of an Etsy order (a ``ShopReceiptTransaction``), stored once.

    ``overwritten_by``: the write whose PUT erased this sale on Etsy; such a sale
    is counted by the next decision of its pool, which sets ``applied_run_id``
    (so it is never counted twice).  ``canceled`` orders are kept, never counted.
    """

    __tablename__ = "etsy_transactions"
    __table_args__ = (
        Index("ix_etsy_transactions_listing_time", "etsy_listing_id", "created_ts"),
        Index("ix_etsy_transactions_shop_time", "shop_id", "created_ts"),
        Index("ix_etsy_transactions_receipt_id", "receipt_id"),
    )

    transaction_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    receipt_id: Mapped[int] = mapped_column(BigInteger)
    shop_id: Mapped[int] = mapped_column(BigInteger)
    etsy_listing_id: Mapped[int | None] = mapped_column(BigInteger)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(255))
    property_values: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    quantity: Mapped[int] = mapped_column(Integer)
    created_ts: Mapped[int] = mapped_column(BigInteger)
    receipt_updated_ts: Mapped[int] = mapped_column(BigInteger)
    canceled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    pool_key: Mapped[str | None] = mapped_column(String(500))
    overwritten_by: Mapped[int | None] = mapped_column(
        ForeignKey("etsy_write_snapshots.id", ondelete="SET NULL")
    )
    applied_run_id: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The run whose receipts read first stored it: known before that run's writes.
    first_seen_run_id: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


SCHEDULED_JOB_RESULTS = ("success", "completed_with_errors", "failed", "cancelled", "skipped")


class ScheduledJob(Base):
    """The scheduler's memory of one job of one profile (see ``etsysync_gui.scheduling.scheduler``).

    The next run is computed from these columns at every start, so a run missed
    while the app was closed is caught up once, and a pause for reconnecting
    survives a restart.  ``calls_per_run`` is the API cost the last run measured.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        UniqueConstraint("profile", "job_id"),
        CheckConstraint(_one_of("last_result", SCHEDULED_JOB_RESULTS), name="last_result"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    interval_s: Mapped[int] = mapped_column(Integer)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(String(30))
    last_message: Mapped[str | None] = mapped_column(Text)
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    calls_per_run: Mapped[int | None] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
