"""Benchmark: EtsySync against Etsy's floor (calls ÷ the rate limit) at 10/s and 250 ms.

Why: every Etsy call costs a share of a per-second budget
("Rate limits", https://developers.etsy.com/documentation/essentials/rate-limits),
so the fastest any client can finish is (calls ÷ limit) seconds.  This prints,
side by side for the same engine process and the same fake Etsy, how close
three everyday runs come to that floor:

* cold ``sync all`` of the shop (empty database);
* repeat ``sync all`` with nothing changed (should cost its calls, little CPU),
  first with every listing on the full path (the behaviour before
  ``sync.listings.in_step``), then with every page decoded (the behaviour
  before ``etsy.reads.page_memo``), then as it runs now;
* push of 500 changed listings (``apply_plan``: ceil(500/100) fresh reads and
  one PUT per listing).

For each: calls, the floor, wall seconds and the ratio, the engine process's
CPU seconds (the fake runs in its own process so its CPU is not counted), and
the 429 responses the fake sent (the pacing target is none).

The push runs on different listings with one write in flight (the behaviour
before) and with each ``--in-flight`` count (default: the engine's default,
``SyncOptions.writes_in_flight``), printed side by side.

    .venv/bin/python benchmarks/floor_bench.py [--listings 5000] [--qps 10] [--latency-ms 250]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

from sync_bench import ServerInfo, ShopPools, _catalog, _restock  # type: ignore[import-not-found]

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from etsysync_gui.etsy.reads.page_memo import PageMemo
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.listings import run as run_module
from etsysync_gui.sync.listings.in_step import InStep
from etsysync_gui.sync.listings.pages import PageStore
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.records import RunResult
from etsysync_gui.sync.service import SyncService
from fake_etsy import FakeEtsyServer


def _serve(args: argparse.Namespace, conn: Connection) -> None:
    """The fake Etsy at the given limit and latency; answers ``stats``/``reset``/``stop``."""
    with FakeEtsyServer(
        listings=args.listings, seed=args.seed, qps=args.qps, qpd=None, latency_ms=0.0
    ) as etsy:
        access, refresh, _ = etsy.issue_tokens()
        pools: ShopPools = []
        for lid in etsy.listing_ids():
            try:
                found = pools_of(Inventory.from_json(etsy.inventory_json(lid)))
            except AmbiguousInventoryError:
                continue
            state = str(etsy.listing_json(lid)["state"])
            pools.append((lid, state, [(p.key, p.sku, p.quantity) for p in found]))
        etsy.faults.latency_ms = args.latency_ms
        info = ServerInfo(
            etsy.base_url,
            etsy.token_url,
            etsy.keystring,
            etsy.shared_secret,
            access,
            refresh,
            etsy.shop_id,
            pools,
        )
        conn.send(info)
        while True:
            command = conn.recv()
            if command == "stats":
                snap = etsy.stats
                conn.send((snap.total_requests, snap.rate_limited))
            elif command == "reset":
                etsy.reset_stats()
                conn.send(None)
            else:
                return


class _Fake:
    """The fake Etsy in a child process, so its CPU is not the engine's."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._conn, child = mp.Pipe()
        self._process = mp.Process(target=_serve, args=(args, child), daemon=True)
        self._process.start()
        self.info: ServerInfo = self._conn.recv()

    def ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=30)


def _client(info: ServerInfo) -> EtsyClient:
    """A client with its own limiter at Etsy's defaults (it learns the headers)."""
    tokens = TokenManager(
        keystring=info.keystring,
        shared_secret=info.shared_secret,
        tokens=TokenSet(info.access, info.refresh, time.time() + 3600),
        persist=lambda _t: None,
        token_url=info.token_url,
    )
    return EtsyClient(
        info.keystring,
        info.shared_secret,
        base_url=info.base_url,
        token_manager=tokens,
        limiter=RateLimiter(),
    )


def _measure(fake: _Fake, name: str, run: Callable[[], RunResult]) -> dict[str, Any]:
    """Calls, wall, CPU (this process, all threads) and 429s of one run."""
    fake.ask("reset")
    started, cpu = time.perf_counter(), time.process_time()
    result = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    calls, limited = fake.ask("stats")
    return {
        "name": name,
        "calls": calls,
        "seconds": seconds,
        "cpu": cpu,
        "limited": limited,
        "status": result.status,
        "skipped": (result.to_json().get("listing_sync") or {}).get("unchanged_skipped"),
        "in_step": (result.to_json().get("listing_sync") or {}).get("in_step_skipped"),
        "recalled": (result.to_json().get("listing_sync") or {}).get("pages_recalled"),
    }


