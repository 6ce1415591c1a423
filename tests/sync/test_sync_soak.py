"""Soak: a few hundred seeded random steps of a busy shop, then one fault-free run.

Why: each hole of issue "Never lose a sale" was found by a sequence nobody had
thought of (an interrupted write, then a seller's edit; a renamed variation
next to a sale).  This test lets a seeded RNG write such sequences: buyers on
Etsy, sales at home, the seller editing prices and renaming variations on
etsy.com, 5xx answers (some after Etsy applied the PUT), 429 bursts, and runs
killed at a random step of their write sequence.  After a final fault-free
run, for every linked stock pool: Etsy = local = initial - all sales, or the
pool is flagged for the seller (its variation was renamed away); no decision
was applied twice.  ``-s`` shows the counts.

No real waiting: the engine's clock is ``FakeClock``, the client's limiter runs
on a fake monotonic clock, retries use a no-op sleep.  Kills are the
``BaseException`` of ``test_sync_crash`` (``test_sync_kill`` does the real
SIGKILL); a killed run releases nothing it would not release on a real kill
that the next run's recovery has to handle (the write-ahead record stays).

The orders ledger (issue 11, hole 1) is switched on with ``LEDGER``: it then
also lands purchases between a run's batch read and its PUT (``MidRunBuyer``),
the race only the ledger can close.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyProduct
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.sync.inventory.hooks import NO_HOOKS, SyncHooks
from etsysync_gui.sync.inventory.plan_types import CHECK, RELINK
from tests.sync.in_step_shadow import InStepShadow
from tests.sync.test_support import JSON, Env, make_env, offering, one_property, simple
from tests.sync.test_sync_crash import Kill
from tests.sync.test_sync_faults import patient_client

SEED = 20261204
SEEDS = (SEED, 1, 3)
"""In the suite: the first seed, and the two that found a sale counted twice (issue 11)."""
MORE_SEEDS = (2, 4, 5, 6, 7, 8, 9, 10, 11, 12)
"""Not in the suite (about 7 s a seed and database): ``ETSYSYNC_SOAK_SEEDS=all`` runs
them too, ``ETSYSYNC_SOAK_SEEDS=5,9`` runs just those."""
STEPS = 300
LEDGER = True
"""The orders ledger's part of the soak: ``MidRunBuyer`` buys during the runs."""

COLORS = ("Red", "Blue", "Green")
RENAMES = {"Red": "Crimson", "Blue": "Navy", "Green": "Olive"}
EVENTS = (
    ("etsy_sale", 30),
    ("local_sale", 30),
    ("price_edit", 10),
    ("rename", 3),
    ("fault_5xx", 8),
    ("fault_429", 5),
    ("kill", 8),
)
pytestmark = pytest.mark.slow


@dataclass
class Pool:
    """One linked stock pool as the soak tracks it."""

    listing_id: int
    key: str
    local_sku: str
    etsy_sku: str | None
    values: dict[str, str] | None
    initial: int
    sales: int = 0
    renamed: bool = False
    keeps_identity: bool = True

    @property
    def expected(self) -> int:
        return self.initial - self.sales


@dataclass
class Tally:
    steps: int = 0
    sales: int = 0
    kills: int = 0
    faults: int = 0
    runs: int = 0
    failed_runs: int = 0
    pages_recalled: int = 0  # pages the listing reads recalled instead of decoding
    events: Counter[str] = field(default_factory=Counter)


class KillAfter(SyncHooks):
    """Kill the run at its ``events``-th hook event (any step, any listing)."""

    def __init__(self, events: int, tally: Tally) -> None:
        self.left = events
        self.tally = tally

    def _tick(self, _listing_id: int) -> None:
        self.left -= 1
        if self.left == 0:
            self.tally.kills += 1
            raise Kill("soak")

    before_write_ahead = after_write_ahead = after_put = _tick
    after_state_change = after_commit = _tick


class MidRunBuyer(SyncHooks):
    """A buyer buys between the batch read and the PUT of a listing (needs the ledger)."""

    def __init__(self, env: Env, pools: list[Pool], rng: random.Random, tally: Tally) -> None:
        self.env, self.pools, self.rng, self.tally = env, pools, rng, tally

    def before_write_ahead(self, listing_id: int) -> None:
        mine = [p for p in self.pools if p.listing_id == listing_id]
        if mine and self.rng.random() < 0.3:
            etsy_sale(self.env, self.rng.choice(mine), self.tally)


