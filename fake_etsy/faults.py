"""Fault injection, configurable while the server runs.

Why: Etsy is flaky in ways a sync engine must survive (etsy/open-api#373, #191, #549: sporadic
``{"error":"Server Error"}`` 500s, 429 bursts, hung connections). Reliability tests
need those failures on demand and reproducibly:

* ``fault_rate``: each request fails with a 5xx with this probability (seeded RNG);
* ``latency_ms``: added to every request (to test concurrency and timeouts);
* queued faults for the next N matching requests: :meth:`FaultInjector.fail_next`
  (5xx), :meth:`~FaultInjector.rate_limit_next` (429 burst),
  :meth:`~FaultInjector.hang_next` (answer only after a delay beyond the client's
  timeout), :meth:`~FaultInjector.drop_next` (close the connection without answering),
  :meth:`~FaultInjector.malformed_json_next` (a truncated JSON body).

A queued fault may be limited to some operation ids (``"updateListingInventory"``,
``"oauthToken"``...) and may strike ``after_effect``: the request is applied to the shop
first and only the response is lost or broken, the case that tests idempotent retries.
Faults never hit the browser pages of ``/oauth/connect``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class FaultKind(Enum):
    ERROR = "error"
    RATE_LIMIT = "rate_limit"
    HANG = "hang"
    DROP = "drop"
    MALFORMED_JSON = "malformed_json"


@dataclass
class Fault:
    """One fault to apply to one request."""

    kind: FaultKind
    status: int = 500
    seconds: float = 0.0
    after_effect: bool = False


@dataclass
class _Queued:
    fault: Fault
    remaining: int
    operations: frozenset[str] | None

    def matches(self, operation: str) -> bool:
        return self.operations is None or operation in self.operations


SERVER_ERROR_BODIES = {
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class FaultInjector:
    """Thread-safe store of the faults to inject; the pipeline asks it per request."""

    def __init__(self, *, fault_rate: float = 0.0, latency_ms: float = 0.0, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed ^ 0x5EED)
        self._queue: list[_Queued] = []
        self._fault_rate = 0.0
        self._latency_ms = 0.0
        self.fault_rate = fault_rate
        self.latency_ms = latency_ms

    @property
    def fault_rate(self) -> float:
        return self._fault_rate

    @fault_rate.setter
    def fault_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self._fault_rate = value

    @property
    def latency_ms(self) -> float:
        return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        if value < 0:
            raise ValueError("latency_ms cannot be negative")
        self._latency_ms = value

    def _push(self, fault: Fault, count: int, operations: Iterable[str] | None) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        ops = frozenset(operations) if operations is not None else None
        with self._lock:
            self._queue.append(_Queued(fault, count, ops))

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        operations: Iterable[str] | None = None,
        after_effect: bool = False,
    ) -> None:
        """The next ``count`` matching requests get a 5xx ``{"error": "Server Error"}``."""
        if status not in SERVER_ERROR_BODIES:
            raise ValueError(f"status must be one of {sorted(SERVER_ERROR_BODIES)}")
        self._push(
            Fault(FaultKind.ERROR, status=status, after_effect=after_effect), count, operations
        )

    def rate_limit_next(
        self, count: int = 1, *, retry_after: int = 1, operations: Iterable[str] | None = None
    ) -> None:
        """The next ``count`` matching requests get 429 per-second with ``retry-after``."""
        self._push(Fault(FaultKind.RATE_LIMIT, status=429, seconds=retry_after), count, operations)

    def hang_next(
        self,
        count: int = 1,
        *,
        seconds: float = 30.0,
        operations: Iterable[str] | None = None,
        after_effect: bool = False,
    ) -> None:
        """The next ``count`` matching requests answer only after ``seconds`` (a hang).

        The server's ``stop()`` cuts a hang short.
        """
        self._push(
            Fault(FaultKind.HANG, seconds=seconds, after_effect=after_effect), count, operations
        )

    def drop_next(
        self,
        count: int = 1,
        *,
        operations: Iterable[str] | None = None,
        after_effect: bool = False,
    ) -> None:
        """The next ``count`` matching requests get their connection closed, no answer."""
        self._push(Fault(FaultKind.DROP, after_effect=after_effect), count, operations)

    def malformed_json_next(
        self, count: int = 1, *, operations: Iterable[str] | None = None
    ) -> None:
        """The next ``count`` matching requests are applied, then answered with cut JSON."""
        self._push(Fault(FaultKind.MALFORMED_JSON, after_effect=True), count, operations)

    def clear(self) -> None:
        """Drop all queued faults (``fault_rate`` and ``latency_ms`` are kept)."""
        with self._lock:
            self._queue.clear()

    def pending(self) -> int:
        """How many queued fault applications remain."""
        with self._lock:
            return sum(q.remaining for q in self._queue)

    def take(self, operation: str) -> Fault | None:
        """The fault for this request, if any: queued faults first, then ``fault_rate``."""
        with self._lock:
            for queued in self._queue:
                if queued.matches(operation):
                    queued.remaining -= 1
                    if queued.remaining == 0:
                        self._queue.remove(queued)
                    return queued.fault
            if self._fault_rate and self._rng.random() < self._fault_rate:
                status = self._rng.choice((500, 500, 500, 503))
                return Fault(FaultKind.ERROR, status=status)
        return None
