"""``fake-etsy``: run the fake Etsy server from the command line (demo mode, benchmarks).

Why: the demo and benchmark scripts start the fake as a separate process and need to
learn, machine-readably, where it listens and which credentials work. Before serving it
prints ``KEY=VALUE`` lines (``ETSY_API_BASE_URL``, ``ETSY_OAUTH_CONNECT_URL``,
``ETSY_OAUTH_TOKEN_URL``, ``ETSY_API_KEY``, ``ETSY_API_SECRET``, ``ETSY_SHOP_ID``,
``ETSY_ACCESS_TOKEN``, ``ETSY_REFRESH_TOKEN``) to stdout and flushes, then serves until
SIGINT or SIGTERM and exits 0 without a traceback. ``--port 0`` picks a free port.
Bad arguments print one line to stderr and exit 2. ``etsysync fake-etsy ...`` calls
:func:`main`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, NoReturn

from fake_etsy.server import (
    DEFAULT_KEYSTRING,
    DEFAULT_SHARED_SECRET,
    FakeEtsyServer,
)

PROG = "fake-etsy"
UNLIMITED = ("none", "unlimited", "0")


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


def _limit(kind: Callable[[str], float | int]) -> Callable[[str], float | int | None]:
    def parse(text: str) -> float | int | None:
        if text.strip().lower() in UNLIMITED:
            return None
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value

    parse.__name__ = kind.__name__
    return parse


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise ValueError(text)
    return value


def _latency(text: str) -> float:
    value = float(text)
    if value < 0:
        raise ValueError(text)
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Serve a fake Etsy Open API v3 shop on 127.0.0.1.")
    parser.add_argument(
        "--listings", type=_non_negative_int, default=100, help="listings to generate"
    )
    parser.add_argument("--port", type=_port, default=0, help="port (0 = any free port)")
    parser.add_argument("--keystring", default=DEFAULT_KEYSTRING)
    parser.add_argument("--shared-secret", default=DEFAULT_SHARED_SECRET)
    parser.add_argument(
        "--qps", type=_limit(float), default=10.0, help="requests/second ('none' = unlimited)"
    )
    parser.add_argument(
        "--qpd", type=_limit(int), default=10_000, help="requests/day ('none' = unlimited)"
    )
    parser.add_argument("--latency-ms", type=_latency, default=0.0, help="added per request")
    parser.add_argument("--fault-rate", type=_rate, default=0.0, help="share of random 5xx, 0..1")
    parser.add_argument("--seed", type=int, default=0, help="shop generator seed")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server until SIGINT/SIGTERM; returns the process exit code."""
    args = _parse(argv)
    if args is None:
        return 2
    server = FakeEtsyServer(
        listings=args.listings,
        seed=args.seed,
        keystring=args.keystring,
        shared_secret=args.shared_secret,
        qps=args.qps,
        qpd=args.qpd,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        port=args.port,
    )
    try:
        server.start()
    except OSError as exc:
        print(f"{PROG}: error: cannot listen on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = _stop_on_signals(stop)
    try:
        _announce(server, args.listings)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace | None:
    """The arguments, or ``None`` after printing a usage error."""
    try:
        args = build_parser().parse_args(argv)
        if not args.keystring or ":" in args.keystring or not args.shared_secret:
            raise _UsageError(
                "--keystring must be non-empty without ':'; --shared-secret non-empty"
            )
    except _UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return None
    return args


def _stop_on_signals(stop: threading.Event) -> dict[signal.Signals, Any]:
    """Make SIGINT/SIGTERM set ``stop``; returns the handlers to restore.

    Python lets only the main thread install handlers; elsewhere (a test
    calling ``main``) nothing is installed.
    """

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    return previous


def _announce(server: FakeEtsyServer, listings: int) -> None:
    """Print the environment a client needs (stdout) and a one-line status (stderr)."""
    access, refresh, _ = server.issue_tokens()
    lines = {
        "ETSY_API_BASE_URL": server.base_url,
        "ETSY_OAUTH_CONNECT_URL": server.oauth_connect_url,
        "ETSY_OAUTH_TOKEN_URL": server.token_url,
        "ETSY_API_KEY": server.keystring,
        "ETSY_API_SECRET": server.shared_secret,
        "ETSY_SHOP_ID": str(server.shop_id),
        "ETSY_ACCESS_TOKEN": access,
        "ETSY_REFRESH_TOKEN": refresh,
    }
    sys.stdout.write("".join(f"{key}={value}\n" for key, value in lines.items()))
    sys.stdout.flush()
    print(
        f"{PROG}: serving {listings} listings at {server.base_url} (Ctrl+C or SIGTERM to stop)",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