@pytest.fixture
def env(database: Database) -> Iterator[Env]:
    with make_env(database, client_for=patient_client) as made:
        yield made


def build_shop(env: Env, rng: random.Random) -> list[Pool]:
    """Simple listings, per-color listings (SKUs), one without SKUs, one with 3 variations."""
    pools: list[Pool] = []
    local: dict[str, int] = {}
    for n in range(5):
        quantity = rng.randint(15, 30)
        lid = env.add(simple(f"S{n}", quantity))
        pools.append(Pool(lid, f"sku:S{n}", f"S{n}", f"S{n}", None, quantity))
    for n in range(3):
        rows = [(c, f"V{n}-{c}", rng.randint(15, 30), "12.50") for c in COLORS]
        lid = env.add(one_property(rows))
        for color, sku, quantity, _ in rows:
            pools.append(Pool(lid, f"sku:{sku}", sku, sku, {"Primary color": color}, quantity))
    rows = [(c, "", rng.randint(15, 30), "9.00") for c in COLORS]
    lid = env.add(one_property(rows, per_value_sku=False))
    for color, _, quantity, _ in rows:
        key = f"prop:Primary color={color}"
        values = {"Primary color": color}
        pools.append(Pool(lid, key, f"L-{color}", None, values, quantity, keeps_identity=False))
    lid = env.add(three_variations(rng, pools))
    for pool in pools:
        pool.listing_id = pool.listing_id or lid
        local[pool.local_sku] = pool.initial
    env.catalog(local)
    service = env.service(**service_options())
    service.sync_listings("manual")
    for pool in pools:
        if pool.key.startswith("prop:"):
            service.link(pool.local_sku, pool.listing_id, pool.key)
    assert service.sync_inventory("manual").status == "completed"
    return pools


def three_variations(rng: random.Random, pools: list[Pool]) -> JSON:
    """A 2 x 2 x 2 listing (color, size, material), a pool and a SKU per product."""
    products = []
    for color in ("Red", "Blue"):
        for size in ("S", "M"):
            for material in ("Oak", "Ash"):
                sku = f"T-{color}-{size}-{material}"
                quantity = rng.randint(15, 30)
                values = {"Primary color": color, "Size": size, "Material": material}
                pools.append(Pool(0, f"sku:{sku}", sku, sku, values, quantity))
                products.append(
                    {
                        "sku": sku,
                        "property_values": [
                            {"property_id": pid, "property_name": name, "value_ids": [],
                             "values": [values[name]], "scale_id": None}
                            for pid, name in ((200, "Primary color"), (513, "Size"),
                                              (514, "Material"))
                        ],
                        "offerings": [offering(quantity, "30.00")],
                    }
                )  # fmt: skip
    return {
        "products": products,
        "price_on_property": [],
        "quantity_on_property": [200, 513, 514],
        "sku_on_property": [200, 513, 514],
        "readiness_state_on_property": [],
    }


def service_options() -> dict[str, Any]:
    """Options of every run; the ledger's switch goes here when it exists."""
    return {}


# --- the steps ------------------------------------------------------------------------


def etsy_sale(env: Env, pool: Pool, tally: Tally) -> None:
    """A buyer buys one, if Etsy offers it and there really is one left."""
    if pool.renamed or pool.expected < 1:
        return
    values = None if pool.etsy_sku is not None else pool.values
    try:
        env.server.simulate_purchase(pool.listing_id, 1, sku=pool.etsy_sku, property_values=values)
    except ValueError:  # sold out, disabled or the listing inactive on Etsy
        return
    pool.sales += 1
    tally.sales += 1


def local_sale(env: Env, pool: Pool, tally: Tally) -> None:
    """One sells at home, if there really is one left (no oversell by the soak itself)."""
    local = env.local(pool.local_sku)
    if pool.expected < 1 or local < 1:
        return
    env.set_local(pool.local_sku, local - 1)
    pool.sales += 1
    tally.sales += 1


def price_edit(env: Env, pool: Pool, rng: random.Random) -> None:
    """The seller saves a new price on etsy.com (Etsy regenerates the ids)."""
    if pool.renamed:
        return
    price = f"{rng.randint(5, 60)}.{rng.randint(0, 99):02d}"
    values = None if pool.etsy_sku is not None else pool.values
    env.server.seller_edit(pool.listing_id, sku=pool.etsy_sku, property_values=values, price=price)


