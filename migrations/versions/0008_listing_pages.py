"""Pages of listings read before, so a repeat sync recalls them instead of decoding them.

Why: a repeat ``sync all`` reads the whole shop again, and decoding every page
of listings (about 280 KB of JSON each) was most of its CPU.  A page whose body
is byte for byte one read before is recalled from ``etsy_listing_pages``: its
``count`` and each listing's id, state time and digest, kept under a hash of
the body (``etsy.reads.page_memo``).

The table starts empty (the next sync decodes every page once and fills it)
and nothing else refers to it, so the downgrade just drops it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 11:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "etsy_listing_pages",
        sa.Column("shop_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("page_key", sa.LargeBinary(length=16), nullable=False),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.Column("read_at", TZ_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "page_key", name=op.f("pk_etsy_listing_pages")),
    )


def downgrade() -> None:
    op.drop_table("etsy_listing_pages")
