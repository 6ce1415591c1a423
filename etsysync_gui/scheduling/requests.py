"""What is asked of the sync runner, what it answers, and what a run ended with.

Why here and not in the GUI: the scheduler (no Qt) and the views (Qt) both
hand work to the one sync runner, so the vocabulary they share must live
below ``ui/``.  The runner itself is Qt (``ui/jobs.py``); it only sees these
plain values.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

from etsysync_gui.errors import EXIT_NEEDS_USER, EtsySyncError
from etsysync_gui.failures import user_error_for
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.inventory.resolve import PoolFix
from etsysync_gui.sync.runs.records import RunKind, RunResult, Trigger

log = logging.getLogger(__name__)

SyncKind = Literal["listings", "inventory", "all", "plan", "apply", "resolve"]

# The run each kind of request makes ("plan" makes none: it only reads and decides).
RUN_KINDS: dict[str, RunKind] = {
    "listings": RunKind.LISTINGS,
    "inventory": RunKind.INVENTORY,
    "all": RunKind.ALL,
    "apply": RunKind.INVENTORY,
    "resolve": RunKind.INVENTORY,
}
PLAN_TITLE = "Inventory plan"

# Which scheduled job a run of each kind does the work of ("all" does both).
KIND_COVERS: dict[str, frozenset[str]] = {
    "listings": frozenset({"listings"}),
    "inventory": frozenset({"inventory"}),
    "plan": frozenset({"inventory"}),
    "apply": frozenset({"inventory"}),
    "resolve": frozenset({"inventory"}),
    "all": frozenset({"listings", "inventory"}),
}


class RunListener(Protocol):
    """Told on the WORKER thread when a request starts running and how it ended."""

    def on_run_started(self, request: SyncRequest) -> None: ...

    def on_run_finished(self, outcome: SyncOutcome) -> None: ...


@dataclass(frozen=True, eq=False)
class SyncRequest:
    """One piece of sync work; ``plan`` is required for ``apply``, ``fix`` for ``resolve``.

    ``job_id`` names the scheduled job that asked (None for the user);
    ``listener`` hears when it starts and ends (the scheduler records both).
    """

    kind: SyncKind
    trigger: Trigger = "manual"
    plan: SyncPlan | None = None
    import_unlinked: bool = False
    job_id: str | None = None
    listener: RunListener | None = None
    fix: PoolFix | None = None

    def __post_init__(self) -> None:
        if self.kind == "apply" and self.plan is None:
            raise ValueError("an apply request needs the plan to apply")
        if self.kind == "resolve" and self.fix is None:
            raise ValueError("a resolve request needs the fix to carry out")

    @property
    def title(self) -> str:
        run_kind = RUN_KINDS.get(self.kind)
        return run_kind.title if run_kind is not None else PLAN_TITLE

    @property
    def covers(self) -> frozenset[str]:
        return KIND_COVERS[self.kind]


class Admission(StrEnum):
    STARTED = "started"
    QUEUED = "queued"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Submission:
    """The runner's answer to a request; ``reason`` says why it was refused or queued."""

    admission: Admission
    reason: str | None = None

    @property
    def accepted(self) -> bool:
        return self.admission is not Admission.REFUSED


ALREADY_RUNNING = "skipped: already running"


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """How a request ended: a run result, a plan (``plan`` requests), or an error.

    ``needs_user``: only the seller can fix it (reconnect to Etsy, fix the
    key).  ``already_running``: another process holds the shop's sync lease.
    """

    request: SyncRequest
    result: RunResult | None = None
    plan: SyncPlan | None = None
    error: str | None = None
    error_title: str | None = None
    needs_user: bool = False
    already_running: bool = False
    held: str | None = None
    """Why an unreviewed run stopped at its plan and waits for the seller (drafts, unusual)."""

    @classmethod
    def from_error(cls, request: SyncRequest, exc: BaseException) -> SyncOutcome:
        title, message, needs_user = describe_error(exc)
        if not isinstance(exc, EtsySyncError):
            log.error("%s failed unexpectedly", request.title, exc_info=exc)
        return cls(request, error=message, error_title=title, needs_user=needs_user)

    @property
    def ok(self) -> bool:
        if self.error is not None:
            return False
        return self.result is None or self.result.status in ("completed", "completed_with_errors")

    @property
    def cancelled(self) -> bool:
        return self.result is not None and self.result.status == "cancelled"

    @property
    def status(self) -> str:
        """``sync_runs`` words, plus 'skipped' and 'failed' for runs that never ran."""
        if self.already_running:
            return "skipped"
        if self.error is not None:
            return "failed"
        if self.result is not None:
            return self.result.status
        return "completed"

    @property
    def summary(self) -> str:
        """One line for the status bar, the dashboard and notifications."""
        title = self.request.title
        if self.already_running:
            return f"{title} {ALREADY_RUNNING}: {self.error}"
        if self.error is not None:
            return f"{title} failed: {self.error}"
        if self.held is not None:
            return f"{title} is waiting for your review in Needs you: {self.held}"
        if self.plan is not None and self.result is None:
            totals = self.plan.totals
            return (
                f"{title}: {totals.listings_to_write} listing(s) to write, "
                f"{totals.conflicts} conflict(s)"
            )
        result = self.result
        if result is None:
            return f"{title} finished"
        words = {
            "completed": "finished",
            "completed_with_errors": "finished with errors",
            "cancelled": "cancelled",
            "failed": "failed",
        }
        return f"{title} {words.get(result.status, result.status)}: {result.counts.describe()}"


def describe_error(exc: BaseException) -> tuple[str, str, bool]:
    """``(title, message, needs_user)`` for any exception a run raised.

    A full disk or a database held by a long import is a situation, not a bug:
    ``user_error_for`` turns it into the same sentence the CLI prints.
    """
    exc = user_error_for(exc) or exc
    if isinstance(exc, EtsySyncError):
        needs_user = bool(getattr(exc, "needs_user", False)) or exc.exit_code == EXIT_NEEDS_USER
        return exc.title, exc.message, needs_user
    return "Unexpected problem", f"{type(exc).__name__}: {exc}", False
