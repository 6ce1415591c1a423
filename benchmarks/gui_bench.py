"""GUI benchmark: start-up, big views, filtering and GUI-thread stalls during a sync.

Fills a SQLite profile with 100,000 listings (one stock pool each) and
1,000,000 sync-log rows, then measures with the real widgets, offscreen:

* start: process launch → first paint of the main window (a child process
  running the same steps as ``etsysync-gui``), target < 2 s;
* the listings view loading 100,000 rows, target < 1 s; one filter keystroke
  (after the search box's debounce), target < 100 ms;
* the sync log loading and filtering over 1,000,000 rows, target < 1 s;
* the longest GUI-thread stall while a 10,000-listing sync (listings with
  import, then stock) runs against the fake Etsy: a QTimer probe every 10 ms
  records how late it fires, target < 50 ms.

    .venv/bin/python benchmarks/gui_bench.py [--listings 100000] [--log-rows 1000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = {"start": 2.0, "view": 1.0, "keystroke": 0.1, "stall": 0.05}


def child_start() -> None:
    """Run as the app would and print the wall-clock time of the first paint."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    import etsysync_gui.ui  # noqa: F401
    from etsysync_gui.bootstrap import start
    from etsysync_gui.ui.main_window import MainWindow

    app = QApplication([sys.argv[0]])
    context = start(quiet=True)
    window = MainWindow(context)

    class FirstPaint(QObject):
        def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.time())
                app.quit()
            return False

    painted: list[float] = []
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.show()
    window.start(scheduler=False)
    app.exec()
    print(f"PAINTED {painted[0]:.6f}")
    window.shutdown()
    context.close()


