"""Reading many listings by id through Etsy's 100-id batch endpoints.

Why this needs care: ``getListingsInventoryByListingIds`` answers 404 for the
*whole* request if a single id does not exist (its 404 in the Open API v3
reference).  One listing
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
    reader = _Reader(
        list(dict.fromkeys(ids)),
        fetch_batch=fetch_batch,
        fetch_one=fetch_one,
        executor=executor,
        batch_size=batch_size,
        max_in_flight=max_in_flight,
    )
    try:
        reader.fill()
        while reader.pending:
            done, _ = wait(list(reader.pending), timeout=0.25, return_when=FIRST_COMPLETED)
            if cancel is not None and cancel.is_set():
                raise OperationCancelled("Cancelled")
            for future in done:
                reader.take(future)
            reader.fill()
            if progress is not None:
                progress(len(reader.resolved), len(reader.unique), phase)
    finally:
        for future in reader.pending:
            future.cancel()
        wait(list(reader.pending))
    return reader.result()


class _Reader(Generic[T]):
    """One ``read_by_ids`` call: the jobs still to run, the jobs in flight, what is known.

    ``fill`` hands jobs to the executor; ``take`` reads a finished job's outcome and
    pushes the follow-up jobs (halves after a 404, single reads to confirm an id).
    """

    def __init__(
        self,
        unique: list[int],
        *,
        fetch_batch: Callable[[Sequence[int]], Mapping[int, T]],
        fetch_one: Callable[[int], T | None],
        executor: Executor,
        batch_size: int,
        max_in_flight: int,
    ) -> None:
        self.unique = unique
        self._fetch_batch = fetch_batch
        self._fetch_one = fetch_one
        self._executor = executor
        self._max_in_flight = max_in_flight
        self.found: dict[int, T] = {}
        self.resolved: set[int] = set()
        self.pending: dict[Future[_Outcome[T]], _BatchJob | _SingleJob] = {}
        # Jobs not yet handed to the pool, newest last.  Taking the newest first
        # (depth-first) reaches one-id answers quickly, so a batch endpoint that
        # 404s everything is found out after a few calls, not after a full bisection.
        self._stack: list[_BatchJob | _SingleJob] = [
            _BatchJob(tuple(unique[start : start + batch_size]))
            for start in reversed(range(0, len(unique), batch_size))
        ]
        # None until a batch answers 200 (True) or a listing it 404'd is found by the
        # single-listing endpoint (False).  While unknown after a 404, bisect one
        # request at a time so a broken batch endpoint costs a few calls, not 2n.
        self._batch_trusted: bool | None = None
        self._seen_404 = False

    def fill(self) -> None:
        """Hand jobs to the executor up to the in-flight limit."""
        limit = 1 if self._seen_404 and self._batch_trusted is None else self._max_in_flight
        while self._stack and len(self.pending) < limit:
            job = self._stack.pop()
            if isinstance(job, _BatchJob):
                self.pending[self._executor.submit(self._run_batch, job)] = job
            else:
                self.pending[self._executor.submit(self._run_single, job)] = job

    def take(self, future: Future[_Outcome[T]]) -> None:
        """Record a finished job and queue what it calls for."""
        job = self.pending.pop(future)
        if isinstance(job, _SingleJob):
            self._took_single(job, future.result())
        else:
            self._took_batch(job, future)

    def result(self) -> dict[int, T]:
        """The items found, in the order the ids were asked for."""
        return {i: self.found[i] for i in self.unique if i in self.found}

    def _run_batch(self, job: _BatchJob) -> _Outcome[T]:
        try:
            return _Outcome(found=self._fetch_batch(job.ids))
        except NotFoundError:
            if len(job.ids) == 1 or self._batch_trusted is False:
                raise
            return _Outcome(found={}, not_found=True)

    def _run_single(self, job: _SingleJob) -> _Outcome[T]:
        item = self._fetch_one(job.listing_id)
        return _Outcome(found={} if item is None else {job.listing_id: item})

    def _took_single(self, job: _SingleJob, outcome: _Outcome[T]) -> None:
        self.found.update(outcome.found)
        self.resolved.add(job.listing_id)
        if outcome.found and job.after_404:
            self._batch_trusted = False

    def _took_batch(self, job: _BatchJob, future: Future[_Outcome[T]]) -> None:
        try:
            outcome = future.result()
        except NotFoundError:
            self._seen_404 = True
            # A one-id batch 404'd (or the batch endpoint is distrusted):
            # confirm each id with the single-listing endpoint.
            self._stack.extend(_SingleJob(i, after_404=True) for i in reversed(job.ids))
            return
        if outcome.not_found:
            self._seen_404 = True
            half = (len(job.ids) + 1) // 2
            self._stack.append(_BatchJob(job.ids[half:]))
            self._stack.append(_BatchJob(job.ids[:half]))
            return
        if self._batch_trusted is None:
            self._batch_trusted = True
        for listing_id in job.ids:
            if listing_id in outcome.found:
                self.found[listing_id] = outcome.found[listing_id]
                self.resolved.add(listing_id)
            else:
                self._stack.append(_SingleJob(listing_id, after_404=False))
