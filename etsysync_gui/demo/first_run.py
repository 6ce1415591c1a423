"""What the demo does once its first listing sync has imported the shop.

The first sync links every listing to a new catalog product (``import_unlinked``:
the demo has no catalog of its own).  A real seller's shop is rarely that
tidy, and the Listings view's links, suggestions and the link dialog would
have nothing to show, so the demo unlinks a few listings again, the same ones
every time (every n-th by listing id).  Their catalog products stay, so the
link dialog finds them as suggestions.
"""

from __future__ import annotations

from sqlalchemy import select

from etsysync_gui.db.models import EtsyStockPool
from etsysync_gui.sync.service import SyncService

DEMO_UNLINKED_LISTINGS = 12


def unlink_a_few(service: SyncService, count: int = DEMO_UNLINKED_LISTINGS) -> list[int]:
    """Unlink ``count`` linked listings spread over the shop; returns their ids."""
    with service.database.session() as session:
        linked = sorted(
            set(
                session.scalars(
                    select(EtsyStockPool.etsy_listing_id).where(
                        EtsyStockPool.local_variant_id.is_not(None)
                    )
                )
            )
        )
    if not linked or count <= 0:
        return []
    step = max(1, len(linked) // count)
    chosen = linked[step // 2 :: step][:count]
    for listing_id in chosen:
        service.unlink(listing_id)
    return chosen