def rename(env: Env, pool: Pool) -> None:
    """The seller renames the pool's color; without a SKU the pool loses its identity."""
    if pool.renamed or pool.values is None or "Size" in pool.values:
        return
    old = pool.values["Primary color"]
    if old not in RENAMES:
        return
    body: Any = env.inventory(pool.listing_id).to_put_body()
    for product in body["products"]:
        for value in product["property_values"]:
            if value["values"] == [old]:
                value["values"] = [RENAMES[old]]
                value["value_ids"] = []
    env.server.seller_replace_inventory(pool.listing_id, body)
    pool.values = {"Primary color": RENAMES[old]}
    pool.renamed = not pool.keeps_identity


def fault(env: Env, rng: random.Random, kind: str, tally: Tally) -> None:
    faults = env.server.faults
    tally.faults += 1
    if kind == "fault_429":
        faults.rate_limit_next(rng.randint(1, 6), retry_after=rng.randint(1, 3))
        return
    operation = rng.choice(
        [None, "updateListingInventory", "getListingsInventoryByListingIds", "getListingsByShop"]
    )
    faults.fail_next(
        rng.choice([1, 2, 5, 6]),
        status=rng.choice([500, 502, 503, 504]),
        operations=None if operation is None else [operation],
        after_effect=operation == "updateListingInventory" and rng.random() < 0.5,
    )


def run(env: Env, hooks: SyncHooks, rng: random.Random, tally: Tally) -> None:
    """A scheduled sync (mostly inventory only, sometimes with the listing sync first)."""
    env.clock.advance(600)
    service = env.service(hooks=hooks, **service_options())
    tally.runs += 1
    try:
        if rng.random() < 0.2:
            result = service.sync_all("scheduled")
        else:
            result = service.sync_inventory("scheduled")
    except (Kill, EtsySyncError):
        tally.failed_runs += 1
        return
    if result.status != "completed":
        tally.failed_runs += 1
    if result.listing_sync is not None:
        tally.pages_recalled += result.listing_sync.pages_recalled


def step(env: Env, pools: list[Pool], rng: random.Random, tally: Tally) -> SyncHooks | None:
    """One random event; a kill returns the hooks of the run it kills (run at once)."""
    kinds, weights = zip(*EVENTS, strict=True)
    kind = rng.choices(kinds, weights)[0]
    tally.events[kind] += 1
    pool = rng.choice(pools)
    if kind == "etsy_sale":
        etsy_sale(env, pool, tally)
    elif kind == "local_sale":
        local_sale(env, pool, tally)
    elif kind == "price_edit":
        price_edit(env, pool, rng)
    elif kind == "rename":
        rename(env, pool)
    elif kind == "kill":
        return KillAfter(rng.randint(1, 6), tally)
    else:
        fault(env, rng, kind, tally)
    return None


def edit_in_the_window(env: Env, pools: list[Pool], rng: random.Random, tally: Tally) -> None:
    """The seller often edits a listing whose write was just interrupted.

    The most dangerous window (hole 2 of the issue) is rare by chance alone, so
    most times a write-ahead record is left, the seller saves a price there.
    """
    with env.database.session() as session:
        waiting = set(
            session.scalars(
                select(EtsyProduct.etsy_listing_id).where(EtsyProduct.pending_write.is_not(None))
            )
        )
    pending = [p for p in pools if p.listing_id in waiting]
    if pending and rng.random() < 0.8:
        tally.events["window_edit"] += 1
        price_edit(env, rng.choice(pending), rng)


# --- the check ------------------------------------------------------------------------


def flagged(env: Env, pool: Pool) -> bool:
    """Shown to the seller: the pool is flagged ``relink``, or the listing sync dropped
    its row and the renamed variation waits, unlinked, for a link."""
    rows = env.pools(pool.listing_id)
    row = rows.get(pool.key)
    if row is not None:
        return row.status == RELINK
    return any(r.local_variant_id is None for r in rows.values())


