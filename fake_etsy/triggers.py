"""One-shot actions that fire while the fake handles a given request: races on demand.

Why: the worst stock bugs live between two requests of one client, e.g. a buyer
who buys after a sync read a listing and before it wrote that listing back.
Sleeping until "about then" is flaky; a trigger lands the action exactly there.
``before`` actions run after the request passed auth and rate limits and before
the operation takes effect; ``after`` actions run once its answer is computed and
before it is sent, so the client holds a stale answer.  An action runs on the
server's request thread, once (``times``), only for the chosen listing when one
is given (matched on the ``{listing_id}`` path parameter or the ``listing_ids``
query parameter).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

When = Literal["before", "after"]


@dataclass
class _Trigger:
    when: When
    operation: str
    listing_id: int | None
    action: Callable[[], object]
    times: int


class Triggers:
    """The pending triggers of one fake server (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_Trigger] = []
        self.fired: list[tuple[When, str, int | None]] = []

    def add(
        self,
        when: When,
        operation: str,
        action: Callable[[], object],
        *,
        listing_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Run ``action`` ``when`` the fake handles ``operation`` (for ``listing_id``)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._pending.append(_Trigger(when, operation, listing_id, action, times))

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def fire(
        self,
        when: When,
        operation: str,
        path_params: Mapping[str, int],
        query: Mapping[str, list[str]],
    ) -> None:
        """Run (outside the lock) every trigger due for this request."""
        listings = _listing_ids(path_params, query)
        due: list[_Trigger] = []
        with self._lock:
            for trigger in self._pending:
                if trigger.when != when or trigger.operation != operation:
                    continue
                if trigger.listing_id is not None and trigger.listing_id not in listings:
                    continue
                trigger.times -= 1
                due.append(trigger)
            self._pending = [t for t in self._pending if t.times > 0]
        for trigger in due:
            self.fired.append((when, operation, trigger.listing_id))
            trigger.action()


def _listing_ids(path_params: Mapping[str, int], query: Mapping[str, list[str]]) -> set[int]:
    ids = {path_params["listing_id"]} if "listing_id" in path_params else set()
    for raw in query.get("listing_ids", []):
        ids.update(int(part) for part in raw.split(",") if part.strip().isdigit())
    return ids
