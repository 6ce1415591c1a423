"""The ``etsysync`` command: EtsySync for terminals, servers and cron.

``main`` turns every ``EtsySyncError`` into one clear line on stderr and the
documented exit code; anything unexpected is logged in full (redacted) to the
log file and reported as one line pointing at it, never as a traceback.

Exit codes: 0 ok, 1 done with errors on some items, 2 usage or configuration
error, 3 a sync is already running (or the database is busy), 4 the user must
act (credentials), 70 internal error (a bug: see the log file), 74 the disk is
full, 130 interrupted, 141 the output pipe closed early (``| head``), as the
shell reports for tools stopped by SIGPIPE.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence

from etsysync_gui.cli.parser import build_parser
from etsysync_gui.errors import EXIT_USAGE, CatalogImportError, EtsySyncError

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

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
    try:
        args = parser.parse_args(args_list)
    except BrokenPipeError:  # `etsysync --help | head -1`
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return _run(args.handler, args, args_list)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _run(handler: Callable[..., int], args: object, args_list: list[str]) -> int:
    """Run one command; every way it can end becomes one line and a documented exit code.

    Machine failures (a full disk, a database held by another process) are
    recognised by ``failures.user_error_for`` so they never reach exit 70.
    """
    try:
        code: int = handler(args)
        sys.stdout.flush()  # a closed pipe or a full disk shows up here, not at exit
        return code
    except EtsySyncError as error:
        log.debug("Command failed: %s", error.message)
        _report(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("etsysync: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `etsysync sync all | head`: the reader has what it wanted; stop quietly.
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # the last line of defence: no traceback for the user
        # Imported here: it imports SQLAlchemy, which ``--help`` never needs (``cli.lazy``).
        from etsysync_gui.failures import user_error_for

        known = user_error_for(exc)
        if known is not None:
            log.info("Command failed: %s (%s)", known.message, type(exc).__name__)
            if isinstance(exc, OSError):
                _quiet_stdout()  # stdout itself may be the full disk: do not fail at exit
            _report(known)
            return known.exit_code
        log.exception("Unexpected error in %s", args_list[:1])
        print(
            f"etsysync: unexpected error ({type(exc).__name__}); "
            "the details are in the log file (etsysync status shows where).",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
