"""Catalog imports and edits in the log; a mark that an import awaits its first sync.

Why: the seller's own changes (a CSV import, a quantity typed in the GUI)
decide what the next sync writes to Etsy, so they belong in the same journal
as the sync's decisions.  Such a row names no listing when the change was
not about one (an import), so ``etsy_listing_id`` becomes nullable, and two
actions join the list: ``catalog_import`` and ``catalog_edit``.

``etsy_sync_config.catalog_imported_at``: when a CSV import last changed the
catalog; set by the import, cleared by the first sync that applies a plan
made after it.  While set, a background plan waits for review (an old
spreadsheet imported by mistake would otherwise be pushed unseen).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 00:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here on purpose: a migration must not change when the app's types do.
TZ_DATETIME = sa.DateTime(timezone=True)
OLD_ACTIONS = "sync_action IN ('push_to_etsy', 'pull_from_etsy', 'no_change', 'merge')"
NEW_ACTIONS = (
    "sync_action IN ('push_to_etsy', 'pull_from_etsy', 'no_change', 'merge', "
    "'catalog_import', 'catalog_edit')"
)

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.alter_column("etsy_listing_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.drop_constraint(op.f("ck_etsy_inventory_sync_log_sync_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_etsy_inventory_sync_log_sync_action"), NEW_ACTIONS
        )
    with op.batch_alter_table("etsy_sync_config", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalog_imported_at", TZ_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("etsy_sync_config", schema=None) as batch_op:
        batch_op.drop_column("catalog_imported_at")
    # The catalog's own rows have no older equivalent: they go.
    op.execute(
        "DELETE FROM etsy_inventory_sync_log "
        "WHERE sync_action IN ('catalog_import', 'catalog_edit') OR etsy_listing_id IS NULL"
    )
    with op.batch_alter_table("etsy_inventory_sync_log", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_etsy_inventory_sync_log_sync_action"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_etsy_inventory_sync_log_sync_action"), OLD_ACTIONS
        )
        batch_op.alter_column("etsy_listing_id", existing_type=sa.BigInteger(), nullable=False)
