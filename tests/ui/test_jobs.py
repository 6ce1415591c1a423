"""The job runner delivers on the GUI thread; the sync runner serialises and explains."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from etsysync_gui.etsy.errors import TokenRevokedError
from etsysync_gui.scheduling.requests import ALREADY_RUNNING, Admission, SyncOutcome, SyncRequest
from etsysync_gui.sync.runs.lease import SyncAlreadyRunning
from etsysync_gui.ui.infra.jobs import JobRunner
from etsysync_gui.ui.infra.sync_runner import SyncRunner

from .stubs import StubService


@pytest.fixture
def jobs(qtbot: QtBot) -> Iterator[JobRunner]:
    runner = JobRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def service() -> StubService:
    return StubService()


@pytest.fixture
def runner(qtbot: QtBot, service: StubService) -> Iterator[SyncRunner]:
    sync = SyncRunner(lambda: service)  # type: ignore[arg-type, return-value]
    yield sync
    service.release()
    assert sync.shutdown(10_000)


def _collect(runner: SyncRunner) -> list[SyncOutcome]:
    outcomes: list[SyncOutcome] = []
    runner.finished.connect(outcomes.append)
    return outcomes


def test_results_and_errors_arrive_on_the_gui_thread(qtbot: QtBot, jobs: JobRunner) -> None:
    seen: list[tuple[str, object, bool]] = []
    main = threading.main_thread()

    def record(kind: str) -> object:
        return lambda value: seen.append((kind, value, threading.current_thread() is main))

    def worker_thread_name() -> str:
        return threading.current_thread().name

    jobs.submit(worker_thread_name, record("ok"))
    jobs.submit(lambda: 1 / 0, None, record("error"))
    qtbot.waitUntil(lambda: len(seen) == 2)
    by_kind = {kind: (value, on_main) for kind, value, on_main in seen}
    assert by_kind["ok"][0] != main.name
    assert by_kind["ok"][1]
    assert isinstance(by_kind["error"][0], ZeroDivisionError)
    assert by_kind["error"][1]


def test_a_result_for_a_deleted_widget_is_dropped(qtbot: QtBot, jobs: JobRunner) -> None:
    label = QLabel()
    gate = threading.Event()
    called: list[object] = []
    jobs.submit(lambda: gate.wait(5), called.append, context=label)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label))
    gate.set()
    qtbot.waitUntil(lambda: not jobs.busy)
    assert called == []


def _alive(widget: QLabel) -> bool:
    from shiboken6 import isValid

    return bool(isValid(widget))


def test_a_second_request_of_the_same_kind_is_queued_once_or_skipped(
    qtbot: QtBot, runner: SyncRunner, service: StubService
) -> None:
    outcomes = _collect(runner)
    first = runner.submit(SyncRequest("listings"))
    assert first.admission is Admission.STARTED
    qtbot.waitUntil(lambda: service.calls == ["products"])

    scheduled = runner.submit(SyncRequest("listings", "scheduled", job_id="listings"))
    assert scheduled.admission is Admission.REFUSED
    assert scheduled.reason == ALREADY_RUNNING

    again = runner.submit(SyncRequest("listings"))
    assert again.admission is Admission.QUEUED
    third = runner.submit(SyncRequest("listings"))
    assert third.admission is Admission.REFUSED
    assert "already waiting" in (third.reason or "")

    service.release()
    qtbot.waitUntil(lambda: len(outcomes) == 2)
    assert service.calls == ["products", "products"]
    assert all(o.ok for o in outcomes)


def test_different_work_waits_its_turn_and_never_overlaps(
    qtbot: QtBot, runner: SyncRunner, service: StubService
) -> None:
    outcomes = _collect(runner)
    assert runner.submit(SyncRequest("inventory", "scheduled", job_id="inventory")).accepted
    queued = runner.submit(SyncRequest("listings"))
    assert queued.admission is Admission.QUEUED
    assert runner.waiting[0].kind == "listings"
    service.release()
    qtbot.waitUntil(lambda: len(outcomes) == 2)
    assert service.events == ["start inventory", "end inventory", "start products", "end products"]


def test_cancel_stops_the_running_sync(
    qtbot: QtBot, runner: SyncRunner, service: StubService
) -> None:
    outcomes = _collect(runner)
    runner.submit(SyncRequest("listings"))
    qtbot.waitUntil(lambda: service.calls == ["products"])
    assert runner.cancel()
    qtbot.waitUntil(lambda: bool(outcomes))
    assert outcomes[0].cancelled
    assert not runner.cancel()  # nothing running any more


def test_progress_is_throttled_before_it_reaches_the_gui(qtbot: QtBot) -> None:
    service = StubService(hold=False, progress_calls=20_000)
    runner = SyncRunner(lambda: service)  # type: ignore[arg-type, return-value]
    seen: list[tuple[str, int, int]] = []
    runner.progress.connect(lambda p, d, t: seen.append((p, d, t)))
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.submit(SyncRequest("listings"))
    runner.shutdown()
    assert 1 <= len(seen) < 500
    assert seen[-1] == ("listings", 20_000, 20_000)


@pytest.mark.parametrize(
    ("error", "needs_user", "skipped"),
    [
        (TokenRevokedError("Etsy no longer accepts the connection"), True, False),
        (SyncAlreadyRunning("Another sync of this shop is running (host:1)"), False, True),
        (RuntimeError("boom"), False, False),
    ],
)
def test_errors_become_outcomes_with_reasons(
    qtbot: QtBot,
    runner: SyncRunner,
    service: StubService,
    error: BaseException,
    needs_user: bool,
    skipped: bool,
) -> None:
    service.raise_error = error
    service.release()
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.submit(SyncRequest("listings"))
    outcome: SyncOutcome = blocker.args[0]
    assert not outcome.ok
    assert outcome.needs_user is needs_user
    assert outcome.already_running is skipped
    assert outcome.status == ("skipped" if skipped else "failed")
    assert str(error) in (outcome.error or "")


def test_full_collections_wait_while_background_work_runs(
    qtbot: QtBot, runner: SyncRunner, service: StubService, jobs: JobRunner
) -> None:
    import gc

    from etsysync_gui.gc_guard import FULL_COLLECTIONS_OFF, GC_GUARD

    normal = gc.get_threshold()
    runner.submit(SyncRequest("listings"))
    qtbot.waitUntil(lambda: service.calls == ["products"])
    assert gc.get_threshold()[2] == FULL_COLLECTIONS_OFF
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        service.release()
    jobs.submit(lambda: [object() for _ in range(1000)], lambda _v: None)
    qtbot.waitUntil(lambda: not GC_GUARD.is_held and not jobs.busy)
    assert gc.get_threshold() == normal
