"""Benchmark: peak memory and time per listing of a cold ``sync all`` as the shop grows.

Why: a first sync must not need memory in proportion to the shop (targets:
peak RSS <= 200 MB at 30,000 listings, <= 250 MB at 100,000; SQLite, no
latency).  Printing the seconds per listing beside the peak at several sizes
shows whether either grows with the shop.  Each size runs in its own child
process (``sync_bench``'s setup: the fake Etsy in another process, no limits),
so one size's peak does not hide in another's.

    .venv/bin/python benchmarks/memory_scale.py [--sizes 1000,10000,30000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile

from sync_bench import _run  # type: ignore[import-not-found]

TARGET_MB = {30_000: 200.0, 100_000: 250.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    mp.set_start_method("fork" if sys.platform == "linux" else "spawn")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPU(s), load average {load:.1f} at start; SQLite, no latency")
    print(f"{'listings':>9} {'seconds':>8} {'ms/listing':>10} {'peak MB':>8} {'before MB':>9}")
    missed = 0
    for size in (int(x) for x in args.sizes.split(",")):
        run_args = argparse.Namespace(listings=size, seed=args.seed, tracemalloc=False)
        with tempfile.TemporaryDirectory() as folder:
            r = _run("SQLite", f"sqlite:///{folder}/scale.db", run_args)
        per = 1000 * r["seconds"] / max(1, r["listings"])
        target = TARGET_MB.get(size)
        verdict = "" if target is None else f"  (target <= {target:.0f} MB)"
        print(
            f"{r['listings']:>9,} {r['seconds']:>8.1f} {per:>10.2f} "
            f"{r['rss_after']:>8.0f} {r['rss_before']:>9.0f}{verdict}"
        )
        missed += target is not None and r["rss_after"] > target
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} at end")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
