"""The scheduler on a fake clock: due runs, catch-up once, back-off, pauses, the budget.

These drive ``Scheduler.tick()`` by hand (``ManualDriver``) with a stand-in
runner that accepts or refuses requests, so every rule is checked without
Qt and without waiting; ``test_sync_flows`` runs the same scheduler against
the real runner and the fake Etsy.  The database tests run on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from etsysync_gui.db.engine import Database
from etsysync_gui.scheduling.driver import APSchedulerDriver, ManualDriver
from etsysync_gui.scheduling.policy import stretch_for_budget
from etsysync_gui.scheduling.requests import (
    ALREADY_RUNNING,
    Admission,
    Submission,
    SyncOutcome,
    SyncRequest,
)
from etsysync_gui.scheduling.scheduler import AUTH_PAUSE, Scheduler
from etsysync_gui.scheduling.state import JobState, save_state
from etsysync_gui.sync.runs.records import RunKind
from tests.clock import FakeClock
from tests.ui.stubs import run_result

INTERVALS = {"listings": 7200, "inventory": 3600}


class Runner:
    """Accepts (or refuses) requests and lets the test finish them."""

    def __init__(self) -> None:
        self.requests: list[SyncRequest] = []
        self.refuse: str | None = None

    def submit(self, request: SyncRequest) -> Submission:
        if self.refuse is not None:
            return Submission(Admission.REFUSED, self.refuse)
        self.requests.append(request)
        assert request.listener is not None
        request.listener.on_run_started(request)
        return Submission(Admission.STARTED)

    def finish(self, status: str = "completed", *, error: str | None = None, **kw: object) -> None:
        request = self.requests.pop(0)
        assert request.listener is not None
        if error is not None:
            outcome = SyncOutcome(request, error=error, **kw)  # type: ignore[arg-type]
        else:
            kind = RunKind.LISTINGS if request.kind == "listings" else RunKind.INVENTORY
            result = run_result(kind, status, api_calls=kw.get("api_calls", 7))
            outcome = SyncOutcome(request, result=result)
        request.listener.on_run_finished(outcome)

    def finish_all(self) -> None:
        while self.requests:
            self.finish()

    @property
    def kinds(self) -> list[str]:
        return [r.kind for r in self.requests]


@pytest.fixture
def runner() -> Runner:
    return Runner()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make(database: Database, runner: Runner, clock: FakeClock) -> Iterator[object]:
    made: list[Scheduler] = []

    def build(**kw: object) -> Scheduler:
        kw.setdefault("intervals", INTERVALS)
        scheduler = Scheduler(
            database, "production", runner.submit, clock=clock.utcnow, driver=ManualDriver(), **kw
        )  # type: ignore[arg-type]
        scheduler.start().result()
        made.append(scheduler)
        return scheduler

    yield build
    for scheduler in made:
        scheduler.shutdown()


def test_first_start_runs_each_job_once_then_waits_for_the_interval(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    scheduler = make()  # type: ignore[operator]
    assert runner.kinds == ["listings", "inventory"]  # never ran: due at once
    assert all(r.trigger == "scheduled" for r in runner.requests)
    assert scheduler.tick() == []  # in flight: never submitted twice
    runner.finish_all()
    clock.advance(minutes=59)
    assert scheduler.tick() == []
    clock.advance(minutes=2)
    assert scheduler.tick() == ["inventory"]
    runner.finish_all()
    clock.advance(hours=1)
    assert sorted(scheduler.tick()) == ["inventory", "listings"]
    view = scheduler.snapshot().job("inventory")
    assert view.last_result == "success"
    assert view.calls_per_run == 7


def test_a_run_missed_while_closed_runs_once_at_start(
    database: Database, make: object, runner: Runner, clock: FakeClock
) -> None:
    five_hours_ago = clock.now - timedelta(hours=5)
    for job in ("listings", "inventory"):
        save_state(
            database,
            "production",
            JobState(job, INTERVALS[job], last_success_at=five_hours_ago,
                     last_finished_at=five_hours_ago),
        )  # fmt: skip
    scheduler = make()  # type: ignore[operator]
    assert runner.kinds == ["listings", "inventory"]  # once each, not five times
    runner.finish_all()
    assert scheduler.tick() == []
    scheduler.shutdown()  # the app quits (pending writes are finished)
    restarted = make()  # type: ignore[operator]
    assert runner.kinds == []  # the catch-up was remembered
    upcoming = restarted.snapshot().job("inventory").next_run_at
    assert upcoming == clock.now + timedelta(hours=1)


def test_a_wall_clock_gap_between_ticks_is_a_wake_up(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    scheduler = make()  # type: ignore[operator]
    runner.finish_all()
    clock.advance(seconds=60)
    scheduler.tick()
    clock.advance(hours=9)  # the lid was closed overnight
    assert sorted(scheduler.tick()) == ["inventory", "listings"]  # once each
    snapshot = scheduler.snapshot()
    assert snapshot.woke_at == clock.now


def test_repeated_failures_back_off_and_say_so(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    scheduler = make(intervals={"listings": 86_400, "inventory": 3600})  # type: ignore[operator]
    runner.finish()  # listings fine
    runner.finish(error="Etsy had a server error")
    clock.advance(hours=1)
    assert scheduler.tick() == ["inventory"]  # one failure: normal cadence
    runner.finish(error="Etsy had a server error")
    clock.advance(hours=1)
    assert scheduler.tick() == []  # two in a row: wait twice as long
    view = scheduler.snapshot().job("inventory")
    assert view.consecutive_failures == 2
    assert view.note is not None
    assert "Backing off after 2 failures" in view.note
    clock.advance(hours=1)
    assert scheduler.tick() == ["inventory"]
    runner.finish()
    assert scheduler.snapshot().job("inventory").consecutive_failures == 0


def test_an_authentication_failure_pauses_until_reconnect(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    scheduler = make()  # type: ignore[operator]
    runner.finish()
    runner.finish(error="Etsy no longer accepts the connection", needs_user=True)
    snapshot = scheduler.snapshot()
    assert all((job.paused_reason or "").startswith(AUTH_PAUSE) for job in snapshot.jobs)
    clock.advance(days=1)
    assert scheduler.tick() == []
    scheduler.shutdown()
    restarted = make()  # type: ignore[operator]
    assert runner.kinds == []  # the pause survives a restart
    restarted.resume_after_reconnect()
    assert sorted(restarted.tick()) == ["inventory", "listings"]


def test_a_refused_trigger_is_recorded_as_skipped(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    runner.refuse = ALREADY_RUNNING
    scheduler = make()  # type: ignore[operator]
    view = scheduler.snapshot().job("listings")
    assert view.last_result == "skipped"
    assert view.last_message == ALREADY_RUNNING
    runner.refuse = None
    clock.advance(minutes=1)
    assert scheduler.tick() == []  # a skip retries a little later, not every tick
    clock.advance(minutes=5)
    assert sorted(scheduler.tick()) == ["inventory", "listings"]


def test_pause_resume_and_run_now(make: object, runner: Runner, clock: FakeClock) -> None:
    scheduler = make()  # type: ignore[operator]
    runner.finish_all()
    scheduler.pause("inventory")
    clock.advance(hours=3)
    assert scheduler.tick() == ["listings"]
    runner.finish_all()
    assert scheduler.run_now("inventory").accepted  # the seller may run a paused job
    assert runner.requests[0].trigger == "manual"
    runner.finish_all()
    scheduler.resume("inventory")
    assert scheduler.snapshot().job("inventory").paused_reason is None


def test_sync_turned_off_schedules_nothing(make: object, runner: Runner) -> None:
    scheduler = make(enabled=False)  # type: ignore[operator]
    assert runner.kinds == []
    view = scheduler.snapshot().job("listings")
    assert view.next_run_at is None
    assert view.note
    assert "turned off" in view.note
    scheduler.reconfigure(INTERVALS, True)
    assert sorted(scheduler.tick()) == ["inventory", "listings"]


def test_runs_too_costly_for_the_budget_stretch_the_intervals(
    make: object, runner: Runner, clock: FakeClock
) -> None:
    scheduler = make(limit_per_day=lambda: 10_000)  # type: ignore[operator]
    runner.finish(api_calls=20)
    runner.finish(api_calls=600)  # 600 calls × 24 runs a day = 14,400 > 8,000
    snapshot = scheduler.snapshot()
    assert snapshot.budget_note is not None
    assert "stretched" in snapshot.budget_note
    inventory = snapshot.job("inventory")
    assert inventory.effective_interval_s > 3600
    assert inventory.note is not None
    assert "daily budget" in inventory.note
    clock.advance(hours=1, minutes=1)
    assert scheduler.tick() == []  # not yet: the stretched interval applies


def test_stretch_leaves_cheap_schedules_alone() -> None:
    plain = stretch_for_budget(INTERVALS, {"listings": 5, "inventory": 10}, 10_000, {})
    assert not plain.stretched
    assert plain.intervals == INTERVALS


def test_apscheduler_jobs_have_stable_ids_and_never_pile_up() -> None:
    driver = APSchedulerDriver("etsysync:production")
    at = datetime(2030, 1, 1, tzinfo=UTC)
    try:
        driver.start(lambda: None, 60)
        driver.arm("inventory", 3600, at, lambda: None)
        driver.arm("inventory", 1800, at, lambda: None)  # re-armed: replaced, not added
        driver.arm("listings", 7200, at, lambda: None)
        assert driver.job_ids() == [
            "etsysync:production:heartbeat",
            "etsysync:production:inventory",
            "etsysync:production:listings",
        ]
        job = driver.job_options("inventory")
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.trigger.interval == timedelta(seconds=1800)
        driver.disarm("listings")
        assert "etsysync:production:listings" not in driver.job_ids()
    finally:
        driver.shutdown()


def test_new_intervals_before_start_keep_the_remembered_times(
    database: Database, runner: Runner, clock: FakeClock
) -> None:
    """The app sizes its stock interval before the scheduler starts: no run is forgotten."""
    ten_minutes_ago = clock.now - timedelta(minutes=10)
    for job in INTERVALS:
        save_state(
            database,
            "production",
            JobState(job, INTERVALS[job], last_success_at=ten_minutes_ago,
                     last_finished_at=ten_minutes_ago),
        )  # fmt: skip
    scheduler = Scheduler(
        database, "production", runner.submit, intervals=INTERVALS, clock=clock.utcnow,
        driver=ManualDriver(),
    )  # fmt: skip
    scheduler.reconfigure({"listings": 7200, "inventory": 900}, True)
    scheduler.start().result()
    try:
        assert runner.kinds == []  # the runs ten minutes ago still count
        assert scheduler.snapshot().job("inventory").interval_s == 900
        clock.advance(minutes=6)
        assert scheduler.tick() == ["inventory"]
    finally:
        scheduler.shutdown()
