"""The ``sync_runs`` table: one row per run, its kind and counts, and the ``RunResult``.

Why a row per run: "what did the 3 a.m. sync do, and what did it cost?" must be
answerable afterwards, by the GUI's history view and by support.  The row is
written when a run starts (status ``running``) and finished when it ends, so a
run that was killed shows up as such: the next run of the shop, holding the
lease and therefore sure nobody else is running, marks leftover ``running``
rows ``failed`` ("interrupted").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from sqlalchemy import insert, update

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import SyncRun
from etsysync_gui.sync.inventory.plan_types import SyncPlan

Trigger = Literal["manual", "scheduled", "cli"]
RunStatus = Literal["running", "completed", "completed_with_errors", "failed", "cancelled"]
INTERRUPTED = "interrupted: the process stopped before the run finished"


class RunKind(Enum):
    """Which sync a run did; the value is the word ``sync_runs.kind`` stores.

    The listing sync stores ``'products'``: that is what existing rows (and the
    table's check constraint) say, so the stored word stays and only the name
    in the code is the listing sync's.
    """

    LISTINGS = "products"
    INVENTORY = "inventory"
    ALL = "all"

    @property
    def title(self) -> str:
        """What the seller reads for this kind (CLI report, GUI status, tray)."""
        return _KIND_TITLES[self]

    @property
    def command(self) -> str:
        """The ``etsysync sync WHAT`` word that starts this kind of run."""
        return "listings" if self is RunKind.LISTINGS else self.value

    @property
    def reads_listings(self) -> bool:
        return self is not RunKind.INVENTORY

    @property
    def syncs_inventory(self) -> bool:
        return self is not RunKind.LISTINGS


_KIND_TITLES = {
    RunKind.LISTINGS: "Listing sync",
    RunKind.INVENTORY: "Inventory sync",
    RunKind.ALL: "Sync",
}


@dataclass(frozen=True, slots=True)
class ListingError:
    """One listing the run could not sync, with a message fit for the seller."""

    listing_id: int
    message: str


@dataclass(frozen=True, slots=True)
class RunCounts:
    """What a run did, in numbers: the one value that travels wherever counts go.

    It is stored in the ``sync_runs`` row, returned in ``RunResult``, shown by
    the dashboard, the sync log and the status bar, so each number is named
    once, here.  ``etsy_writes``: write requests Etsy accepted (inventory PUTs
    and listing state changes).  Pushes, pulls and merges count decisions, not
    requests: a pull can still need a PUT, a deactivation is no push; this
    total is what tells a seller whether Etsy was changed at all.
    """

    listings: int = 0
    pushes: int = 0
    pulls: int = 0
    merges: int = 0
    conflicts: int = 0
    errors: int = 0
    api_calls: int = 0
    etsy_writes: int = 0

    def plus(self, **deltas: int) -> RunCounts:
        """These counts with ``deltas`` added (``plus(pushes=1)``)."""
        return replace(self, **{name: getattr(self, name) + n for name, n in deltas.items()})

    def describe(self) -> str:
        """The counts in words, as the GUI shows them (dashboard, status bar, tray)."""
        return (
            f"{self.listings} listings · {self.pushes} pushed · {self.pulls} pulled · "
            f"{self.merges} merged · {self.conflicts} conflicts · {self.errors} errors · "
            f"{self.api_calls} API calls · {self.etsy_writes} Etsy writes"
        )

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def of_row(cls, row: SyncRun) -> RunCounts:
        """The counts a ``sync_runs`` row holds."""
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


_TALLY_LOCK = threading.Lock()


@dataclass(slots=True)
class RunTally:
    """A run's counts while it runs (the only mutable part; ``counts`` itself is frozen).

    ``counts.api_calls`` stays 0 here: the frame measures the calls when the
    run ends.  ``recovered``, ``redecided`` and ``listing_errors`` say which
    listings, for the report; they are not stored in the row.
    """

    counts: RunCounts = field(default_factory=RunCounts)
    recovered: int = 0
    redecided: list[int] = field(default_factory=list)
    listing_errors: list[ListingError] = field(default_factory=list)

    def add(self, **deltas: int) -> None:
        # Locked: Etsy calls in flight side by side count their writes from
        # worker threads while the run's thread counts the commits.
        with _TALLY_LOCK:
            self.counts = self.counts.plus(**deltas)

    def error(self, listing_id: int, message: str) -> None:
        self.add(errors=1)
        self.listing_errors.append(ListingError(listing_id, message))

    def plan_errors(self, plan: SyncPlan) -> None:
        """Count the listings ``plan`` cannot sync (one gone from Etsy is no error)."""
        for listing in plan.listings:
            if listing.error is not None and not listing.gone:
                self.error(listing.listing_id, listing.error)


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended and what it did; ``status`` is the ``sync_runs`` status.

    ``plan`` (a ``SyncPlan``) is set for inventory runs, ``listing_sync`` (a
    ``ListingSyncResult``) for listing syncs; ``recovered`` counts listings whose
    interrupted write was completed; ``redecided`` lists listings re-decided
    because Etsy changed between the plan and the write; ``counts.etsy_writes``
    counts the write requests Etsy accepted (0 for a dry run).
    """

    run_id: int
    shop_id: int
    kind: RunKind
    trigger: Trigger
    dry_run: bool
    status: RunStatus
    started_at: datetime
    finished_at: datetime
    counts: RunCounts
    message: str | None
    recovered: int = 0
    redecided: tuple[int, ...] = ()
    listing_errors: tuple[ListingError, ...] = ()
    plan: Any = None
    listing_sync: Any = None

    @property
    def ok(self) -> bool:
        return self.status == "completed"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "shop_id": self.shop_id,
            "kind": self.kind.value,
            "trigger": self.trigger,
            "dry_run": self.dry_run,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            **self.counts.to_json(),
            "message": self.message,
            "recovered": self.recovered,
            "redecided": list(self.redecided),
            "listing_errors": [
                {"listing_id": e.listing_id, "message": e.message} for e in self.listing_errors
            ],
        }
        if self.listing_sync is not None:
            data["listing_sync"] = self.listing_sync.to_json()
        if self.plan is not None:
            data["plan"] = self.plan.to_json()
        return data


def start_run(
    database: Database,
    *,
    shop_id: int,
    kind: RunKind,
    trigger: Trigger,
    dry_run: bool,
    now: datetime,
) -> int:
    """Insert the ``running`` row; marks this shop's leftover ``running`` rows failed first.

    Call only while holding the shop's lease.
    """
    with database.session() as session:
        session.execute(
            update(SyncRun)
            .where(SyncRun.shop_id == shop_id, SyncRun.status == "running")
            .values(status="failed", finished_at=now, message=INTERRUPTED)
            .execution_options(synchronize_session=False)
        )
        run_id = session.execute(
            insert(SyncRun)
            .values(
                shop_id=shop_id,
                kind=kind.value,
                trigger=trigger,
                dry_run=dry_run,
                status="running",
                started_at=now,
            )
            .returning(SyncRun.id)
        ).scalar_one()
    return int(run_id)


def finish_run(
    database: Database,
    run_id: int,
    *,
    status: RunStatus,
    counts: RunCounts,
    message: str | None,
    now: datetime,
) -> None:
    with database.session() as session:
        session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(status=status, finished_at=now, message=message, **counts.to_json())
            .execution_options(synchronize_session=False)
        )