def _runs(args: argparse.Namespace, fake: _Fake, url: str) -> list[dict[str, Any]]:
    info = fake.info
    database = Database.open(url)
    upgrade_to_head(database.engine)
    rng = random.Random(args.seed)
    _catalog(database, info.pools, rng)
    client = _client(info)
    service = SyncService(database, lambda: client, SyncOptions(shop_id=info.shop_id))
    rows = [_measure(fake, "cold sync all", lambda: service.sync_all("manual"))]
    with _full_path():
        before = _measure(fake, "repeat, full path (before)", lambda: service.sync_all("manual"))
    rows.append(before)
    with _no_memo():
        label = "repeat, pages decoded (before)"
        rows.append(_measure(fake, label, lambda: service.sync_all("manual")))
    rows.append(_measure(fake, "repeat sync all", lambda: service.sync_all("manual")))
    for label, in_flight in _push_variants(args):
        _restock(database, info.shop_id, rng)
        options = SyncOptions(shop_id=info.shop_id, writes_in_flight=in_flight)
        pusher = SyncService(database, lambda: client, options)
        plan = pusher.plan_inventory()
        rows.append(_measure(fake, label, lambda p=pusher, plan=plan: p.apply_plan(plan)))
    client.close()
    database.dispose()
    return rows


@contextmanager
def _full_path() -> Iterator[None]:
    """Every listing on the full path, as before listings in step were left alone
    (``sync.listings.in_step``): the page store finds none in step."""
    real = PageStore._in_step
    PageStore._in_step = lambda _self, _items, _settle: InStep(frozenset(), [], [])  # type: ignore[method-assign]
    try:
        yield
    finally:
        PageStore._in_step = real  # type: ignore[method-assign]


@contextmanager
def _no_memo() -> Iterator[None]:
    """Every page decoded, as before pages read before were recalled (``page_memo``)."""
    real_load, real_keep = run_module.load_memo, run_module.keep_fresh_pages
    run_module.load_memo = lambda _session, _shop_id: PageMemo()  # type: ignore[assignment]
    run_module.keep_fresh_pages = lambda *_args: None  # type: ignore[assignment]
    try:
        yield
    finally:
        run_module.load_memo, run_module.keep_fresh_pages = real_load, real_keep


def _push_variants(args: argparse.Namespace) -> list[tuple[str, int]]:
    """The push with one write at a time (before) and with each ``--in-flight`` count."""
    if args.no_push:
        return []
    default = SyncOptions(shop_id=1).writes_in_flight
    variants = [("push 500 (1 in flight, before)", 1)]
    for count in args.in_flight:
        if count > 1:
            label = " (default)" if count == default else ""
            variants.append((f"push 500 ({count} in flight){label}", count))
    return variants


def _report(rows: list[dict[str, Any]], qps: float) -> None:
    header = f"{'run':30} {'calls':>6} {'floor s':>8} {'wall s':>8} {'ratio':>6} {'CPU s':>6}"
    print(header + f" {'429s':>5} {'skipped':>8} {'in step':>8} {'recalled':>8}  status")
    for r in rows:
        floor = r["calls"] / qps
        ratio = r["seconds"] / floor if floor else float("nan")
        skipped = "-" if r["skipped"] is None else str(r["skipped"])
        in_step = "-" if r["in_step"] is None else str(r["in_step"])
        recalled = "-" if r["recalled"] is None else str(r["recalled"])
        print(
            f"{r['name']:30} {r['calls']:>6} {floor:>8.1f} {r['seconds']:>8.1f} {ratio:>6.2f}"
            f" {r['cpu']:>6.2f} {r['limited']:>5} {skipped:>8} {in_step:>8} {recalled:>8}"
            f"  {r['status']}"
        )
    if os.environ.get("FLOOR_PROFILE"):
        return
    cold = next(r for r in rows if r["name"] == "cold sync all")
    before = next(r for r in rows if r["name"].startswith("repeat, full path"))
    decoded = next(r for r in rows if r["name"].startswith("repeat, pages decoded"))
    repeat = next(r for r in rows if r["name"] == "repeat sync all")

    def share(row: dict[str, Any]) -> float:
        return float(row["cpu"] / cold["cpu"]) if cold["cpu"] else float("nan")

    print(
        f"repeat CPU / cold CPU: {share(repeat):.0%} (target <= 25%; before: full path"
        f" {share(before):.0%}, every page decoded {share(decoded):.0%})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--qps", type=float, default=10.0)
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--in-flight",
        type=int,
        nargs="+",
        default=[SyncOptions(shop_id=1).writes_in_flight],
        help="writes in flight for the pushes after the one-at-a-time push",
    )
    parser.add_argument("--no-push", action="store_true", help="only the two sync runs")
    args = parser.parse_args()
    mp.set_start_method("fork" if sys.platform == "linux" else "spawn")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{os.cpu_count()} CPU(s), load average {load:.1f} at start; fake Etsy in its own "
        f"process at {args.qps:g}/s and {args.latency_ms:g} ms; SQLite; {args.listings} listings"
    )
    fake = _Fake(args)
    try:
        with tempfile.TemporaryDirectory() as folder:
            rows = _runs(args, fake, f"sqlite:///{folder}/floor.db")
    finally:
        fake.stop()
    _report(rows, args.qps)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
