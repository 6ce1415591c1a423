"""Benchmark: a full ``sync all`` of a 10,000-listing shop, then a 500-listing push.

Why: a seller's first sync reads every listing, stores it, links it by SKU and
decides every pool; it must stay fast and small on an ordinary laptop
(targets: issue 13's 6 s on SQLite with 2 cores, 300 MB; PostgreSQL within
1.3x SQLite).  And a later stock push must cost exactly what ``apply``
promises: ceil(changed listings / 100) fresh reads + one PUT per listing.

Setup per backend, each in its own child process (so one backend's peak
memory does not hide the other's, and the numbers are the engine's alone):

* the fake Etsy runs in ANOTHER process, generated from a seed (the realistic
  mix: every state, simple / one / two variations, shared and per-variation
  stock, missing SKUs), with no rate limit and no latency;
* the local catalog has one variant per uniquely-SKU'd Etsy pool, about a
  third of them with a different quantity (a first sync pulls them: Etsy is
  the truth);
* ``sync all`` runs once (timed); then 500 pools on 500 distinct active
  listings are restocked locally, the inventory plan is made
  (``plan_inventory``: one batch read per 100 linked listings) and applied
  (``apply_plan``: the push), and the push's calls are compared with the
  formula.

Memory: ``ru_maxrss`` (peak resident set of the benchmark's child process:
interpreter, imports, driver and the engine's data; the fake server is not in
it), before and after the sync.  ``--tracemalloc`` also traces Python
allocations (slower; the seconds are then not comparable).

    .venv/bin/python benchmarks/sync_bench.py [--listings 10000] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, select, text

from etsysync_gui.db.engine import Database
from etsysync_gui.db.migrate import upgrade_to_head
from etsysync_gui.db.models import EtsyProduct, EtsyStockPool, Product, ProductVariant
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from etsysync_gui.sync.inventory.pools import AmbiguousInventoryError, pools_of
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from fake_etsy import FakeEtsyServer

PG_ENV = "ETSYSYNC_TEST_POSTGRES_URL"
CHANGED = 500
SQLITE_SECONDS, SQLITE_MB, PG_FACTOR = 6.0, 300.0, 1.3
LEDGER_CALLS = 1  # every stock sync reads the shop's orders once (sync.ledger)

# (listing id, state, [(pool key, sku, quantity)])
ShopPools = list[tuple[int, str, list[tuple[str, str | None, int]]]]


@dataclass(frozen=True)
class ServerInfo:
    base_url: str
    token_url: str
    keystring: str
    shared_secret: str
    access: str
    refresh: str
    shop_id: int
    pools: ShopPools


# --- the fake Etsy, in its own process -----------------------------------------------------


def _serve(listings: int, seed: int, conn: Connection) -> None:
    """Run the fake; answer ``stats`` / ``stop`` over ``conn``."""
    with FakeEtsyServer(listings=listings, seed=seed, qps=None, qpd=None) as etsy:
        access, refresh, _ = etsy.issue_tokens()
        pools: ShopPools = []
        for lid in etsy.listing_ids():
            data = etsy.inventory_json(lid)
            try:
                found = pools_of(Inventory.from_json(data))
            except AmbiguousInventoryError:
                continue
            state = str(etsy.listing_json(lid)["state"])
            pools.append((lid, state, [(p.key, p.sku, p.quantity) for p in found]))
        conn.send(
            ServerInfo(
                etsy.base_url,
                etsy.token_url,
                etsy.keystring,
                etsy.shared_secret,
                access,
                refresh,
                etsy.shop_id,
                pools,
            )
        )
        while True:
            command = conn.recv()
            if command == "stats":
                stats = etsy.stats
                conn.send((stats.total_requests, dict(stats.by_operation)))
            elif command == "cpu":
                usage = resource.getrusage(resource.RUSAGE_SELF)
                conn.send(usage.ru_utime + usage.ru_stime)
            elif command == "reset":
                etsy.reset_stats()
                conn.send(None)
            else:
                return


class FakeEtsyProcess:
    def __init__(self, listings: int, seed: int) -> None:
        self._conn, child = mp.Pipe()
        self._process = mp.Process(target=_serve, args=(listings, seed, child), daemon=True)
        self._process.start()
        self.info: ServerInfo = self._conn.recv()

    def stats(self) -> tuple[int, dict[str, int]]:
        self._conn.send("stats")
        result: tuple[int, dict[str, int]] = self._conn.recv()
        return result

    def cpu_seconds(self) -> float:
        """CPU time the fake has used so far (answering is not the engine's cost)."""
        self._conn.send("cpu")
        seconds: float = self._conn.recv()
        return seconds

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=30)