def measure_start(env: dict[str, str]) -> float:
    launched = time.time()
    done = subprocess.run(
        [sys.executable, __file__, "--child-start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("PAINTED"))
    return float(line.split()[1]) - launched


def report(name: str, seconds: float, target: str) -> None:
    limit = TARGETS[target]
    verdict = "ok" if seconds < limit else "OVER"
    print(f"  {name:<52} {seconds * 1000:9.1f} ms   (target < {limit * 1000:.0f} ms: {verdict})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--sync-listings", type=int, default=10_000)
    parser.add_argument("--reuse-home", help="a home a previous run filled (skips filling)")
    parser.add_argument("--skip-sync", action="store_true", help="leave out the sync stall part")
    parser.add_argument("--child-start", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_start:
        child_start()
        return 0

    from gui_fill import fill_listings, fill_log
    from gui_support import point_profile_at

    from etsysync_gui.bootstrap import start
    from etsysync_gui.db.types import utcnow
    from fake_etsy import FakeEtsyServer

    home = args.reuse_home or tempfile.mkdtemp(prefix="etsysync-bench-")
    print(f"EtsySync GUI benchmark (home {home})")
    with FakeEtsyServer(listings=0, qps=None, qpd=None) as probe_server:
        point_profile_at(probe_server, home)
        if not args.reuse_home:
            context = start(quiet=True)
            database = context.require_database()
            began = time.perf_counter()
            fill_listings(database, probe_server.shop_id, args.listings, utcnow())
            filled = time.perf_counter()
            fill_log(database, probe_server.shop_id, args.log_rows, args.listings, utcnow())
            print(
                f"  filled {args.listings:,} listings in {filled - began:.1f} s and "
                f"{args.log_rows:,} log rows in {time.perf_counter() - filled:.1f} s"
            )
            context.close()
        report("start → first painted main window", measure_start(dict(os.environ)), "start")
        views(args)
    if not args.skip_sync:
        sync_stall(args)
    return 0


def views(args: argparse.Namespace) -> None:
    from gui_support import open_main_window, wait_until
    from PySide6.QtWidgets import QApplication

    import etsysync_gui.ui  # noqa: F401
    from etsysync_gui.bootstrap import start

    app = QApplication.instance() or QApplication(["gui-bench"])
    context = start(quiet=True)
    _controller, window = open_main_window(context)

    listings = window.listings
    probe = StallProbe()
    t0 = time.perf_counter()
    window.tabs.setCurrentWidget(listings)
    wait_until(lambda: listings.model.total == args.listings, 60, step_ms=1)
    listings.table.viewport().repaint()
    report(f"listings view load ({args.listings:,} rows)", time.perf_counter() - t0, "view")
    report("  longest GUI-thread stall meanwhile (informational)", probe.stop(), "stall")
    costs = []
    for text in ("w", "wa", "walnut", "walnut mug", "walnut mug #1", ""):
        listings.search.setText(text)
        t0 = time.perf_counter()
        listings.search.flush()
        listings.table.viewport().repaint()
        costs.append(time.perf_counter() - t0)
    report("one filter keystroke (worst of 6, after debounce)", max(costs), "keystroke")
    t0 = time.perf_counter()
    listings.state.setCurrentText("draft")
    listings.table.viewport().repaint()
    report("state filter", time.perf_counter() - t0, "keystroke")
    t0 = time.perf_counter()
    listings.model.sort(1)
    listings.table.viewport().repaint()
    report("sort by title", time.perf_counter() - t0, "view")

    log = window.log_view
    t0 = time.perf_counter()
    window.tabs.setCurrentWidget(log)
    wait_until(lambda: log.model.rowCount() > 0 and log.runs.total > 0, 60, step_ms=1)
    log.table.viewport().repaint()
    report(f"sync log load ({args.log_rows:,} rows)", time.perf_counter() - t0, "view")
    for label, change in (
        ("log filter: result = error", lambda: log.result.setCurrentIndex(2)),
        ("log filter: one listing", lambda: _set_listing(log, "2000000005")),
        ("log filter: text 'refused' (scan)", lambda: _set_text(log, "refused")),
        ("log filter: last 24 hours", lambda: _set_range(log, 2)),
    ):
        t0 = time.perf_counter()
        change()
        wait_until(lambda: not log.model.loading, 60, step_ms=1)
        log.table.viewport().repaint()
        report(label, time.perf_counter() - t0, "view")
    window.shutdown()
    window.close()
    context.close()
    app.processEvents()


class StallProbe:
    """A 10 ms QTimer; how late it fired at worst is the longest GUI-thread stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.lateness: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._fired)
        self._timer.start()

    def _fired(self) -> None:
        now = time.perf_counter()
        self.lateness.append(now - self._last - 0.010)
        self._last = now

    def stop(self) -> float:
        self._timer.stop()
        return max(self.lateness, default=0.0)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.lateness)
        return ordered[int(len(ordered) * share)] if ordered else 0.0


def _set_listing(log: object, text: str) -> None:
    log.result.setCurrentIndex(0)  # type: ignore[attr-defined]
    log.listing.setText(text)  # type: ignore[attr-defined]
    log.apply_filter()  # type: ignore[attr-defined]


def _set_text(log: object, text: str) -> None:
    log.listing.setText("")  # type: ignore[attr-defined]
    log.text.setText(text)  # type: ignore[attr-defined]
    log.text.flush()  # type: ignore[attr-defined]


def _set_range(log: object, index: int) -> None:
    log.text.setText("")  # type: ignore[attr-defined]
    log.text.flush()  # type: ignore[attr-defined]
    log.range.setCurrentIndex(index)  # type: ignore[attr-defined]


def sync_stall(args: argparse.Namespace) -> None:
    from gui_support import open_main_window, point_profile_at, run_request

    from etsysync_gui.bootstrap import start
    from etsysync_gui.scheduling.requests import SyncRequest
    from fake_etsy import FakeEtsyServer

    home = tempfile.mkdtemp(prefix="etsysync-bench-sync-")
    with FakeEtsyServer(listings=args.sync_listings, seed=2, qps=None, qpd=None) as server:
        point_profile_at(server, home)
        context = start(quiet=True)
        controller, window = open_main_window(context)
        progress: list[int] = []
        controller.runner.progress.connect(lambda *_a: progress.append(1))
        probe = StallProbe()
        t0 = time.perf_counter()
        outcome = run_request(controller, SyncRequest("all", import_unlinked=True), 900)
        took = time.perf_counter() - t0
        worst = probe.stop()
        print(
            f"  sync of {args.sync_listings:,} listings: {outcome.summary} in {took:.1f} s, "
            f"{len(progress)} progress updates reached the GUI"
        )
        report("longest GUI-thread stall during the sync", worst, "stall")
        print(
            f"  (probe fired {len(probe.lateness):,} times; 99th percentile late by "
            f"{probe.percentile(0.99) * 1000:.1f} ms)"
        )
        window.shutdown()
        window.close()
        context.close()


if __name__ == "__main__":
    raise SystemExit(main())
