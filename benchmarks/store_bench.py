"""Benchmark: generate a 10,000-listing fake shop, store it twice, prune a large log.

Why: these steps used to carry time limits inside the test suite (3 s for the
fake's generator, 8 s per ``store_listings`` pass, 10 s to prune 40,000 log
rows), which made the suite's verdict depend on how busy the machine was.  The
tests now assert only what happens (10,000 listings generated; 10,000 read and
updated, more pools than listings; every old log row deleted); this script
prints how long it takes, so a slowdown is seen by the person who measures, on
a machine they know.

Targets on an ordinary 2-core laptop with SQLite: generation under 3 s, each
store pass under 8 s, the prune under 10 s.

    .venv/bin/python benchmarks/store_bench.py [--listings 10000] [--db-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.db.models import EtsyInventorySyncLog
from etsysync_gui.db.types import utcnow
from etsysync_gui.etsy.models import Listing
from etsysync_gui.sync.listings.run import ShopRead, store_listings
from etsysync_gui.sync.runs.audit import log_row, prune_log
from fake_etsy import FakeEtsyServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--db-url", help="an empty database URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    started = time.perf_counter()
    fake = FakeEtsyServer(listings=args.listings, seed=3)  # never started: the shop model only
    print(f"generate {args.listings} listings: {time.perf_counter() - started:.2f} s")
    listings = tuple(Listing.from_json(fake.listing_json(i)) for i in fake.listing_ids())

    with tempfile.TemporaryDirectory() as tmp:
        database = Database.open(args.db_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_to_head(database.engine)
        try:
            for label in ("insert", "update"):  # the first pass inserts, the second updates
                started = time.perf_counter()
                with database.session() as session:
                    result = store_listings(
                        session, fake.shop_id, ShopRead(listings, frozenset()), now=utcnow()
                    )
                seconds = time.perf_counter() - started
                print(
                    f"store_listings ({label}): {seconds:.2f} s, "
                    f"{result.listings_read} listings, {result.pools} pools"
                )
            prune(database, rows=40_000)
        finally:
            database.dispose()


def prune(database: Database, *, rows: int) -> None:
    """Fill the sync log with ``rows`` rows 200 days old, then time the retention prune."""
    now = utcnow()
    old = now - timedelta(days=200)
    values = [
        log_row(
            run_id=None,
            listing_id=1,
            pool_key="listing",
            local_variant_id=None,
            local_found=1,
            etsy_found=2,
            action="no_change",
            result="success",
            message=None,
            now=old,
        )
        for _ in range(rows)
    ]
    with database.session() as session:
        session.execute(insert(EtsyInventorySyncLog), values)
    started = time.perf_counter()
    deleted = prune_log(database, retention_days=90, now=now)
    print(f"prune_log: {time.perf_counter() - started:.2f} s, {deleted} rows deleted")


if __name__ == "__main__":
    main()
