"""Scheduler state: one row per scheduled job and profile (last runs, failures, pause).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 06:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen here on purpose: a migration must not change when the app's types do.
TZ_DATETIME = sa.DateTime(timezone=True)
RESULTS = "last_result IN ('success', 'completed_with_errors', 'failed', 'cancelled', 'skipped')"

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("last_started_at", TZ_DATETIME, nullable=True),
        sa.Column("last_finished_at", TZ_DATETIME, nullable=True),
        sa.Column("last_success_at", TZ_DATETIME, nullable=True),
        sa.Column("last_result", sa.String(length=30), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.Column("last_run_id", sa.Integer(), nullable=True),
        sa.Column("calls_per_run", sa.Integer(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", TZ_DATETIME, nullable=False),
        sa.CheckConstraint(RESULTS, name=op.f("ck_scheduled_jobs_last_result")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("profile", "job_id", name=op.f("uq_scheduled_jobs_profile_job_id")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
