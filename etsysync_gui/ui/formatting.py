"""How times, money and counts read in the GUI (local time, short and plain)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from etsysync_gui.scheduling.policy import describe_interval


def when(value: datetime | None, empty: str = "") -> str:
    """Local time, ``2026-11-28 14:03``."""
    if value is None:
        return empty
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def relative(value: datetime | None, now: datetime, empty: str = "—") -> str:
    """``in 25 min`` / ``3 h ago`` / ``now``."""
    if value is None:
        return empty
    seconds = int((value - now).total_seconds())
    if abs(seconds) < 60:
        return "now"
    text = describe_interval(abs(seconds))
    return f"in {text}" if seconds > 0 else f"{text} ago"


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"
