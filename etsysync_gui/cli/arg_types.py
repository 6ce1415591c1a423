"""Argument types with bounds, so an absurd number is a usage error, not a database crash.

``int`` alone accepts ``99999999999999999999``, ``1_0`` and full-width digits;
the first overflows PostgreSQL's BIGINT (or SQLite's INTEGER) deep inside a
query and used to surface as exit 70.  These types accept plain ASCII digits
within the range the column or the option can hold, and say so otherwise.
An empty file name is refused by name too, instead of becoming ``Path('.')``
and a message about a folder nobody named.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

MAX_BIGINT = 2**63 - 1


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number written in ASCII digits, ``low`` ≤ n ≤ ``high``."""

    def parse(text: str) -> int:
        raw = text.strip()
        digits = raw[1:] if raw.startswith("-") else raw
        if not digits.isascii() or not digits.isdigit() or len(digits) > 30:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
        value = int(raw)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{value} is out of range (use a number from {low} to {high})"
            )
        return value

    return parse


def bounded_seconds(low: float, high: float) -> Callable[[str], float]:
    """An argparse type for a duration in seconds, finite and within ``low``..``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text) if text.strip().isascii() else math.nan
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a number of seconds from {low:g} to {high:g}"
            )
        return value

    return parse


def csv_file(text: str) -> Path:
    """An argparse type for a CSV file's path; empty (an unset variable in a script) is refused."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give the path of a CSV file (it was empty)")
    return Path(text)


LISTING_ID = bounded_int(1, MAX_BIGINT)
LOG_LIMIT = bounded_int(1, 100_000)
RECEIPT_ID = bounded_int(1, MAX_BIGINT)
LOGIN_TIMEOUT = bounded_seconds(1, 24 * 3600)
