"""The arguments of ``etsysync auth``, ``validate`` and ``health`` (no handler imports).

Kept apart from ``commands_auth`` so building the parser does not import
keyring, httpx or the database (see ``cli.lazy``).
"""

from __future__ import annotations

import argparse

from etsysync_gui.cli.arg_types import LOGIN_TIMEOUT
from etsysync_gui.cli.lazy import handler


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``auth``, ``validate`` and ``health`` to the ``etsysync`` parser."""
    auth = commands.add_parser("auth", help="connect to Etsy, show or remove the connection")
    auth_cmds = auth.add_subparsers(title="auth commands", metavar="ACTION", required=True)
    login_cmd = auth_cmds.add_parser(
        "login", help="connect this profile to an Etsy shop (opens the browser)"
    )
    login_cmd.add_argument(
        "--no-browser",
        action="store_true",
        help="print the address instead of opening a browser; open it in a browser on this "
        "machine, or through an SSH tunnel to the redirect port (Etsy sends the browser back "
        "to localhost)",
    )
    login_cmd.add_argument(
        "--timeout",
        type=LOGIN_TIMEOUT,
        default=300.0,
        help="seconds to wait for Etsy's answer (default: 300)",
    )
    login_cmd.set_defaults(handler=handler("commands_auth", "login"))
    status_cmd = auth_cmds.add_parser(
        "status", help="Etsy user, shop, token expiry, scopes, keychain (never a secret)"
    )
    status_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    status_cmd.set_defaults(handler=handler("commands_auth", "status"))
    logout_cmd = auth_cmds.add_parser("logout", help="remove the saved Etsy credentials")
    logout_cmd.set_defaults(handler=handler("commands_auth", "logout"))

    validate_cmd = commands.add_parser(
        "validate", help="check the API key, the token and the shop against Etsy"
    )
    validate_cmd.set_defaults(handler=handler("commands_auth", "validate"))
    health_cmd = commands.add_parser(
        "health", help="database, keychain, token, API budget and last sync at a glance"
    )
    health_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    health_cmd.set_defaults(handler=handler("commands_auth", "health"))
