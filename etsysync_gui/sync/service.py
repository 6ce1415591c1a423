"""``SyncService``: the one entry point the GUI, the scheduler and the CLI use.

Every run follows the same frame (``_run``): take the shop's lease (a second
sync fails at once with ``SyncAlreadyRunning``), record a ``sync_runs`` row,
do the work, then finish the row (status, counts, API calls spent) and release
the lease with the shop's ``sync_status``.  Inventory runs first complete or
discard writes an interrupted run left behind (``recovery``).

Dry runs go through the same frame (so they never read a half-applied state)
but write nothing: no Etsy write, no recovery, the listing sync's transaction
is rolled back, and the plan is returned; only the run row is recorded.

Thread-safety: a service may be shared by GUI worker threads; each call is a
separate run and the lease serialises them per shop.  Cancellation is
cooperative (``threading.Event``): a cancelled run finishes the listing in
progress and ends with status 'cancelled'.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from etsysync_gui.db.engine import Database
from etsysync_gui.db.types import utcnow
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.policies import ConflictPolicy
from etsysync_gui.sync.inventory.apply import apply_plan
from etsysync_gui.sync.inventory.decide import FirstTruth
from etsysync_gui.sync.inventory.hooks import NO_HOOKS, SyncHooks
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.inventory.planning import plan_inventory
from etsysync_gui.sync.inventory.recovery import recover_pending
from etsysync_gui.sync.inventory.resolve import PoolFix, plan_fix
from etsysync_gui.sync.inventory.state_check import remember_states
from etsysync_gui.sync.inventory.streamed import StreamPlanner
from etsysync_gui.sync.ledger.read import LedgerRead, update_ledger
from etsysync_gui.sync.listings import linking
from etsysync_gui.sync.listings.pages import PageStore
from etsysync_gui.sync.listings.run import (
    ListingSyncResult,
    read_and_store,
    stored_listing_ids,
)
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.runs.audit import LogEntry, prune_log, recent_log
from etsysync_gui.sync.runs.context import RunContext
from etsysync_gui.sync.runs.frame import RunFrame, RunOutcome
from etsysync_gui.sync.runs.import_mark import clear_import_mark
from etsysync_gui.sync.runs.lease import Clock
from etsysync_gui.sync.runs.progress import Progress, cancelled
from etsysync_gui.sync.runs.records import RunKind, RunResult, Trigger

ClientFactory = Callable[[], EtsyClient]
HELD = "Stopped at the plan, nothing written: it waits for your review in Needs you."


@dataclass(frozen=True, slots=True)
class _ListingPass:
    result: ListingSyncResult
    plan: SyncPlan | None = None


class SyncService:
    """Listing and inventory syncs of one shop (see the module notes)."""

    def __init__(
        self,
        database: Database,
        client_factory: ClientFactory,
        options: SyncOptions,
        *,
        clock: Clock = utcnow,
        hooks: SyncHooks = NO_HOOKS,
    ) -> None:
        self.database = database
        self.options = options
        self.clock = clock
        self.hooks = hooks
        self._client_factory = client_factory
        self._client: EtsyClient | None = None
        self._client_lock = threading.Lock()

    # --- lifecycle -----------------------------------------------------------------

    @property
    def client(self) -> EtsyClient:
        """The Etsy client, made on first use (so a missing connection fails late)."""
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def is_enabled(self) -> bool:
        """Whether the profile allows syncing (the scheduler checks this)."""
        return self.options.sync_enabled

    # --- runs ------------------------------------------------------------------------

    def sync_listings(
        self,
        trigger: Trigger = "manual",
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        import_unlinked: bool = False,
        dry_run: bool = False,
    ) -> RunResult:
        """Listing sync: read every listing and its pools, link by SKU (see ``listing_sync``)."""

        def body(ctx: RunContext) -> RunOutcome:
            done = self._listing_pass(ctx, import_unlinked, dry_run, plan=False)
            ctx.tally.add(listings=done.result.listings_read)
            return RunOutcome(listing_sync=done.result)

        return self._frame(RunKind.LISTINGS, trigger, dry_run, progress, cancel).run(body)

    def plan_inventory(
        self,
        *,
        policy: ConflictPolicy | str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncPlan:
        """The inventory plan with fresh Etsy numbers; writes nothing, takes no lease."""
        return plan_inventory(
            self.database,
            self.client,
            self.options.with_policy(policy),
            now=self.clock(),
            progress=progress,
            cancel=cancel,
        )

    def apply_plan(
        self,
        plan: SyncPlan,
        *,
        trigger: Trigger = "manual",
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> RunResult:
        """Execute a plan from ``plan_inventory`` (re-deciding listings that moved)."""
        options = self.options.with_policy(plan.policy)

        def body(ctx: RunContext) -> RunOutcome:
            self._read_ledger(ctx)
            recover_pending(ctx)
            return self._apply(ctx, plan)

        return self._frame(RunKind.INVENTORY, trigger, False, progress, cancel, options).run(body)

    def sync_inventory(
        self,
        trigger: Trigger = "manual",
        *,
        dry_run: bool = False,
        policy: ConflictPolicy | str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        hold: Callable[[SyncPlan], bool] | None = None,
    ) -> RunResult:
        """Plan with fresh Etsy numbers and apply (or only plan, for a dry run).

        ``hold``: asked with the plan; when it says so the run stops there and
        writes nothing (a background plan that waits for the seller's review).
        """
        options = self.options.with_policy(policy)

        def body(ctx: RunContext) -> RunOutcome:
            if not dry_run:
                self._read_ledger(ctx)
                recover_pending(ctx)
            plan = plan_inventory(
                self.database,
                ctx.client,
                options,
                now=self.clock(),
                progress=progress,
                cancel=cancel,
            )
            if dry_run:
                return RunOutcome.planned(ctx, plan)
            if hold is not None and hold(plan):
                return RunOutcome(plan, note=HELD)
            return self._apply(ctx, plan)

        return self._frame(RunKind.INVENTORY, trigger, dry_run, progress, cancel, options).run(body)

    def sync_all(
        self,
        trigger: Trigger = "manual",
        *,
        dry_run: bool = False,
        policy: ConflictPolicy | str | None = None,
        import_unlinked: bool = False,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        hold: Callable[[SyncPlan], bool] | None = None,
    ) -> RunResult:
        """Listing sync, then inventory with the quantities it just read (no second read).

        ``hold``: as for ``sync_inventory``; a held run keeps its listing sync.
        """
        options = self.options.with_policy(policy)

        def body(ctx: RunContext) -> RunOutcome:
            if not dry_run:
                self._read_ledger(ctx)
                recover_pending(ctx)
            done = self._listing_pass(ctx, import_unlinked, dry_run, plan=True)
            plan = done.plan
            assert plan is not None
            if dry_run:
                return RunOutcome.planned(ctx, plan, done.result)
            if hold is not None and hold(plan):
                return RunOutcome(plan, done.result, note=HELD)
            outcome = self._apply(ctx, plan)
            return RunOutcome(plan, done.result, outcome.cancelled)

        return self._frame(RunKind.ALL, trigger, dry_run, progress, cancel, options).run(body)

    def resolve(self, fix: PoolFix, *, trigger: Trigger = "manual") -> RunResult:
        """Settle one pool as the seller chose (``resolve``), through the normal write path."""

        def body(ctx: RunContext) -> RunOutcome:
            recover_pending(ctx)
            return self._apply(ctx, plan_fix(ctx, fix), whole_plan=False)

        return self._frame(RunKind.INVENTORY, trigger, False, None, None).run(body)

    # --- links and log ---------------------------------------------------------------

    def link(
        self,
        sku: str,
        listing_id: int,
        pool_key: str | None = None,
        *,
        first_truth: FirstTruth = FirstTruth.ETSY,
    ) -> linking.LinkResult:
        return linking.link(
            self.database, sku, listing_id, pool_key, first_truth=first_truth, now=self.clock()
        )

    def unlink(self, listing_id: int, pool_key: str | None = None) -> int:
        return linking.unlink(self.database, listing_id, pool_key, now=self.clock())

    def recent_log(self, limit: int = 50, *, receipt: int | None = None) -> list[LogEntry]:
        return recent_log(self.database, limit=limit, receipt=receipt)

    # --- internals ---------------------------------------------------------------------

    def _frame(
        self,
        kind: RunKind,
        trigger: Trigger,
        dry_run: bool,
        progress: Progress | None,
        cancel: threading.Event | None,
        options: SyncOptions | None = None,
    ) -> RunFrame:
        return RunFrame(
            database=self.database,
            client=self.client,
            options=options or self.options,
            kind=kind,
            trigger=trigger,
            dry_run=dry_run,
            clock=self.clock,
            hooks=self.hooks,
            progress=progress,
            cancel=cancel,
        )

    def _listing_pass(
        self, ctx: RunContext, import_unlinked: bool, dry_run: bool, *, plan: bool
    ) -> _ListingPass:
        """Read and store the shop page by page (``listings.run``), planning each page
        for ``sync all``.  A real run commits every page; a dry run keeps one
        transaction and rolls it back, so it writes nothing."""
        shop_id = ctx.options.shop_id
        with self.database.session() as session:
            stored_ids, known = stored_listing_ids(session, shop_id)
        session = self.database.sessions()
        try:
            store = PageStore(
                session,
                shop_id,
                now=self.clock(),
                import_unlinked_pools=import_unlinked,
                confirm_writes=None if dry_run else ctx.confirm_lease,
                known=stored_ids,
            )
            planner = StreamPlanner(ctx.options, now=self.clock()) if plan else None
            stored = read_and_store(
                ctx.client,
                store,
                known,
                after_page=(lambda page: planner.add(session, page)) if planner else None,
                commit_page=None if dry_run else session.commit,
                progress=ctx.progress,
                cancel=ctx.cancel,
            )
            sync_plan = None
            if planner is not None:
                sync_plan = planner.finish(
                    session,
                    ctx.client,
                    gone=stored.result.missing,
                    relinked=stored.relinked,
                    progress=ctx.progress,
                    cancel=ctx.cancel,
                )
            if dry_run:
                session.rollback()
            else:
                session.commit()
        finally:
            session.close()
        return _ListingPass(stored.result, sync_plan)

    def _read_ledger(self, ctx: RunContext) -> LedgerRead:
        """The sales ledger step (``sync.ledger.read``): before recovery and planning.

        Recovery needs the orders since an interrupted write's read to tell a
        landed write from a purchase (``recovery.landed``); it matches the sales
        a write it finishes erased itself (``overwrites.rematch_listing``), so
        this run's decisions count them."""
        read = update_ledger(
            self.database,
            ctx.client,
            ctx.options.shop_id,
            now=self.clock(),
            run_id=ctx.run_id,
            cancel=ctx.cancel,
        )
        ctx.orders_read = read.skipped is None
        return read

    def _apply(self, ctx: RunContext, plan: SyncPlan, *, whole_plan: bool = True) -> RunOutcome:
        """Apply ``plan``; a whole plan applied also settles a CSV import made before it
        (``import_mark``).  A one-pool fix does not, nor a plan with listings the seller
        left out in the review: those come back, and wait for the seller again."""
        remember_states(self.database, plan)
        completed = apply_plan(ctx, plan)
        if completed and whole_plan and not plan.left_out:
            clear_import_mark(self.database, plan.shop_id, plan.created_at)
        if completed:
            prune_log(
                self.database,
                retention_days=ctx.options.log_retention_days,
                now=self.clock(),
                should_stop=lambda: cancelled(ctx.cancel),
            )
        return RunOutcome(plan, None, cancelled=not completed)
