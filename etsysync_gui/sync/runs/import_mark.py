"""Whether a CSV import changed the catalog since the last applied sync (and clearing that).

``catalog.journal`` sets ``etsy_sync_config.catalog_imported_at`` when an
import changes the catalog; while it is set, a background plan waits for the
seller (``sync.inventory.hold``).  The first sync that APPLIES a plan made
after the import clears it: a held run, a dry run or a failed one does not,
nor a plan applied with listings the seller left out in the review (they come
back in the next plan, which waits again), and an import that lands while a
run is planning stays marked for the next (the comparison is with the plan's
time, not the run's end).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig


def import_pending(database: Database, shop_id: int) -> datetime | None:
    """When a CSV import changed the catalog with no sync applied since (None: none did)."""
    with database.session() as session:
        return session.scalar(
            select(EtsySyncConfig.catalog_imported_at).where(EtsySyncConfig.shop_id == shop_id)
        )


def clear_import_mark(database: Database, shop_id: int, planned_at: datetime) -> None:
    """A sync applied a plan made at ``planned_at``: imports before it have been synced."""
    config = EtsySyncConfig
    with database.session() as session:
        session.execute(
            update(config)
            .where(
                config.shop_id == shop_id,
                config.catalog_imported_at.is_not(None),
                config.catalog_imported_at <= planned_at,
            )
            .values(catalog_imported_at=None)
        )
