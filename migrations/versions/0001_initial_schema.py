"""Initial schema: the local catalog, Etsy listings, per-shop sync state and the audit log.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 04:11:38.418525
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here on purpose: a migration must not change when the app's types do.
TZ_DATETIME = sa.DateTime(timezone=True)


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etsy_sync_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("last_product_sync", TZ_DATETIME, nullable=True),
        sa.Column("last_inventory_sync", TZ_DATETIME, nullable=True),
        sa.Column("sync_status", sa.String(length=20), nullable=False),
        sa.Column("sync_error", sa.Text(), nullable=True),
        sa.Column("rate_limit_remaining", sa.Integer(), nullable=True),
        sa.Column("rate_limit_reset_at", TZ_DATETIME, nullable=True),
        sa.Column("lease_holder", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", TZ_DATETIME, nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(
            "sync_status IN ('idle', 'in_progress', 'error', 'completed')",
            name=op.f("ck_etsy_sync_config_sync_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etsy_sync_config")),
        sa.UniqueConstraint("shop_id", name=op.f("uq_etsy_sync_config_shop_id")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    op.create_table(
        "etsy_products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("etsy_listing_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("local_product_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("sync_status", sa.String(length=20), nullable=False),
        sa.Column("last_synced_at", TZ_DATETIME, nullable=True),
        sa.Column("etsy_last_modified_at", TZ_DATETIME, nullable=True),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(
            "sync_status IN ('pending', 'synced', 'error')",
            name=op.f("ck_etsy_products_sync_status"),
        ),
        sa.ForeignKeyConstraint(
            ["local_product_id"],
            ["products.id"],
            name=op.f("fk_etsy_products_local_product_id_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etsy_products")),
        sa.UniqueConstraint("etsy_listing_id", name=op.f("uq_etsy_products_etsy_listing_id")),
    )
    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_etsy_products_local_product_id"), ["local_product_id"], unique=False
        )
        batch_op.create_index("ix_etsy_products_shop_id", ["shop_id"], unique=False)
        batch_op.create_index("ix_etsy_products_sku", ["sku"], unique=False)
        batch_op.create_index("ix_etsy_products_state", ["state"], unique=False)
        batch_op.create_index("ix_etsy_products_sync_status", ["sync_status"], unique=False)

    op.create_table(
        "product_variants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_product_variants_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_variants_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_variants_sku")),
    )
    with op.batch_alter_table("product_variants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_variants_product_id"), ["product_id"], unique=False
        )

    op.create_table(
        "etsy_inventory_sync_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("etsy_listing_id", sa.BigInteger(), nullable=False),
        sa.Column("local_variant_id", sa.Integer(), nullable=True),
        sa.Column("etsy_quantity", sa.Integer(), nullable=True),
        sa.Column("local_quantity", sa.Integer(), nullable=True),
        sa.Column("quantity_diff", sa.Integer(), nullable=True),
        sa.Column("sync_action", sa.String(length=20), nullable=False),
        sa.Column("sync_result", sa.String(length=20), nullable=False),
        sa.Column("synced_at", TZ_DATETIME, nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "sync_action IN ('push_to_etsy', 'pull_from_etsy', 'no_change')",
            name=op.f("ck_etsy_inventory_sync_log_sync_action"),
        ),
        sa.CheckConstraint(
            "sync_result IN ('success', 'error', 'skipped')",
            name=op.f("ck_etsy_inventory_sync_log_sync_result"),
        ),
        sa.ForeignKeyConstraint(
            ["local_variant_id"],
            ["product_variants.id"],
            name=op.f("fk_etsy_inventory_sync_log_local_variant_id_product_variants"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etsy_inventory_sync_log")),
    )
    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_etsy_inventory_sync_log_listing_time",
            ["etsy_listing_id", "synced_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_etsy_inventory_sync_log_result_time", ["sync_result", "synced_at"], unique=False
        )
        batch_op.create_index("ix_etsy_inventory_sync_log_run_id", ["run_id"], unique=False)
        batch_op.create_index("ix_etsy_inventory_sync_log_synced_at", ["synced_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.drop_index("ix_etsy_inventory_sync_log_synced_at")
        batch_op.drop_index("ix_etsy_inventory_sync_log_run_id")
        batch_op.drop_index("ix_etsy_inventory_sync_log_result_time")
        batch_op.drop_index("ix_etsy_inventory_sync_log_listing_time")

    op.drop_table("etsy_inventory_sync_log")
    with op.batch_alter_table("product_variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_variants_product_id"))

    op.drop_table("product_variants")
    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.drop_index("ix_etsy_products_sync_status")
        batch_op.drop_index("ix_etsy_products_state")
        batch_op.drop_index("ix_etsy_products_sku")
        batch_op.drop_index("ix_etsy_products_shop_id")
        batch_op.drop_index(batch_op.f("ix_etsy_products_local_product_id"))

    op.drop_table("etsy_products")
    op.drop_table("products")
    op.drop_table("etsy_sync_config")
