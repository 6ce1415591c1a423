"""A stand-in ``SyncService`` for runner tests: no network, each call waits for a go."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from etsysync_gui.sync.runs.records import RunCounts, RunKind, RunResult

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def run_result(
    kind: RunKind = RunKind.LISTINGS, status: str = "completed", api_calls: int = 7, **extra: Any
) -> RunResult:
    values: dict[str, Any] = {
        "run_id": 1,
        "shop_id": 1,
        "kind": kind,
        "trigger": "manual",
        "dry_run": False,
        "status": status,
        "started_at": T0,
        "finished_at": T0,
        "counts": RunCounts(listings=3, api_calls=api_calls),
        "message": None,
    }
    values.update(extra)
    return RunResult(**values)


class StubClient:
    def budget(self) -> Any:
        from etsysync_gui.etsy.ratelimit import Budget

        return Budget(10, 10_000, 9_000, None)


class StubService:
    """Each sync call records itself, reports progress, then waits for ``release``."""

    def __init__(self, *, hold: bool = True, progress_calls: int = 3) -> None:
        self.calls: list[str] = []
        self.events: list[str] = []
        self.gate = threading.Event()
        if not hold:
            self.gate.set()
        self.progress_calls = progress_calls
        self.raise_error: BaseException | None = None
        self.client = StubClient()

    def release(self) -> None:
        self.gate.set()

    def _run(self, name: str, progress: Any, cancel: threading.Event | None) -> str:
        self.calls.append(name)
        self.events.append(f"start {name}")
        for i in range(self.progress_calls):
            if progress is not None:
                progress("listings", i + 1, self.progress_calls)
        while not self.gate.wait(0.01):
            if cancel is not None and cancel.is_set():
                self.events.append(f"end {name}")
                return "cancelled"
        self.events.append(f"end {name}")
        if self.raise_error is not None:
            raise self.raise_error
        return "completed"

    def sync_listings(self, trigger: str = "manual", **kw: Any) -> RunResult:
        status = self._run("products", kw.get("progress"), kw.get("cancel"))
        return run_result(RunKind.LISTINGS, status, trigger=trigger)

    def sync_inventory(self, trigger: str = "manual", **kw: Any) -> RunResult:
        status = self._run("inventory", kw.get("progress"), kw.get("cancel"))
        return run_result(RunKind.INVENTORY, status, trigger=trigger)

    def sync_all(self, trigger: str = "manual", **kw: Any) -> RunResult:
        status = self._run("all", kw.get("progress"), kw.get("cancel"))
        return run_result(RunKind.ALL, status, trigger=trigger)

    def close(self) -> None:
        pass
