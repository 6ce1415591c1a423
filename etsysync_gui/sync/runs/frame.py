"""The frame every sync run shares: lease, run row, outcome, cost, and cleanup.

Why one frame: each run kind (listings, inventory, both, dry or not) must
take the lease first, record its row, count the API calls it spent
(``client.calls_made`` before and after), turn the way it ended into a
status, and give the lease back with an honest ``sync_status`` whatever
happened.  Getting that right once, here, keeps ``SyncService`` about what
each run does, not how runs are kept.

How a run ends:

* body returns normally → ``completed``, or ``completed_with_errors`` when
  some listing failed (the seller sees which in ``listing_errors``);
* cancelled (the event, or ``OperationCancelled`` from the client) →
  ``cancelled``;
* any exception → ``failed`` with its message, re-raised for the caller (the
  CLI maps it to an exit code: 4 when the user must reconnect).

Every run also leaves Etsy's remaining request budget in ``etsy_sync_config``
(written with the lease's renewals and release, see ``budget``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from etsysync_gui.db.engine import Database
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import OperationCancelled
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.listings.run import ListingSyncResult
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.budget import budget_reader
from etsysync_gui.sync.runs.context import ApplyContext
from etsysync_gui.sync.runs.lease import Clock, Lease, LeaseLost
from etsysync_gui.sync.runs.progress import Progress
from etsysync_gui.sync.runs.records import (
    RunCounts,
    RunKind,
    RunResult,
    RunStatus,
    Trigger,
    finish_run,
    start_run,
)

CANCELLED = "cancelled before the end; the listing in progress was finished"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What a run's body produced."""

    plan: SyncPlan | None = None
    listing_sync: ListingSyncResult | None = None
    cancelled: bool = False

    @classmethod
    def planned(
        cls, ctx: ApplyContext, plan: SyncPlan, listing_sync: ListingSyncResult | None = None
    ) -> RunOutcome:
        """A dry run: the counts say what applying ``plan`` would do."""
        counts, totals = ctx.counts, plan.totals
        counts.listings = totals.listings
        counts.pushes, counts.pulls, counts.merges = totals.pushes, totals.pulls, totals.merges
        counts.conflicts = totals.conflicts
        counts.plan_errors(plan)
        return cls(plan, listing_sync)


@dataclass
class RunFrame:
    database: Database
    client: EtsyClient
    options: SyncOptions
    kind: RunKind
    trigger: Trigger
    dry_run: bool
    clock: Clock
    hooks: SyncHooks
    progress: Progress | None
    cancel: threading.Event | None

    def run(self, body: Callable[[ApplyContext], RunOutcome]) -> RunResult:
        lease = Lease(
            self.database,
            self.options.shop_id,
            ttl_s=self.options.lease_ttl_s,
            clock=self.clock,
            track_status=not self.dry_run,
            piggyback=budget_reader(self.client.budget),
        )
        lease.acquire()
        started = self.clock()
        calls_before = self.client.calls_made
        counts = RunCounts()
        try:
            run_id = start_run(
                self.database,
                shop_id=self.options.shop_id,
                kind=self.kind,
                trigger=self.trigger,
                dry_run=self.dry_run,
                now=started,
            )
        except BaseException:
            lease.release(status="error", error="the run could not be recorded")
            raise
        ctx = ApplyContext(
            self.database,
            self.client,
            self.options,
            run_id,
            self.clock,
            self.hooks,
            self.progress,
            self.cancel,
            lease,
            counts,
        )
        try:
            with lease.keep_alive():
                outcome = body(ctx)
        except OperationCancelled:
            outcome = RunOutcome(cancelled=True)
        except LeaseLost as exc:
            self._finish(run_id, "failed", counts, calls_before, exc.message)
            raise
        except BaseException as exc:
            message = exc.message if isinstance(exc, EtsySyncError) else repr(exc)
            try:
                self._finish(run_id, "failed", counts, calls_before, message)
            finally:
                lease.release(status="error", error=message)
            raise
        status: RunStatus = (
            "cancelled"
            if outcome.cancelled
            else "completed_with_errors"
            if counts.errors
            else "completed"
        )
        summary = _summary(status, counts)
        api_calls = self._finish(run_id, status, counts, calls_before, summary)
        finished = self.clock()
        ok = status != "cancelled"
        lease.release(
            status="completed" if ok else "idle",
            error=summary if status == "completed_with_errors" else None,
            product_sync=ok and self.kind in ("products", "all"),
            inventory_sync=ok and self.kind in ("inventory", "all"),
        )
        return RunResult(
            run_id=run_id,
            shop_id=self.options.shop_id,
            kind=self.kind,
            trigger=self.trigger,
            dry_run=self.dry_run,
            status=status,
            started_at=started,
            finished_at=finished,
            listings=counts.listings,
            pushes=counts.pushes,
            pulls=counts.pulls,
            merges=counts.merges,
            conflicts=counts.conflicts,
            errors=counts.errors,
            api_calls=api_calls,
            message=summary,
            recovered=counts.recovered,
            etsy_writes=counts.etsy_writes,
            redecided=tuple(counts.redecided),
            listing_errors=tuple(counts.listing_errors),
            plan=outcome.plan,
            listing_sync=outcome.listing_sync,
        )

    def _finish(
        self,
        run_id: int,
        status: RunStatus,
        counts: RunCounts,
        calls_before: int,
        message: str | None,
    ) -> int:
        api_calls = self.client.calls_made - calls_before
        finish_run(
            self.database,
            run_id,
            status=status,
            counts=counts,
            api_calls=api_calls,
            message=message,
            now=self.clock(),
        )
        return api_calls


def _summary(status: RunStatus, counts: RunCounts) -> str | None:
    if status == "cancelled":
        return CANCELLED
    if not counts.listing_errors:
        return None
    first = counts.listing_errors[0]
    return (
        f"{len(counts.listing_errors)} listing(s) could not be synced; "
        f"first: listing {first.listing_id}: {first.message}"
    )
