"""The ledger step of a run: read the receipts changed since the watermark, store them.

Cost: normally ONE call (``getShopReceipts``, 100 a page); it is made through the
run's client, so it is counted in the run's ``api_calls`` (what the scheduler's
budget check uses) like every other call.

Why an overlap of an hour: the watermark is this machine's clock at the start of
the last complete read, while receipts carry Etsy's clock; Etsy may also make a
receipt (or its update) visible some time after its timestamp.  Re-reading the
last hour every run costs nothing extra for a normal shop (it fits in the one
page) and covers clock skew and late visibility far beyond what they should
ever be.  Lines are upserted, so reading one twice is harmless.  A first read
looks back ``FIRST_LOOKBACK_S`` (a day): the ledger's job is the writes EtsySync
makes from now on, not history.

A read that never settled (orders changed under it, see ``etsy.receipts``)
keeps the watermark, so the next run reads that stretch again.  No
``transactions_r`` permission (a connection made before the ledger existed):
the step is skipped and the run says so; stock sync still runs.  Any other
failure of this one read (server, network, an answer Etsy refused) skips it
too, with the watermark kept, so the next run catches up; an authentication
problem, an exhausted rate limit or a cancellation stops the run like any
other call.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from etsysync_gui.db.engine import Database
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyError, OperationCancelled, RateLimitedError
from etsysync_gui.sync.ledger.overwrites import match_overwrites
from etsysync_gui.sync.ledger.store import read_watermark, save_watermark, store_orders

log = logging.getLogger(__name__)

OVERLAP_S = 3600
FIRST_LOOKBACK_S = 86_400
EARLIEST = 946_684_800  # the spec's minimum for min_last_modified
NO_SCOPE = (
    "Sales ledger skipped: this connection cannot read orders (transactions_r); "
    "run 'etsysync auth login' to grant it"
)


@dataclass(frozen=True, slots=True)
class LedgerRead:
    """What one ledger step did."""

    orders: int = 0
    lines: int = 0
    erased: int = 0
    complete: bool = True
    skipped: str | None = None


def update_ledger(
    database: Database,
    client: EtsyClient,
    shop_id: int,
    *,
    now: datetime,
    run_id: int | None,
    cancel: threading.Event | None = None,
) -> LedgerRead:
    """Read and store the orders changed since the watermark; match erased sales."""
    started = int(client.etsy_time())
    with database.session() as session:
        mark = read_watermark(session, shop_id)
    since = max(EARLIEST, (started - FIRST_LOOKBACK_S if mark is None else mark) - OVERLAP_S)
    try:
        read = client.get_orders(shop_id, since=since, cancel=cancel)
    except EtsyError as exc:
        if exc.status == 403 and exc.etsy_error == "insufficient_scope":
            log.warning("%s", NO_SCOPE)
            return LedgerRead(skipped=NO_SCOPE)
        if exc.needs_user or isinstance(exc, RateLimitedError | OperationCancelled):
            raise
        message = f"Sales ledger skipped this run ({exc.message}); the next run reads it"
        log.warning("%s", message)
        return LedgerRead(skipped=message)
    with database.session() as session:
        ids = store_orders(session, shop_id, read.orders, now=now, run_id=run_id)
        erased = match_overwrites(session, ids)
        if read.complete:
            save_watermark(session, shop_id, started)
    return LedgerRead(len(read.orders), len(ids), erased, read.complete)
