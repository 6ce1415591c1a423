"""One ``SyncRequest`` turned into the ``SyncService`` call it stands for (worker thread)."""

from __future__ import annotations

import threading

from etsysync_gui.scheduling.guarded import guarded_run
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.sync.runs.progress import Progress
from etsysync_gui.sync.service import SyncService


def execute(
    service: SyncService,
    request: SyncRequest,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> SyncOutcome:
    """Run the request; engine errors propagate (the runner turns them into outcomes)."""
    trigger = request.trigger
    if request.kind == "listings":
        result = service.sync_listings(
            trigger,
            progress=progress,
            cancel=cancel,
            import_unlinked=request.import_unlinked,
        )
        return SyncOutcome(request, result=result)
    if request.kind == "all" or (request.kind == "inventory" and trigger == "scheduled"):
        return guarded_run(service, request, progress=progress, cancel=cancel)
    if request.kind == "inventory":
        result = service.sync_inventory(trigger, progress=progress, cancel=cancel)
        return SyncOutcome(request, result=result, plan=result.plan)
    if request.kind == "plan":
        plan = service.plan_inventory(progress=progress, cancel=cancel)
        return SyncOutcome(request, plan=plan)
    if request.kind == "resolve":
        assert request.fix is not None
        return SyncOutcome(request, result=service.resolve(request.fix, trigger=trigger))
    assert request.plan is not None
    result = service.apply_plan(request.plan, trigger=trigger, progress=progress, cancel=cancel)
    return SyncOutcome(request, result=result, plan=request.plan)
