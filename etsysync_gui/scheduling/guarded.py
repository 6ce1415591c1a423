"""An unreviewed stock run that stops at its plan when the seller should see it first.

Unreviewed runs are the scheduled inventory job and "Sync listings and stock
now" (the tray, Ctrl+Shift+S), which plan and write in one go; runs the
seller reviews (*Sync inventory now…*) never come here.

Why: such a run used to plan and write in one go, so drafts mode and the
"unusual plan" check had nothing to stand between them.  The run still goes
through the ordinary inventory frame (lease, recovery of interrupted writes,
one fresh read, a ``sync_runs`` row, failures recorded), but between planning
and applying it asks ``hold_reason``: a held run writes nothing and hands its
plan back as ``held`` (the GUI puts it in Needs you); the seller's review
then applies exactly that plan, and ``apply_plan`` re-reads Etsy before every
write and re-decides listings that moved meanwhile.
"""

from __future__ import annotations

import threading

from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.sync.inventory.hold import hold_reason
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.runs.import_mark import import_pending
from etsysync_gui.sync.runs.progress import Progress
from etsysync_gui.sync.service import SyncService


def guarded_run(
    service: SyncService,
    request: SyncRequest,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SyncOutcome:
    """Plan ("inventory" or "all"); hold the plan when the profile's rules say so; else apply."""
    reasons: list[str] = []

    def hold(plan: SyncPlan) -> bool:
        imported_at = import_pending(service.database, service.options.shop_id)
        reason = hold_reason(plan, service.options.hold, imported_at)
        if reason is not None:
            reasons.append(reason)
        return reason is not None

    if request.kind == "all":
        result = service.sync_all(
            request.trigger,
            progress=progress,
            cancel=cancel,
            import_unlinked=request.import_unlinked,
            hold=hold,
        )
    else:
        result = service.sync_inventory(
            request.trigger, progress=progress, cancel=cancel, hold=hold
        )
    held = reasons[0] if reasons else None
    return SyncOutcome(request, result=result, plan=result.plan, held=held)
