"""Bulk demo data for the GUI benchmark: 100,000 listings and 1,000,000 log rows in SQLite.

Raw DB-API ``executemany`` in one transaction per table (the ORM would spend
minutes on a million rows); datetimes are written in the text form
SQLAlchemy's SQLite ``DateTime`` uses, so the app reads them back as usual.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from etsysync_gui.db.engine import Database

T_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
WORDS = ("Rustic", "Tiny", "Golden", "Vintage", "Cozy", "Minimal", "Bold", "Handmade")
WOODS = ("Oak", "Walnut", "Maple", "Linen", "Brass", "Ceramic", "Wool", "Cotton")
THINGS = ("Mug", "Scarf", "Candle", "Print", "Planter", "Tote Bag", "Necklace", "Board")
STATES = ("active",) * 8 + ("inactive", "draft", "sold_out", "expired")
ACTIONS = ("push_to_etsy", "pull_from_etsy", "merge", "no_change")


def _t(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(T_FORMAT)


def _insert(
    database: Database, sql: str, rows: Iterator[Sequence[Any]], chunk: int = 50_000
) -> int:
    connection = database.engine.raw_connection()
    total = 0
    try:
        cursor = connection.cursor()
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
        connection.commit()
    finally:
        connection.close()
    return total


def fill_listings(database: Database, shop_id: int, count: int, now: datetime) -> None:
    """``count`` listings with one stock pool each; two in three linked to a local variant."""
    rng = random.Random(3)
    stamp = _t(now)
    linked = [n for n in range(count) if n % 3 != 2]
    _insert(
        database,
        "INSERT INTO products (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        ((n + 1, _title(n), stamp, stamp) for n in linked),
    )
    _insert(
        database,
        "INSERT INTO product_variants (id, product_id, sku, name, price, quantity, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (n + 1, n + 1, f"SKU-{n:06d}", "Whole listing", "12.50", rng.randint(0, 60), stamp,
             stamp)
            for n in linked
        ),
    )  # fmt: skip
    _insert(
        database,
        "INSERT INTO etsy_products (etsy_listing_id, shop_id, local_product_id, title, price,"
        " quantity, sku, state, url, sync_status, last_synced_at, has_variations,"
        " deactivated_by_etsysync, disabled_by_us, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '[]', ?, ?)",
        (
            (
                2_000_000_000 + n, shop_id, n + 1 if n % 3 != 2 else None, _title(n),
                f"{rng.randint(100, 30000) / 100:.2f}", rng.randint(0, 60), f"SKU-{n:06d}",
                STATES[n % len(STATES)], f"https://www.etsy.com/listing/{2_000_000_000 + n}",
                "error" if n % 97 == 0 else "synced", stamp, stamp, stamp,
            )
            for n in range(count)
        ),
    )  # fmt: skip
    _insert(
        database,
        "INSERT INTO etsy_stock_pools (etsy_listing_id, pool_key, label, sku, local_variant_id,"
        " link_source, first_truth, base_local, base_etsy, etsy_quantity, etsy_enabled, status,"
        " created_at, updated_at) VALUES (?, ?, 'Whole listing', ?, ?, ?, 'etsy', ?, ?, ?, 1, ?,"
        " ?, ?)",
        (
            (
                2_000_000_000 + n, f"sku:SKU-{n:06d}", f"SKU-{n:06d}",
                n + 1 if n % 3 != 2 else None, "sku" if n % 3 != 2 else None,
                10 if n % 3 != 2 else None, 10 if n % 3 != 2 else None, rng.randint(0, 60),
                "ok" if n % 3 != 2 else "unlinked", stamp, stamp,
            )
            for n in range(count)
        ),
    )  # fmt: skip


def _title(n: int) -> str:
    return f"{WORDS[n % 8]} {WOODS[n // 8 % 8]} {THINGS[n // 64 % 8]} #{n}"


def fill_log(
    database: Database, shop_id: int, rows: int, listings: int, now: datetime, per_run: int = 5_000
) -> None:
    """``rows`` decisions in runs of ``per_run``, one every few seconds up to ``now``."""
    runs = rows // per_run
    start = now - timedelta(seconds=3 * rows)
    _insert(
        database,
        "INSERT INTO sync_runs (id, shop_id, kind, trigger, dry_run, status, started_at,"
        " finished_at, listings, pushes, pulls, merges, conflicts, errors, api_calls, message)"
        " VALUES (?, ?, 'inventory', 'scheduled', 0, 'completed', ?, ?, ?, ?, ?, ?, 0, ?, ?,"
        " NULL)",
        (
            (r + 1, shop_id, _t(start + timedelta(seconds=3 * r * per_run)),
             _t(start + timedelta(seconds=3 * (r + 1) * per_run)), per_run, per_run // 4,
             per_run // 4, per_run // 4, per_run // 50, per_run // 100 + 2)
            for r in range(runs)
        ),
    )  # fmt: skip
    _insert(
        database,
        "INSERT INTO etsy_inventory_sync_log (run_id, etsy_listing_id, pool_key, local_quantity,"
        " etsy_quantity, quantity_diff, sync_action, sync_result, synced_at, message)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                n // per_run + 1, 2_000_000_000 + n * 7 % listings,
                f"sku:SKU-{n * 7 % listings:06d}",
                n % 9, n % 7, n % 9 - n % 7, ACTIONS[n % 4],
                "error" if n % 50 == 0 else "success",
                _t(start + timedelta(seconds=3 * n)),
                "Etsy refused the change" if n % 50 == 0 else f"Etsy {n % 7} → {n % 9}",
            )
            for n in range(rows)
        ),
    )  # fmt: skip