# --- one backend, in its own process -------------------------------------------------------


def _client(info: ServerInfo) -> EtsyClient:
    tokens = TokenManager(
        keystring=info.keystring,
        shared_secret=info.shared_secret,
        tokens=TokenSet(info.access, info.refresh, time.time() + 3600),
        persist=lambda _t: None,
        token_url=info.token_url,
    )
    # The fake sends no limit headers when unlimited; pace as fast as it answers.
    limiter = RateLimiter(limit_per_second=1_000_000, limit_per_day=10**9)
    return EtsyClient(
        info.keystring,
        info.shared_secret,
        base_url=info.base_url,
        token_manager=tokens,
        limiter=limiter,
    )


def _catalog(database: Database, pools: ShopPools, rng: random.Random) -> int:
    """One local variant per Etsy pool whose SKU is unique in the shop; returns how many."""
    counts: dict[str, int] = {}
    for _, _, found in pools:
        for _, sku, _ in found:
            if sku:
                counts[sku.casefold()] = counts.get(sku.casefold(), 0) + 1
    made = 0
    with database.session() as session:
        for lid, _, found in pools:
            product = Product(title=f"Local {lid}")
            for _, sku, quantity in found:
                if not sku or counts[sku.casefold()] != 1:
                    continue
                local = quantity if rng.random() < 0.66 else rng.randint(0, 30)
                product.variants.append(ProductVariant(sku=sku, name=sku, quantity=local))
                made += 1
            if product.variants:
                session.add(product)
    return made


def _restock(database: Database, shop_id: int, rng: random.Random) -> int:
    """Restock one linked pool (+3) on each of ``CHANGED`` (or all, if fewer) active listings."""
    with database.session() as session:
        rows = session.execute(
            select(EtsyStockPool.etsy_listing_id, EtsyStockPool.local_variant_id)
            .join(EtsyProduct, EtsyProduct.etsy_listing_id == EtsyStockPool.etsy_listing_id)
            .where(
                EtsyProduct.shop_id == shop_id,
                EtsyProduct.state == "active",
                EtsyStockPool.local_variant_id.is_not(None),
                EtsyStockPool.etsy_quantity.between(1, 900),
            )
            .order_by(EtsyStockPool.etsy_listing_id, EtsyStockPool.pool_key)
        ).all()
        one_per_listing: dict[int, int] = {}
        for lid, vid in rows:
            one_per_listing.setdefault(lid, vid)
        chosen = rng.sample(sorted(one_per_listing), min(CHANGED, len(one_per_listing)))
        for lid in chosen:
            variant = session.get(ProductVariant, one_per_listing[lid])
            assert variant is not None
            variant.quantity += 3
    return len(chosen)


