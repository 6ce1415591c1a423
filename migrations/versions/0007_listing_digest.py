"""A fingerprint of each listing as Etsy last sent it, so a repeat sync can skip it.

Why: Etsy's ``getListingsByShop`` has no "changed since" filter, so every
``sync all`` reads the whole shop.  ``etsy_products.etsy_digest`` keeps a 64-bit
digest of the fields EtsySync read from the listing (``etsy.reads.records``)
when it was last stored; a listing read with the same digest, whose links and
stock have not moved since, is neither parsed, rewritten nor planned again.

NULL (every row after this upgrade, and a listing stored without its
inventory) means "not known": the listing is processed in full and gets its
digest then.  Nothing else changes, so the downgrade just drops the column.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etsy_digest", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("etsy_products", schema=None) as batch_op:
        batch_op.drop_column("etsy_digest")
