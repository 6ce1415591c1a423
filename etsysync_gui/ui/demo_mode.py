"""The demo's first minute, once the window is up.

The window is built and shown while the fake Etsy starts and connects on a
helper thread (``demo.shop.DemoShop.open``), so the seller sees the app at
once.  ``DemoSession`` hears (on the GUI thread) when the shop is ready and
only then starts the window's work: the connection check, and in a live run
the first sync.

Order matters for what the seller sees: the first listing sync imports the
whole generated shop into the catalog (``import_unlinked``: the demo has no
catalog of its own), a few listings are unlinked again so links have work
(``demo.first_run``, on a worker), and only then do the scheduler and the
simulated buyers start.  Started earlier, the scheduler's own first listing
run would be refused as "already running" and its first stock run would
find an empty catalog; the buyers' sales would land before anything was
linked and show nothing.  After this, the demo is the ordinary app: the
scheduler, the review, links and the log work as for a real shop.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future

from PySide6.QtCore import QObject, Signal, Slot

from etsysync_gui.demo.first_run import unlink_a_few
from etsysync_gui.demo.shop import DemoShop
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.scheduling.requests import SyncOutcome, SyncRequest
from etsysync_gui.ui.main_window import MainWindow

log = logging.getLogger(__name__)


class DemoSession(QObject):
    """Starts the window once the shop is ready, then the first import, the scheduler
    and the buyers (``live``; ``--quit-after-start`` only opens the window)."""

    failed = Signal(object)  # EtsySyncError
    _settled = Signal()

    def __init__(self, window: MainWindow, shop: Future[DemoShop], *, live: bool) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.live = live
        self.shop: DemoShop | None = None
        self.error: EtsySyncError | None = None
        self.first_request: SyncRequest | None = None
        self._future = shop
        self._settled.connect(self._on_settled)

    def watch(self) -> None:
        """Start waiting for the shop (connect to ``failed`` first: a shop that is
        already done is handled at once)."""
        self._future.add_done_callback(self._from_helper)

    @property
    def settled(self) -> bool:
        """The shop is ready or failed to start."""
        return self.shop is not None or self.error is not None

    def _from_helper(self, _future: Future[DemoShop]) -> None:
        with contextlib.suppress(RuntimeError):  # the window is gone: the app is closing
            self._settled.emit()  # queued to the GUI thread

    @Slot()
    def _on_settled(self) -> None:
        if self.settled or self.window.shut_down:  # quit before the shop was ready
            return
        try:
            shop = self._future.result()
        except EtsySyncError as error:
            self.error = error
        except Exception as exc:
            log.error("The demo shop did not start", exc_info=exc)
            self.error = EtsySyncError(f"The demo shop did not start: {exc}")
        if self.error is not None:
            self.failed.emit(self.error)
            return
        self.shop = shop
        self.window.start(scheduler=False)
        if self.live:
            self._begin()

    def _begin(self) -> None:
        self.first_request = SyncRequest("listings", import_unlinked=True)
        self.controller.runner.finished.connect(self._finished)
        self.controller.runner.submit(self.first_request)

    @Slot(object)
    def _finished(self, outcome: SyncOutcome) -> None:
        if outcome.request is not self.first_request:
            return
        self.controller.runner.finished.disconnect(self._finished)
        log.info("Demo: first listing sync done (%s)", outcome.summary)
        if not outcome.ok:  # the dashboard shows why; the scheduler retries as usual
            self._go_live()
            return
        controller = self.controller

        def failed(error: object) -> None:
            log.warning("Demo: could not leave listings unlinked: %s", error)
            self._go_live()

        controller.jobs.submit(
            lambda: unlink_a_few(controller.service()),
            lambda _ids: self._go_live(changed=True),
            failed,
            context=self,
        )

    def _go_live(self, *, changed: bool = False) -> None:
        if changed:
            self.controller.data_changed.emit()
        if self.controller.scheduler is not None:
            self.controller.scheduler.start()
        if self.shop is not None:
            self.shop.start_purchases()
