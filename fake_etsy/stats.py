"""Request accounting, so tests and benchmarks can assert how many calls a client made.

Why: the whole point of batching (``includes=Inventory``, the 100-id endpoints) is to
spend fewer of Etsy's daily quota; a benchmark must be able to say "this sync of 10,000
listings cost N calls" and a test "this retry did not double the PUT".
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

# The operations that change a shop; their 2xx answers are the writes Etsy accepted.
WRITE_OPERATIONS = frozenset({"updateListingInventory", "updateListing"})


@dataclass(frozen=True)
class StatsSnapshot:
    """Counts since start (or the last reset)."""

    total_requests: int
    by_operation: Mapping[str, int]
    by_status: Mapping[int, int]
    rate_limited: int
    """How many 429 responses were sent (real limits and injected bursts)."""
    faults_injected: int
    accepted_writes: int = 0
    """Write requests (``WRITE_OPERATIONS``) answered 2xx: what a run's ``etsy_writes``
    must equal (a retried or refused write is a request, not an accepted write)."""

    def calls(self, operation: str) -> int:
        """Requests received for one operation id (0 if none)."""
        return self.by_operation.get(operation, 0)


class RequestStats:
    """Thread-safe counters fed by the request pipeline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._total = 0
        self._faults = 0
        self._accepted_writes = 0

    def record_request(self, operation: str) -> None:
        with self._lock:
            self._total += 1
            self._operations[operation] += 1

    def record_response(self, status: int, operation: str = "") -> None:
        with self._lock:
            self._statuses[status] += 1
            if operation in WRITE_OPERATIONS and 200 <= status < 300:
                self._accepted_writes += 1

    def record_fault(self) -> None:
        with self._lock:
            self._faults += 1

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                total_requests=self._total,
                by_operation=dict(self._operations),
                by_status=dict(self._statuses),
                rate_limited=self._statuses[429],
                faults_injected=self._faults,
                accepted_writes=self._accepted_writes,
            )

    def reset(self) -> None:
        with self._lock:
            self._operations.clear()
            self._statuses.clear()
            self._total = 0
            self._faults = 0
            self._accepted_writes = 0
