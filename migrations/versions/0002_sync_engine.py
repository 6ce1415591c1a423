"""Sync engine: stock pools with their bases, sync runs, write-ahead records, 'merge' action.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:29:26.081726
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here on purpose: a migration must not change when the app's types do.
TZ_DATETIME = sa.DateTime(timezone=True)
OLD_ACTIONS = "sync_action IN ('push_to_etsy', 'pull_from_etsy', 'no_change')"
NEW_ACTIONS = "sync_action IN ('push_to_etsy', 'pull_from_etsy', 'no_change', 'merge')"


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("started_at", TZ_DATETIME, nullable=False),
        sa.Column("finished_at", TZ_DATETIME, nullable=True),
        sa.Column("listings", sa.Integer(), nullable=False),
        sa.Column("pushes", sa.Integer(), nullable=False),
        sa.Column("pulls", sa.Integer(), nullable=False),
        sa.Column("merges", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('products', 'inventory', 'all')", name=op.f("ck_sync_runs_kind")
        ),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'completed_with_errors', 'failed', 'cancelled')",
            name=op.f("ck_sync_runs_status"),
        ),
        sa.CheckConstraint(
            "trigger IN ('manual', 'scheduled', 'cli')", name=op.f("ck_sync_runs_trigger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_sync_runs_shop_started", ["shop_id", "started_at"], unique=False)
        batch_op.create_index("ix_sync_runs_started_at", ["started_at"], unique=False)

    op.create_table(
        "etsy_stock_pools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("etsy_listing_id", sa.BigInteger(), nullable=False),
        sa.Column("pool_key", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("local_variant_id", sa.Integer(), nullable=True),
        sa.Column("link_source", sa.String(length=10), nullable=True),
        sa.Column("first_truth", sa.String(length=10), nullable=False),
        sa.Column("base_local", sa.Integer(), nullable=True),
        sa.Column("base_etsy", sa.Integer(), nullable=True),
        sa.Column("etsy_quantity", sa.Integer(), nullable=True),
        sa.Column("etsy_enabled", sa.Boolean(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("last_synced_at", TZ_DATETIME, nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(
            "first_truth IN ('etsy', 'local')", name=op.f("ck_etsy_stock_pools_first_truth")
        ),
        sa.ForeignKeyConstraint(
            ["etsy_listing_id"],
            ["etsy_products.etsy_listing_id"],
            name=op.f("fk_etsy_stock_pools_etsy_listing_id_etsy_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["local_variant_id"],
            ["product_variants.id"],
            name=op.f("fk_etsy_stock_pools_local_variant_id_product_variants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etsy_stock_pools")),
        sa.UniqueConstraint(
            "etsy_listing_id", "pool_key", name=op.f("uq_etsy_stock_pools_etsy_listing_id_pool_key")
        ),
    )
    with op.batch_alter_table("etsy_stock_pools", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_etsy_stock_pools_local_variant_id"), ["local_variant_id"], unique=False
        )
        batch_op.create_index("ix_etsy_stock_pools_sku", ["sku"], unique=False)
        batch_op.create_index("ix_etsy_stock_pools_status", ["status"], unique=False)

    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pool_key", sa.String(length=500), nullable=True))
        batch_op.drop_constraint(op.f("ck_etsy_inventory_sync_log_sync_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_etsy_inventory_sync_log_sync_action"), NEW_ACTIONS
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_etsy_inventory_sync_log_run_id_sync_runs"),
            "sync_runs",
            ["run_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("has_variations", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("missing_since", TZ_DATETIME, nullable=True))
        batch_op.add_column(sa.Column("link_problem", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "deactivated_by_etsysync", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("disabled_by_us", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("pending_write", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("sync_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.drop_column("sync_error")
        batch_op.drop_column("pending_write")
        batch_op.drop_column("disabled_by_us")
        batch_op.drop_column("deactivated_by_etsysync")
        batch_op.drop_column("link_problem")
        batch_op.drop_column("missing_since")
        batch_op.drop_column("has_variations")

    # Keep the audit rows: a merge wrote Etsy, the closest older action.
    op.execute(
        "UPDATE etsy_inventory_sync_log SET sync_action = 'push_to_etsy' "
        "WHERE sync_action = 'merge'"
    )
    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_etsy_inventory_sync_log_run_id_sync_runs"), type_="foreignkey"
        )
        batch_op.drop_column("pool_key")
        batch_op.drop_constraint(op.f("ck_etsy_inventory_sync_log_sync_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_etsy_inventory_sync_log_sync_action"), OLD_ACTIONS
        )

    with op.batch_alter_table("etsy_stock_pools", schema=None) as batch_op:
        batch_op.drop_index("ix_etsy_stock_pools_status")
        batch_op.drop_index("ix_etsy_stock_pools_sku")
        batch_op.drop_index(batch_op.f("ix_etsy_stock_pools_local_variant_id"))

    op.drop_table("etsy_stock_pools")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_runs_started_at")
        batch_op.drop_index("ix_sync_runs_shop_started")

    op.drop_table("sync_runs")
