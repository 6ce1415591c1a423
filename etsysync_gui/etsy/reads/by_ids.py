"""Reading many listings by id through Etsy's 100-id batch endpoints.

Why this needs care: ``getListingsInventoryByListingIds`` answers 404 for the
*whole* request if a single id does not exist (spec, FACTS §5).  One listing
deleted since the last sync must not make 99 others unreadable, and the caller
must learn *which* listing vanished (the sync treats it as removed).

Strategy on a 404 for a chunk of ids: split it in halves and read each half
(bisection).  One vanished id in 100 costs about 15 extra calls instead of 100
single reads.  A chunk of one that still 404s is confirmed with the
single-listing endpoint (``fetch_one``); only if that also says "not found" is
the id reported missing.  If ``fetch_one`` finds a listing the batch endpoint
denied, the batch endpoint is not trustworthy here (e.g. not deployed), so the
remaining 404 chunks go straight to single reads: slower, never wrong.  Until
some batch has answered 200, bisection after a 404 runs one request at a time
(depth first), so such a broken endpoint is found out within about 2*log2(n)
calls instead of a full bisection of every chunk.

Ids a 200 response leaves out (or returns without the requested data) are
confirmed the same way, one by one.

Missing ids are simply absent from the returned mapping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from etsysync_gui.etsy.errors import NotFoundError, OperationCancelled

T = TypeVar("T")
BATCH_SIZE = 100
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class _BatchJob:
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _SingleJob:
    listing_id: int
    after_404: bool


@dataclass(frozen=True, slots=True)
class _Outcome(Generic[T]):
    found: Mapping[int, T]
    not_found: bool = False


def read_by_ids(
    ids: Sequence[int],
    *,
    fetch_batch: Callable[[Sequence[int]], Mapping[int, T]],
    fetch_one: Callable[[int], T | None],
    executor: Executor,
    batch_size: int = BATCH_SIZE,
    max_in_flight: int = 8,
    phase: str = "listings",
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict[int, T]:
    """Read ``ids`` in batches; returns ``{id: item}`` for the ids that exist.

    ``fetch_batch`` raises ``NotFoundError`` when Etsy 404s the batch;
    ``fetch_one`` returns ``None`` when the single listing does not exist.
    At most ``max_in_flight`` jobs are handed to ``executor`` at a time.
    """
    unique = list(dict.fromkeys(ids))
    found: dict[int, T] = {}
    resolved: set[int] = set()
    pending: dict[Future[_Outcome[T]], _BatchJob | _SingleJob] = {}
    # Jobs not yet handed to the pool, newest last.  Taking the newest first
    # (depth-first) reaches one-id answers quickly, so a batch endpoint that
    # 404s everything is found out after a few calls, not after a full bisection.
    stack: list[_BatchJob | _SingleJob] = [
        _BatchJob(tuple(unique[start : start + batch_size]))
        for start in reversed(range(0, len(unique), batch_size))
    ]
    # None until a batch answers 200 (True) or a listing it 404'd is found by the
    # single-listing endpoint (False).  While unknown after a 404, bisect one
    # request at a time so a broken batch endpoint costs a few calls, not 2n.
    batch_trusted: bool | None = None
    seen_404 = False

    def run_batch(job: _BatchJob) -> _Outcome[T]:
        try:
            return _Outcome(found=fetch_batch(job.ids))
        except NotFoundError:
            if len(job.ids) == 1 or batch_trusted is False:
                raise
            return _Outcome(found={}, not_found=True)

    def run_single(job: _SingleJob) -> _Outcome[T]:
        item = fetch_one(job.listing_id)
        return _Outcome(found={} if item is None else {job.listing_id: item})

    def fill() -> None:
        limit = 1 if seen_404 and batch_trusted is None else max_in_flight
        while stack and len(pending) < limit:
            job = stack.pop()
            if isinstance(job, _BatchJob):
                pending[executor.submit(run_batch, job)] = job
            else:
                pending[executor.submit(run_single, job)] = job

    try:
        fill()
        while pending:
            done, _ = wait(list(pending), timeout=0.25, return_when=FIRST_COMPLETED)
            if cancel is not None and cancel.is_set():
                raise OperationCancelled("Cancelled")
            for future in done:
                job = pending.pop(future)
                if isinstance(job, _SingleJob):
                    outcome = future.result()
                    found.update(outcome.found)
                    resolved.add(job.listing_id)
                    if outcome.found and job.after_404:
                        batch_trusted = False
                    continue
                try:
                    outcome = future.result()
                except NotFoundError:
                    seen_404 = True
                    # A one-id batch 404'd (or the batch endpoint is distrusted):
                    # confirm each id with the single-listing endpoint.
                    stack.extend(_SingleJob(i, after_404=True) for i in reversed(job.ids))
                    continue
                if outcome.not_found:
                    seen_404 = True
                    half = (len(job.ids) + 1) // 2
                    stack.append(_BatchJob(job.ids[half:]))
                    stack.append(_BatchJob(job.ids[:half]))
                    continue
                if batch_trusted is None:
                    batch_trusted = True
                for listing_id in job.ids:
                    if listing_id in outcome.found:
                        found[listing_id] = outcome.found[listing_id]
                        resolved.add(listing_id)
                    else:
                        stack.append(_SingleJob(listing_id, after_404=False))
            fill()
            if progress is not None:
                progress(len(resolved), len(unique), phase)
    finally:
        for future in pending:
            future.cancel()
        wait(list(pending))
    return {listing_id: found[listing_id] for listing_id in unique if listing_id in found}
