"""Everything the steps of one sync run share, in one object.

Why: the listing sync, and the inventory run's apply and recovery, need the
database, the client, the options, the run id, the clock, the hooks,
progress, cancellation, the lease and the running tally.  Passing ten
arguments through every helper would hide what each step really does; this
context keeps the helpers' signatures short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from etsysync_gui.db.engine import Database
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.sync.inventory.commit import save_write_ahead
from etsysync_gui.sync.inventory.decide import Action
from etsysync_gui.sync.inventory.hooks import NO_HOOKS, SyncHooks
from etsysync_gui.sync.inventory.plan_types import ListingPlan
from etsysync_gui.sync.inventory.writeahead import ListingWrite
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.lease import Lease
from etsysync_gui.sync.runs.progress import Progress
from etsysync_gui.sync.runs.records import RunTally


@dataclass
class RunContext:
    """One run's shared state; ``RunFrame`` builds it, tests may build one directly."""

    database: Database
    client: EtsyClient
    options: SyncOptions
    run_id: int | None
    clock: Callable[[], datetime]
    hooks: SyncHooks = NO_HOOKS
    progress: Progress | None = None
    cancel: threading.Event | None = None
    lease: Lease | None = None
    tally: RunTally = field(default_factory=RunTally)
    # This run's orders read succeeded before its inventory reads (``sync.ledger``): the
    # sales it returned vouch for its snapshots; without it an unsure sale flags its pool.
    orders_read: bool = False

    def confirm_lease(self) -> None:
        """Right before a write: make sure the lease is still ours (``LeaseLost`` if not)."""
        if self.lease is not None:
            self.lease.confirm()

    def save_write_ahead(self, write: ListingWrite) -> None:
        now = self.clock()
        save_write_ahead(self.database, replace(write, saved_at=now.timestamp()), now=now)

    def count_applied(self, plan: ListingPlan) -> None:
        for pool in plan.pools:
            if pool.action is Action.PUSH:
                self.tally.add(pushes=1)
            elif pool.action is Action.PULL:
                self.tally.add(pulls=1)
            elif pool.action is Action.MERGE:
                self.tally.add(merges=1)
            if pool.conflict:
                self.tally.add(conflicts=1)
