"""``DemoLaunch``: a demo on its way, planned at once, its shop opening on a helper thread.

Why a helper thread: starting the fake Etsy and connecting to it takes a few
hundred milliseconds (mostly imports and the OAuth round trips).  Done while
Qt loads and the window is built, it costs the seller nothing; the window
starts its work when ``shop`` is done (``ui.demo_mode``).  Everything the
settings need is planned first, on the calling thread (``prepare_demo``), so
the settings and the credential store exist before the shop does.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from etsysync_gui.config import Settings
from etsysync_gui.credentials import CredentialStore
from etsysync_gui.demo.settings import DemoPlan, demo_credentials, demo_settings, prepare_demo

if TYPE_CHECKING:
    from etsysync_gui.demo.shop import DemoShop

log = logging.getLogger(__name__)


@dataclass
class DemoLaunch:
    plan: DemoPlan
    credentials: CredentialStore
    log_level: str
    shop: Future[DemoShop]
    _pool: ThreadPoolExecutor

    @classmethod
    def begin(cls, log_level: str = "INFO") -> DemoLaunch:
        """Plan the demo and start opening its shop on a helper thread."""
        plan = prepare_demo()
        credentials = demo_credentials()

        def open_shop() -> DemoShop:
            from etsysync_gui.demo.shop import DemoShop  # imported here: off the main thread

            return DemoShop.open(plan, credentials=credentials, log_level=log_level)

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-start")
        return cls(plan, credentials, log_level, pool.submit(open_shop), pool)

    def settings(self) -> Settings:
        """The demo's settings; valid before the shop is open (it serves where they say)."""
        return demo_settings(self.plan.paths, self.plan.endpoints, log_level=self.log_level)

    def close(self) -> None:
        """Stop the shop once it has finished starting (or ignore its failure to)."""
        try:
            self.shop.result().close()
        except Exception:  # it never started: nothing to stop
            log.debug("The demo shop had not started", exc_info=True)
        self._pool.shutdown(wait=True)
