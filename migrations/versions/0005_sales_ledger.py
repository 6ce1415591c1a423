"""Sales ledger: Etsy's order lines (transactions), write snapshots, a receipts watermark.

Why: Etsy has no conditional inventory write, so a PUT computed from a read
erases the sales that landed between the read and the write.  Each stored
transaction (once, keyed by Etsy's transaction id) can be matched with the
snapshot a write was based on (``etsy_write_snapshots``), and the decision
that counts it is recorded on the transaction (``applied_run_id``), so no sale
is counted twice.  ``etsy_sync_config.receipts_read_until`` is where the next
incremental receipts read starts (epoch seconds, Etsy's clock).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here on purpose: a migration must not change when the app's types do.
TZ_DATETIME = sa.DateTime(timezone=True)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etsy_write_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("etsy_listing_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("read_ts", sa.BigInteger(), nullable=False),
        sa.Column("written_ts", sa.BigInteger(), nullable=False),
        sa.Column("pools", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["sync_runs.id"],
            name=op.f("fk_etsy_write_snapshots_run_id_sync_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etsy_write_snapshots")),
    )
    with op.batch_alter_table("etsy_write_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_etsy_write_snapshots_listing_time",
            ["etsy_listing_id", "written_ts"],
            unique=False,
        )

    op.create_table(
        "etsy_transactions",
        sa.Column("transaction_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("etsy_listing_id", sa.BigInteger(), nullable=True),
        sa.Column("product_id", sa.BigInteger(), nullable=True),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("property_values", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_ts", sa.BigInteger(), nullable=False),
        sa.Column("receipt_updated_ts", sa.BigInteger(), nullable=False),
        sa.Column("canceled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("pool_key", sa.String(length=500), nullable=True),
        sa.Column("overwritten_by", sa.Integer(), nullable=True),
        sa.Column("applied_run_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", TZ_DATETIME, nullable=True),
        sa.Column("first_seen_run_id", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", TZ_DATETIME, nullable=False),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["overwritten_by"],
            ["etsy_write_snapshots.id"],
            name=op.f("fk_etsy_transactions_overwritten_by_etsy_write_snapshots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_etsy_transactions")),
    )
    with op.batch_alter_table("etsy_transactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_etsy_transactions_listing_time", ["etsy_listing_id", "created_ts"], unique=False
        )
        batch_op.create_index(
            "ix_etsy_transactions_shop_time", ["shop_id", "created_ts"], unique=False
        )
        batch_op.create_index("ix_etsy_transactions_receipt_id", ["receipt_id"], unique=False)

    with op.batch_alter_table("etsy_sync_config", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipts_read_until", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("etsy_sync_config", schema=None) as batch_op:
        batch_op.drop_column("receipts_read_until")
    op.drop_table("etsy_transactions")
    op.drop_table("etsy_write_snapshots")
