"""Bulk rows for the sync log tests: runs and decisions, inserted in one statement each."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsyInventorySyncLog, SyncRun

ACTIONS = ("push_to_etsy", "pull_from_etsy", "merge", "no_change")


def fill_log(
    database: Database, *, shop_id: int, runs: int, per_run: int, end: datetime
) -> list[int]:
    """``runs`` runs of ``per_run`` decisions each, one minute apart, the last at ``end``."""
    total = runs * per_run
    first = end - timedelta(minutes=total - 1)
    run_rows = [
        {
            "shop_id": shop_id,
            "kind": "inventory",
            "trigger": "scheduled",
            "dry_run": False,
            "status": "completed",
            "started_at": first + timedelta(minutes=r * per_run),
            "finished_at": first + timedelta(minutes=(r + 1) * per_run - 1),
            "listings": per_run,
            "pushes": per_run // 4,
            "pulls": per_run // 4,
            "merges": per_run // 4,
            "conflicts": 0,
            "errors": per_run // 10,
            "api_calls": per_run // 10 + 1,
            "etsy_writes": per_run // 5,
        }
        for r in range(runs)
    ]
    with database.session() as session:
        run_ids = [int(i) for i in session.scalars(insert(SyncRun).returning(SyncRun.id), run_rows)]
    rows = []
    for n in range(total):
        run_id = run_ids[n // per_run]
        result = "error" if n % 10 == 0 else "success"
        rows.append(
            {
                "run_id": run_id,
                "etsy_listing_id": 1_000 + n % 37,
                "pool_key": f"sku:SKU-{n % 37}",
                "local_quantity": n % 9,
                "etsy_quantity": n % 7,
                "quantity_diff": n % 9 - n % 7,
                "sync_action": ACTIONS[n % 4],
                "sync_result": result,
                "synced_at": first + timedelta(minutes=n),
                "message": "Etsy refused the change" if result == "error" else f"Etsy {n % 7}",
            }
        )
    with database.session() as session:
        session.execute(insert(EtsyInventorySyncLog), rows)
    return run_ids
