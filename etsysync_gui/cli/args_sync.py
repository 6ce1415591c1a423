"""The arguments of ``etsysync sync``, ``log``, ``link`` and ``unlink`` (no handler imports).

Kept apart from ``commands_sync`` so building the parser does not import the
sync engine (see ``cli.lazy``).
"""

from __future__ import annotations

import argparse
from typing import Any

from etsysync_gui.cli.arg_types import LISTING_ID, LOG_LIMIT, RECEIPT_ID
from etsysync_gui.cli.lazy import handler
from etsysync_gui.policies import ConflictPolicy

POLICIES = [p.value for p in ConflictPolicy]


def register(commands: Any) -> None:
    """Add the sync commands to the ``etsysync`` sub-parsers."""
    sync = commands.add_parser("sync", help="sync listings and/or stock with Etsy")
    kinds = sync.add_subparsers(title="sync commands", metavar="WHAT", required=True)
    helps = {
        "listings": "read every Etsy listing, its stock pools, and link them by SKU",
        "inventory": "sync stock between the catalog and Etsy for linked listings",
        "all": "listing sync, then stock sync with the numbers just read",
    }
    for kind, text in helps.items():
        _add_sync_parser(kinds.add_parser(kind, help=text), kind)
    # The listing sync's former name, kept for existing scripts; without ``help`` it
    # is not listed in ``etsysync sync --help``.
    _add_sync_parser(kinds.add_parser("products"), "listings")

    log = commands.add_parser("log", help="show the newest stock decisions")
    log.add_argument("--limit", type=LOG_LIMIT, default=50, help="how many rows (default 50)")
    log.add_argument("--json", action="store_true", help="machine-readable output")
    log.add_argument(
        "--runs", action="store_true", help="show the newest sync runs instead of decisions"
    )
    log.add_argument(
        "--receipt", type=RECEIPT_ID, help="only decisions that name this Etsy receipt (order)"
    )
    log.set_defaults(handler=handler("commands_sync", "show_log"))

    link = commands.add_parser("link", help="link a local SKU to an Etsy listing's stock")
    link.add_argument("sku")
    link.add_argument("listing_id", type=LISTING_ID)
    link.add_argument("--pool", help="the stock pool key, for listings with several pools")
    link.add_argument(
        "--local-first",
        action="store_true",
        help="the first sync pushes local stock (default: Etsy's stock is the starting point)",
    )
    link.set_defaults(handler=handler("commands_sync", "link_command"))

    unlink = commands.add_parser("unlink", help="stop syncing an Etsy listing's stock")
    unlink.add_argument("listing_id", type=LISTING_ID)
    unlink.add_argument("--pool", help="only this stock pool (default: every pool)")
    unlink.set_defaults(handler=handler("commands_sync", "unlink_command"))


def _add_sync_parser(parser: argparse.ArgumentParser, kind: str) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    if kind != "listings":
        parser.add_argument("--policy", choices=POLICIES, help="conflict policy for this run")
    if kind != "inventory":
        parser.add_argument(
            "--import-unlinked",
            action="store_true",
            help="create local variants for Etsy stock that is not linked yet",
        )
    parser.set_defaults(handler=handler("commands_sync", "sync_command"), sync_kind=kind)
