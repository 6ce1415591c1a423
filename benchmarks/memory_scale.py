"""Benchmark: peak memory and time per listing of a cold ``sync all`` as the shop grows.

Why: a first sync must not need memory in proportion to the shop (targets:
peak RSS <= 200 MB at 30,000 listings, <= 250 MB at 100,000; SQLite, no
latency).  Printing the seconds per listing beside the peak at several sizes
shows whether either grows with the shop.  Per size: the fake Etsy runs in its
own process (``sync_bench``'s, no limits); the local catalog is written by one
child process and the sync runs in a FRESH spawned child, so its ``ru_maxrss`` is
the sync's own peak (interpreter and imports included), not the setup's.

    .venv/bin/python benchmarks/memory_scale.py [--sizes 1000,10000,30000,100000]

The 100,000-listing size takes a few minutes (the fake shop is generated first).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from multiprocessing.connection import Connection

from sync_bench import (  # type: ignore[import-not-found]
    FakeEtsyProcess,
    ServerInfo,
    _catalog,
    _client,
    _rss_mb,
)

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService

TARGET_MB = {30_000: 200.0, 100_000: 250.0}


def _setup(url: str, info: ServerInfo, seed: int) -> None:
    database = Database.open(url)
    upgrade_to_head(database.engine)
    _catalog(database, info.pools, random.Random(seed))
    database.dispose()


def _sync(url: str, info: ServerInfo, out: Connection) -> None:
    database = Database.open(url)
    client = _client(info)
    service = SyncService(database, lambda: client, SyncOptions(shop_id=info.shop_id))
    before = _rss_mb()
    started = time.perf_counter()
    result = service.sync_all("manual")
    out.send((time.perf_counter() - started, _rss_mb(), before, result.status))


def _measure(size: int, seed: int, folder: str) -> tuple[int, float, float, float, str]:
    """(listings, seconds, peak MB, MB before the sync, status) for one shop size."""
    fake = FakeEtsyProcess(size, seed)
    try:
        url = f"sqlite:///{folder}/scale-{size}.db"
        setup = mp.Process(target=_setup, args=(url, fake.info, seed))
        setup.start()
        setup.join()
        # A SPAWNED child with only the connection details: a forked one inherited
        # the parent's copy of the shop model (~40 MB at 100,000 listings) in its RSS.
        spawn = mp.get_context("spawn")
        receive, send = spawn.Pipe(duplex=False)
        info = dataclasses.replace(fake.info, pools=[])
        child = spawn.Process(target=_sync, args=(url, info, send))
        child.start()
        seconds, peak, before, status = receive.recv()
        child.join()
    finally:
        fake.stop()
    return len(fake.info.pools), seconds, peak, before, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000,100000")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    mp.set_start_method("fork" if sys.platform == "linux" else "spawn")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPU(s), load average {load:.1f} at start; SQLite, no latency")
    print(f"{'listings':>9} {'seconds':>8} {'ms/listing':>10} {'peak MB':>8} {'before MB':>9}")
    missed = 0
    for size in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            listings, seconds, peak, before, status = _measure(size, args.seed, folder)
        per = 1000 * seconds / max(1, listings)
        target = TARGET_MB.get(size)
        verdict = "" if target is None else f"  (target <= {target:.0f} MB)"
        print(
            f"{listings:>9,} {seconds:>8.1f} {per:>10.2f} {peak:>8.0f} {before:>9.0f}"
            f"  {status}{verdict}"
        )
        missed += target is not None and peak > target
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} at end")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