def assert_converged(env: Env, pools: list[Pool]) -> tuple[int, int, int]:
    """Every pool: Etsy = local = initial - sales, or flagged.

    Returns the pools flagged ``relink``, those flagged ``check`` and how many of
    those really show one less than exists.

    A pool flagged ``check`` (a sale the engine could not place before or after a
    write's read, counted to be safe) may show one less than exists, never more.
    """
    flags = checks = below = 0
    for pool in pools:
        if pool.renamed:
            assert flagged(env, pool), pool
            flags += 1
            continue
        local = env.local(pool.local_sku)
        if env.pools(pool.listing_id)[pool.key].status == CHECK:
            checks += 1
            assert pool.expected - 1 <= local <= pool.expected, (pool, local)
            below += local < pool.expected
            pool.sales = pool.initial - local  # what the seller is asked to check
        assert local == pool.expected, (pool, local)
        listing = env.listing_row(pool.listing_id)
        assert listing.pending_write is None, pool
        etsy = env.etsy(pool.listing_id)[pool.key]
        if listing.deactivated_by_etsysync:  # sold out everywhere: Etsy keeps its last number
            assert pool.expected == 0, pool
            assert env.etsy_state(pool.listing_id) == "inactive", pool
        else:
            assert etsy == pool.expected, (pool, etsy)
    return flags, checks, below


def assert_no_decision_twice(env: Env) -> None:
    """No pool logs the same writing decision on the same numbers twice in a row.

    Stock only goes down in the soak, so a repeat would mean one decision applied
    (and logged) twice, e.g. by a recovery and then again by the run itself.
    """
    last: dict[tuple[int, str], tuple[Any, ...]] = {}
    for row in env.log():
        if row.sync_result != "success" or row.sync_action == "no_change":
            continue
        pool = (row.etsy_listing_id, row.pool_key)
        decision = (row.sync_action, row.local_quantity, row.etsy_quantity)
        assert last.get(pool) != decision, (pool, decision, row.message)
        last[pool] = decision


CHOSEN_SEEDS = os.environ.get("ETSYSYNC_SOAK_SEEDS", "")
"""Read at collection: every test runs in a clean environment (``tests/conftest.py``), so
the variable is gone by the time a test body looks."""


def _seeds() -> list[int]:
    chosen = CHOSEN_SEEDS
    if chosen == "all":
        return [*SEEDS, *MORE_SEEDS]
    return [int(s) for s in chosen.split(",") if s.strip()] or list(SEEDS)


@pytest.mark.parametrize("seed", _seeds())
def test_soak_random_shop_life_ends_with_every_sale_counted(
    env: Env, seed: int, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if seed != SEED and not database.is_sqlite and not CHOSEN_SEEDS:
        # CI's 15 minutes: the main seed runs on both databases, the others on SQLite
        # (the decisions do not depend on the backend); ETSYSYNC_SOAK_SEEDS runs all.
        pytest.skip("extra soak seeds run on SQLite unless ETSYSYNC_SOAK_SEEDS is set")
    rng = random.Random(seed)
    tally = Tally()
    shadow = InStepShadow(env.options(**service_options())).install(monkeypatch)
    pools = build_shop(env, rng)
    for _ in range(STEPS):
        tally.steps += 1
        kill = step(env, pools, rng, tally)
        if kill is not None or rng.random() < 0.4:
            hooks = kill or (MidRunBuyer(env, pools, rng, tally) if LEDGER else NO_HOOKS)
            run(env, hooks, rng, tally)
            edit_in_the_window(env, pools, rng, tally)

    env.server.faults.clear()
    env.clock.advance(3600)
    final = env.service(**service_options()).sync_inventory("scheduled")
    assert final.status == "completed", final.listing_errors
    flags, checks, below = assert_converged(env, pools)
    assert_no_decision_twice(env)
    assert tally.sales > 50, tally
    assert tally.kills > 5, tally
    assert tally.faults > 10, tally
    assert tally.failed_runs > 0, tally
    assert tally.events["price_edit"] > 10, tally
    assert shadow.checked > 20, shadow.checked  # the fast path ran, and was checked
    print(
        f"soak seed {seed}: {tally.steps} steps, {tally.sales} sales, {tally.kills} kills, "
        f"{tally.faults} faults, {tally.runs} runs ({tally.failed_runs} failed), "
        f"{flags} flagged relink, {checks} flagged check "
        f"({below} of them one below); {dict(tally.events)}; "
        f"{shadow.checked} in-step skips checked ({len(shadow.seen)} listings), "
        f"{tally.pages_recalled} pages recalled"
    )
