"""``etsysync sync listings|inventory|all``, ``etsysync log``, ``link`` and ``unlink``.

Exit codes (see ``cli``): 0 done; 1 done, but some listings failed (or the run
was cancelled); 2 usage or configuration (e.g. no shop configured); 3 a sync of
this shop is already running; 4 Etsy needs the user (missing or revoked
credentials).  Errors arrive as ``EtsySyncError`` subclasses carrying those
codes, and ``cli.main`` prints their one-line message.

The Etsy client comes from ``etsysync_gui.etsy_account.client_from_settings``
(looked up at call time, so tests and the demo can substitute it).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from etsysync_gui import etsy_account
from etsysync_gui.bootstrap import AppContext, start
from etsysync_gui.cli import args_sync
from etsysync_gui.cli.report import format_plan, format_run
from etsysync_gui.db.models import CATALOG_ACTIONS
from etsysync_gui.errors import EXIT_PARTIAL
from etsysync_gui.queries.log import load_runs
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.audit import LogEntry
from etsysync_gui.sync.runs.records import RunResult
from etsysync_gui.sync.service import SyncService


def register(commands: Any) -> None:
    """Add the sync commands to the ``etsysync`` sub-parsers (see ``args_sync``)."""
    args_sync.register(commands)


def _with_service(args: argparse.Namespace, work: Callable[[SyncService], int]) -> int:
    context: AppContext = start(args.profile)
    try:
        options = SyncOptions.from_settings(context.settings)
        settings = context.settings
        service = SyncService(
            context.require_database(),
            lambda: etsy_account.client_from_settings(settings),
            options,
        )
        try:
            return work(service)
        finally:
            service.close()
    finally:
        context.close()


def sync_command(args: argparse.Namespace) -> int:
    def work(service: SyncService) -> int:
        kind = args.sync_kind
        if kind == "listings":
            result = service.sync_listings(
                "cli", dry_run=args.dry_run, import_unlinked=args.import_unlinked
            )
        elif kind == "inventory":
            result = service.sync_inventory("cli", dry_run=args.dry_run, policy=args.policy)
        else:
            result = service.sync_all(
                "cli",
                dry_run=args.dry_run,
                policy=args.policy,
                import_unlinked=args.import_unlinked,
            )
        _print_result(result, as_json=args.json)
        return 0 if result.status == "completed" else EXIT_PARTIAL

    return _with_service(args, work)


def _print_result(result: RunResult, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), indent=2, default=str))
        return
    if result.dry_run and result.plan is not None:
        for line in format_plan(result.plan):
            print(line)
    for line in format_run(result):
        print(line)


def show_log(args: argparse.Namespace) -> int:
    def work(service: SyncService) -> int:
        if args.runs:
            return _show_runs(service, args.limit, as_json=args.json)
        entries = service.recent_log(args.limit, receipt=args.receipt)
        if args.json:
            print(json.dumps([e.to_json() for e in entries], indent=2))
        elif not entries and args.receipt is not None:
            print(f"No stock decision names receipt {args.receipt}.")
        elif not entries:
            print(_empty_log_message(service))
        else:
            for entry in entries:
                print(_log_line(entry))
        return 0

    return _with_service(args, work)


def _empty_log_message(service: SyncService) -> str:
    """Right after a first run the decision log is empty; say why, and where the run is."""
    runs = len(load_runs(service.database, limit=1000))
    if not runs:
        return "The sync log is empty: no sync has run yet ('etsysync sync all' starts one)."
    return (
        f"No stock decisions yet; {runs} sync run(s) recorded (see them with "
        "'etsysync log --runs'). Decisions appear once a stock pool is linked to the catalog."
    )


def _show_runs(service: SyncService, limit: int, *, as_json: bool) -> int:
    runs = load_runs(service.database, limit=limit)
    if as_json:
        rows = [
            {**asdict(run), "kind": run.kind.command, "counts": run.counts.to_json()}
            for run in runs
        ]
        print(json.dumps(rows, indent=2, default=str))
        return 0
    if not runs:
        print("No sync has run yet ('etsysync sync all' starts one).")
    for run in runs:
        when = run.started_at.strftime("%Y-%m-%d %H:%M:%S")
        dry = " (dry run)" if run.dry_run else ""
        line = f"{when}  {run.kind.command:<9} {run.trigger:<9} {run.status:<22}{dry}"
        print(f"{line} {run.counts.describe()}")
    return 0


def _log_line(entry: LogEntry) -> str:
    when = entry.synced_at.strftime("%Y-%m-%d %H:%M:%S")
    title = f" {entry.listing_title!r}" if entry.listing_title else ""
    pool = f" [{entry.pool_key}]" if entry.pool_key else ""
    if entry.action in CATALOG_ACTIONS:  # the seller's own change: no Etsy side to show
        where = f" listing {entry.listing_id}{title}{pool}" if entry.listing_id else ""
        return f"{when}  {entry.action:<14} {entry.result:<7}{where}  {entry.message or ''}"
    return (
        f"{when}  {entry.action:<14} {entry.result:<7} listing {entry.listing_id}{title}{pool}"
        f"  local {entry.local_quantity}, Etsy {entry.etsy_quantity}: {entry.message or ''}"
    )


def link_command(args: argparse.Namespace) -> int:
    def work(service: SyncService) -> int:
        first = FirstTruth.LOCAL if args.local_first else FirstTruth.ETSY
        done = service.link(args.sku, args.listing_id, args.pool, first_truth=first)
        side = "local stock" if first is FirstTruth.LOCAL else "Etsy's stock"
        print(
            f"Linked SKU {done.sku} to listing {done.listing_id} ({done.label}, {done.pool_key}); "
            f"the next stock sync starts from {side}."
        )
        return 0

    return _with_service(args, work)


def unlink_command(args: argparse.Namespace) -> int:
    def work(service: SyncService) -> int:
        count = service.unlink(args.listing_id, args.pool)
        print(f"Unlinked {count} stock pool(s) of listing {args.listing_id}.")
        return 0

    return _with_service(args, work)