def _rss_mb() -> float:
    """Peak resident set of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _bench(backend: str, url: str, listings: int, seed: int, trace: bool, out: Connection) -> None:
    server = FakeEtsyProcess(listings, seed)
    try:
        info = server.info
        database = Database.open(url)
        upgrade_to_head(database.engine)
        rng = random.Random(seed)
        variants = _catalog(database, info.pools, rng)
        client = _client(info)
        service = SyncService(database, lambda: client, SyncOptions(shop_id=info.shop_id))
        server.reset()
        rss_before = _rss_mb()
        if trace:
            tracemalloc.start()
        phases: dict[str, float] = {}
        started = time.perf_counter()
        cpu_started = time.process_time()
        fake_cpu = server.cpu_seconds()

        def progress(phase: str, done: int, total: int) -> None:
            phases.setdefault(phase, time.perf_counter() - started)

        result = service.sync_all("manual", progress=progress)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        fake_cpu = server.cpu_seconds() - fake_cpu
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        tracemalloc.stop()
        rss_after = _rss_mb()
        _, full_ops = server.stats()

        changed = _restock(database, info.shop_id, rng)
        server.reset()
        calls_before = client.calls_made
        plan = service.plan_inventory()
        plan_calls = client.calls_made - calls_before
        pushed = service.apply_plan(plan)
        _, push_ops = server.stats()
        out.send(
            {
                "backend": backend,
                "listings": len(info.pools),
                "variants": variants,
                "status": result.status,
                "seconds": seconds,
                "phases": phases,
                "cpu": cpu,
                "fake_cpu": fake_cpu,
                "api_calls": result.counts.api_calls,
                "full_ops": full_ops,
                "pulls": result.counts.pulls,
                "pushes": result.counts.pushes,
                "rss_before": rss_before,
                "rss_after": rss_after,
                "traced": traced,
                "changed": changed,
                "plan_calls": plan_calls,
                "linked_listings": len(plan.listings),
                "push_calls": pushed.counts.api_calls,
                "push_pushes": pushed.counts.pushes,
                "push_status": pushed.status,
                "puts": push_ops.get("updateListingInventory", 0),
            }
        )
        client.close()
        database.dispose()
    finally:
        server.stop()


def _run(backend: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    receive, send = mp.Pipe(duplex=False)
    process = mp.Process(
        target=_bench, args=(backend, url, args.listings, args.seed, args.tracemalloc, send)
    )
    process.start()
    result: dict[str, Any] = receive.recv()
    process.join()
    return result


# --- reporting -----------------------------------------------------------------------------


def _report(r: dict[str, Any]) -> None:
    name = r["backend"]
    print(f"\n== {name}: sync all of {r['listings']:,} listings ({r['variants']:,} local variants)")
    print(f"   status {r['status']}, {r['pulls']} pulls, {r['pushes']} pushes")
    print(f"   seconds: {r['seconds']:.2f} (CPU of the engine's process: {r['cpu']:.1f} s)")
    starts = ", ".join(f"{name} {at:.1f}" for name, at in r["phases"].items())
    print(f"   phases began at (s): {starts}")
    print(f"   CPU the fake Etsy spent answering (its own process): {r['fake_cpu']:.1f} s")
    ops = ", ".join(f"{k} {v}" for k, v in sorted(r["full_ops"].items()))
    print(f"   API calls: {r['api_calls']} ({ops})")
    print(
        f"   peak memory (ru_maxrss of the benchmark process): {r['rss_after']:.0f} MB "
        f"(before the sync: {r['rss_before']:.0f} MB)"
    )
    if r["traced"] is not None:
        print(f"   tracemalloc peak during the sync: {r['traced']:.0f} MB")
    expected = _expected_push(r["changed"])
    print(f"   push of {r['changed']} restocked pools on {r['changed']} listings:")
    print(
        f"     plan read: {r['plan_calls']} calls "
        f"(ceil({r['linked_listings']} linked listings / 100) = "
        f"{math.ceil(r['linked_listings'] / 100)})"
    )
    print(
        f"     push: {r['push_calls']} calls, expected ceil({r['changed']}/100) + "
        f"{r['changed']} + {LEDGER_CALLS} (orders) = {expected}; {r['puts']} inventory PUTs; "
        f"{r['push_pushes']} pushes; {r['push_status']}"
    )


def _expected_push(changed: int) -> int:
    """What ``apply`` promises: a batch read per 100, a PUT each, and the orders read."""
    return math.ceil(changed / 100) + changed + LEDGER_CALLS


def _pg_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}", schema


def _drop_schema(base: str, schema: str) -> None:
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-url", default=os.environ.get(PG_ENV, ""))
    parser.add_argument("--tracemalloc", action="store_true", help="also trace allocations")
    args = parser.parse_args()
    mp.set_start_method("fork" if sys.platform == "linux" else "spawn")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{os.cpu_count()} CPU(s), load average {load:.1f} at start; "
        "fake Etsy in its own process, no latency, no limits"
    )
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = _run("SQLite", f"sqlite:///{folder}/bench.db", args)
    _report(sqlite)
    if sqlite["seconds"] >= SQLITE_SECONDS:
        failures.append(f"SQLite took {sqlite['seconds']:.1f} s (target < {SQLITE_SECONDS:.0f})")
    if sqlite["rss_after"] >= SQLITE_MB:
        failures.append(f"SQLite peaked at {sqlite['rss_after']:.0f} MB (target < {SQLITE_MB})")
    for r in [sqlite]:
        if r["push_calls"] != _expected_push(r["changed"]):
            failures.append(f"{r['backend']}: the push cost {r['push_calls']} calls")
    if not args.pg_url:
        print(f"\n== PostgreSQL: skipped (set {PG_ENV} or pass --pg-url)")
    else:
        url, schema = _pg_schema_url(args.pg_url)
        try:
            pg = _run("PostgreSQL", url, args)
        finally:
            _drop_schema(args.pg_url, schema)
        _report(pg)
        ratio = pg["seconds"] / sqlite["seconds"]
        print(f"   PostgreSQL / SQLite: {ratio:.2f}x (target <= {PG_FACTOR}x)")
        if ratio > PG_FACTOR:
            failures.append(f"PostgreSQL took {ratio:.2f}x SQLite's time")
        if pg["push_calls"] != _expected_push(pg["changed"]):
            failures.append(f"PostgreSQL: the push cost {pg['push_calls']} calls")
    print()
    for failure in failures:
        print(f"MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
