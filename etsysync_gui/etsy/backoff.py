"""Exponential backoff with jitter, and a sleep that honours cancellation.

Why jitter: when eight workers hit the same 5xx or 429 at once, plain
exponential backoff makes them retry in lock-step and collide again.  "Equal
jitter" (half fixed, half random) keeps a guaranteed minimum wait while
spreading the retries out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from etsysync_gui.etsy.errors import OperationCancelled


def backoff_delay(
    retry: int,
    *,
    random: Callable[[], float],
    base: float = 0.5,
    cap: float = 30.0,
) -> float:
    """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
    ceiling = min(cap, base * 2.0 ** max(0, retry - 1))
    return ceiling / 2 + random() * ceiling / 2


def sleep_cancellable(
    seconds: float,
    *,
    sleep: Callable[[float], None],
    cancel: threading.Event | None,
    slice_seconds: float = 0.25,
) -> None:
    """Sleep ``seconds`` in short slices, raising ``OperationCancelled`` promptly."""
    remaining = seconds
    while True:
        if cancel is not None and cancel.is_set():
            raise OperationCancelled("Cancelled")
        if remaining <= 0:
            return
        step = min(remaining, slice_seconds)
        sleep(step)
        remaining -= step
