"""The listing pages a shop read recalls, kept in ``etsy_listing_pages`` between runs.

Why in the database: a repeat ``sync all`` is as often a new process (the CLI,
the app started again) as the same one, and the pages it recalls
(``etsy.reads.page_memo``) must outlive the process that read them.  One row a
page: about 2.4 KB for 100 listings, so 24 MB for a 1,000,000-listing shop at
most, and loaded whole at the start of a read (2.4 MB at 100,000 listings).

Each page is kept in the transaction that stores the page it came with, so a
dry run's rollback forgets it with the rest.  A row is a pure function of the
page's body (see ``page_memo``), so keeping it never depends on what was
stored: a listing whose stored digest differs from the recalled one is simply
parsed.  Only a complete read forgets the pages no longer sent, so a read
that fails part way keeps what the next run can still recall.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from etsysync_gui.db.models import EtsyListingPage
from etsysync_gui.db.sql_helpers import IN_CHUNK, chunks, dialect_insert, table_of
from etsysync_gui.etsy.reads.page_memo import PageMemo

PAGES = table_of(EtsyListingPage)


def load_memo(session: Session, shop_id: int) -> PageMemo:
    """The pages remembered for ``shop_id``."""
    rows = session.execute(
        select(PAGES.c.page_key, PAGES.c.records).where(PAGES.c.shop_id == shop_id)
    )
    return PageMemo({bytes(key): bytes(records) for key, records in rows})


def keep_fresh_pages(session: Session, shop_id: int, memo: PageMemo, now: datetime) -> None:
    """Write the pages ``memo`` remembered since the last call (a page's row is
    replaced if another run wrote it first: same key, same values)."""
    fresh = memo.take_fresh()
    if not fresh:
        return
    rows = [
        {"shop_id": shop_id, "page_key": key, "records": records, "read_at": now}
        for key, records in sorted(fresh.items())
    ]
    # One statement with every row (a handful a page): one round trip on PostgreSQL.
    stmt = dialect_insert(session, PAGES).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[PAGES.c.shop_id, PAGES.c.page_key],
        set_={"records": stmt.excluded.records, "read_at": stmt.excluded.read_at},
    )
    session.execute(stmt)


def forget_unseen_pages(session: Session, shop_id: int, memo: PageMemo) -> None:
    """After a complete read: drop the remembered pages the read did not meet."""
    for chunk in chunks(memo.unseen(), IN_CHUNK):
        session.execute(
            delete(PAGES).where(PAGES.c.shop_id == shop_id, PAGES.c.page_key.in_(chunk))
        )
