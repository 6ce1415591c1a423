"""Runs count the write requests Etsy accepted (``sync_runs.etsy_writes``).

Why: pushes, pulls and merges do not cover every write a run sends (offerings
re-enabled, the zero-stock policy's deactivate / reactivate, an inventory
write a pull still needed); a seller must be able to read "0 Etsy writes" as
"EtsySync changed nothing on Etsy".  Runs recorded before this revision get 0:
they did not count.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("etsy_writes", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("etsy_writes")
