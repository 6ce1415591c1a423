"""The ``etsysync`` command: EtsySync for terminals, servers and cron.

``main`` turns every ``EtsySyncError`` into one clear line on stderr and the
documented exit code; anything unexpected is logged in full (redacted) to the
log file and reported as one line pointing at it, never as a traceback.

Exit codes: 0 ok, 1 done with errors on some items, 2 usage or configuration
error, 3 a sync is already running, 4 the user must act (credentials),
70 internal error (a bug: see the log file), 130 interrupted.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from etsysync_gui.cli.parser import build_parser
from etsysync_gui.errors import EXIT_USAGE, CatalogImportError, EtsySyncError

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

log = logging.getLogger("etsysync_gui.cli")


def _report(error: EtsySyncError) -> None:
    print(f"etsysync: {error.message}", file=sys.stderr)
    if isinstance(error, CatalogImportError):
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["fake-etsy"]:
        # The fake server has its own argument parser; it ships for the demo and benchmarks.
        from fake_etsy.cli import main as fake_main

        return fake_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.handler(args)
        return code
    except EtsySyncError as error:
        log.debug("Command failed: %s", error.message)
        _report(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("etsysync: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: no traceback for the user
        log.exception("Unexpected error in %s", args_list[:1])
        print(
            f"etsysync: unexpected error ({type(exc).__name__}); "
            "the details are in the log file (etsysync status shows where).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
