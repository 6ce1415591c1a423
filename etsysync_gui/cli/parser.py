"""The argument parser of ``etsysync``: one sub-command per task, a global ``--profile``.

Handlers are ``cli.lazy`` references: a command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse

from etsysync_gui import __version__
from etsysync_gui.cli.arg_types import csv_file
from etsysync_gui.cli.args_auth import register as register_auth_commands
from etsysync_gui.cli.args_sync import register as register_sync_commands
from etsysync_gui.cli.lazy import handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="etsysync",
        description="Keep an Etsy shop's listings and stock in step with your own catalog.",
        epilog="Exit codes: 0 ok, 1 some items failed, 2 usage or configuration error, "
        "3 a sync is already running, 4 you need to act (e.g. reconnect to Etsy).",
    )
    parser.add_argument("--version", action="version", version=f"etsysync {__version__}")
    parser.add_argument(
        "--profile",
        help="configuration profile (default: ETSYSYNC_PROFILE, then the configured default, "
        "then 'production')",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(handler=handler("commands_db", "migrate"))

    status = commands.add_parser("status", help="database, schema revision, shops, last syncs")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=handler("commands_db", "status"))

    config = commands.add_parser("config", help="show or change the configuration")
    config_cmds = config.add_subparsers(title="config commands", metavar="ACTION", required=True)
    show = config_cmds.add_parser("show", help="show the active profile (secrets masked)")
    show.set_defaults(handler=handler("commands_config", "show"))
    setter = config_cmds.add_parser("set", help="set KEY to VALUE in the active profile")
    setter.add_argument("key")
    setter.add_argument("value")
    setter.set_defaults(handler=handler("commands_config", "set_value"))

    catalog = commands.add_parser("catalog", help="import or export the local catalog as CSV")
    catalog_cmds = catalog.add_subparsers(title="catalog commands", metavar="ACTION", required=True)
    imp = catalog_cmds.add_parser(
        "import", help="upsert variants by sku from a CSV (sku,quantity[,title,price,product])"
    )
    imp.add_argument("file", type=csv_file)
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows even when some rows are invalid",
    )
    imp.add_argument(
        "--dry-run",
        action="store_true",
        help="show what the import would do (new, changed, unchanged, invalid) and change nothing",
    )
    imp.set_defaults(handler=handler("commands_catalog", "import_csv"))
    exp = catalog_cmds.add_parser("export", help="write the catalog to a CSV file")
    exp.add_argument("file", type=csv_file)
    exp.set_defaults(handler=handler("commands_catalog", "export_csv"))

    register_auth_commands(commands)  # auth login|status|logout, validate, health

    register_sync_commands(commands)

    commands.add_parser(
        "fake-etsy",
        help="run the fake Etsy server (demo, scripts); see 'etsysync fake-etsy --help'",
        add_help=False,
    )
    return parser
