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
from dataclasses import dataclass, replace
from datetime import datetime

from etsysync_gui.db.engine import Database
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import OperationCancelled
from etsysync_gui.gc_guard import GC_GUARD
from etsysync_gui.sync.inventory.hooks import SyncHooks
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.listings.run import ListingSyncResult
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.budget import budget_reader
from etsysync_gui.sync.runs.context import RunContext
from etsysync_gui.sync.runs.lease import Clock, Lease, LeaseLost
from etsysync_gui.sync.runs.progress import Progress
from etsysync_gui.sync.runs.records import (
    RunCounts,
    RunKind,
    RunResult,
    RunStatus,
    RunTally,
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
    note: str | None = None
    """The run's message when nothing else is to be said (e.g. a plan held for review)."""

    @classmethod
    def planned(
        cls, ctx: RunContext, plan: SyncPlan, listing_sync: ListingSyncResult | None = None
    ) -> RunOutcome:
        """A dry run: the counts say what applying ``plan`` would do."""
        t = plan.totals
        ctx.tally.counts = replace(
            ctx.tally.counts,
            listings=t.listings,
            pushes=t.pushes,
            pulls=t.pulls,
            merges=t.merges,
            conflicts=t.conflicts,
        )
        ctx.tally.plan_errors(plan)
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

    def run(self, body: Callable[[RunContext], RunOutcome]) -> RunResult:
        """Take the lease, record the run, run ``body``, record how it ended (module notes)."""
        with GC_GUARD.held():  # a full collection mid-read loses rate-limit slots (gc_guard)
            return self._run(body)

    def _run(self, body: Callable[[RunContext], RunOutcome]) -> RunResult:
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
        tally = RunTally()
        run_id = self._start_run(lease, started)
        ctx = RunContext(
            self.database,
            self.client,
            self.options,
            run_id,
            self.clock,
            self.hooks,
            self.progress,
            self.cancel,
            lease,
            tally,
        )
        outcome = self._run_body(body, ctx, lease, run_id, calls_before)
        status = _status(outcome, tally)
        summary = _summary(status, tally) or outcome.note
        counts = self._finish(run_id, status, tally, calls_before, summary)
        finished = self.clock()
        self._release(lease, status, summary)
        return RunResult(
            run_id=run_id,
            shop_id=self.options.shop_id,
            kind=self.kind,
            trigger=self.trigger,
            dry_run=self.dry_run,
            status=status,
            started_at=started,
            finished_at=finished,
            counts=counts,
            message=summary,
            recovered=tally.recovered,
            redecided=tuple(tally.redecided),
            listing_errors=tuple(tally.listing_errors),
            plan=outcome.plan,
            listing_sync=outcome.listing_sync,
        )

    def _start_run(self, lease: Lease, started: datetime) -> int:
        """The new run row's id; the lease is given back if the row cannot be written."""
        try:
            return start_run(
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

    def _run_body(
        self,
        body: Callable[[RunContext], RunOutcome],
        ctx: RunContext,
        lease: Lease,
        run_id: int,
        calls_before: int,
    ) -> RunOutcome:
        """Run ``body`` with the lease kept alive; a failure is recorded, then re-raised."""
        try:
            with lease.keep_alive():
                return body(ctx)
        except OperationCancelled:
            return RunOutcome(cancelled=True)
        except LeaseLost as exc:
            self._finish(run_id, "failed", ctx.tally, calls_before, exc.message)
            raise
        except BaseException as exc:
            message = exc.message if isinstance(exc, EtsySyncError) else repr(exc)
            try:
                self._finish(run_id, "failed", ctx.tally, calls_before, message)
            finally:
                lease.release(status="error", error=message)
            raise

    def _release(self, lease: Lease, status: RunStatus, summary: str | None) -> None:
        """Give the lease back; only a run that was not cancelled counts as a sync done."""
        ok = status != "cancelled"
        lease.release(
            status="completed" if ok else "idle",
            error=summary if status == "completed_with_errors" else None,
            listing_sync=ok and self.kind.reads_listings,
            inventory_sync=ok and self.kind.syncs_inventory,
        )

    def _finish(
        self,
        run_id: int,
        status: RunStatus,
        tally: RunTally,
        calls_before: int,
        message: str | None,
    ) -> RunCounts:
        """Store the row's outcome; the final counts, with the API calls this run spent."""
        counts = replace(tally.counts, api_calls=self.client.calls_made - calls_before)
        finish_run(
            self.database,
            run_id,
            status=status,
            counts=counts,
            message=message,
            now=self.clock(),
        )
        return counts


def _status(outcome: RunOutcome, tally: RunTally) -> RunStatus:
    if outcome.cancelled:
        return "cancelled"
    return "completed_with_errors" if tally.counts.errors else "completed"


def _summary(status: RunStatus, tally: RunTally) -> str | None:
    if status == "cancelled":
        return CANCELLED
    if not tally.listing_errors:
        return None
    first = tally.listing_errors[0]
    return (
        f"{len(tally.listing_errors)} listing(s) could not be synced; "
        f"first: listing {first.listing_id}: {first.message}"
    )
