"""``DemoShop``: the fake Etsy, the demo's connection and its buyers, started together.

``DemoShop.open`` runs on a helper thread while the app builds its window,
and does, in about a quarter of a second for 300 listings:

1. generate the shop (300 listings in every state, simple listings and
   variations with shared and per-variation stock) and serve it on
   127.0.0.1, on the port planned for it (``settings.prepare_demo``, ``endpoints``), on a
   daemon thread, with Etsy's rate limits;
2. connect the demo profile through the real OAuth flow (``connect``), the
   tokens kept in memory (``credentials.MemorySecrets``; see there why never
   the keychain).

Its settings (``settings()``) are known before it starts, so the window does
not wait for it; only the first check of the connection and the first sync do.

``start_purchases`` starts the buyers once the first sync is done; ``close``
stops the buyers and the server (the app calls it after the window shut down,
so no sync is still talking to the fake).  The database is not touched here:
the app resets it after the single-instance check, so a second launch never
wipes the database of a demo that is running.  (The demo's small settings
file is reset by ``prepare_demo``, before connecting writes the shop id to
it; a second launch resets it under a running demo, which then forgets the
Settings it changed for that session; nothing else.)
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from types import TracebackType
from typing import Self

from etsysync_gui.config import Settings
from etsysync_gui.credentials import CredentialStore
from etsysync_gui.demo.connect import connect_demo
from etsysync_gui.demo.endpoints import (
    DEMO_KEYSTRING,
    DEMO_SHARED_SECRET,
    DEMO_SHOP_ID,
    DEMO_USER_ID,
    DemoEndpoints,
)
from etsysync_gui.demo.purchases import (
    DEFAULT_PURCHASE_INTERVAL_S,
    DEFAULT_PURCHASE_SEED,
    PurchaseSimulator,
)
from etsysync_gui.demo.settings import (
    DemoPaths,
    DemoPlan,
    demo_credentials,
    demo_settings,
    prepare_demo,
)
from etsysync_gui.errors import EtsySyncError
from etsysync_gui.etsy.oauth.flow import PortInUseError
from fake_etsy import FakeEtsyServer

log = logging.getLogger(__name__)

DEMO_LISTINGS = 300
DEMO_SHOP_SEED = 2026
DEMO_SHOP_NAME = "DemoCraftStudio"
START_ATTEMPTS = 3


class DemoStartError(EtsySyncError):
    title = "Demo shop not started"


class DemoShop:
    """The running demo: ``server``, ``credentials``, ``settings()``, ``purchases``."""

    def __init__(
        self,
        server: FakeEtsyServer,
        credentials: CredentialStore,
        paths: DemoPaths,
        endpoints: DemoEndpoints,
        purchases: PurchaseSimulator,
        log_level: str,
    ) -> None:
        self.server = server
        self.credentials = credentials
        self.paths = paths
        self.endpoints = endpoints
        self.purchases = purchases
        self._log_level = log_level

    @property
    def shop_id(self) -> int:
        return self.server.shop_id

    @classmethod
    def open(
        cls,
        plan: DemoPlan | None = None,
        *,
        credentials: CredentialStore | None = None,
        listings: int = DEMO_LISTINGS,
        seed: int = DEMO_SHOP_SEED,
        purchase_interval_s: float = DEFAULT_PURCHASE_INTERVAL_S,
        purchase_seed: int = DEFAULT_PURCHASE_SEED,
        data_dir: Path | None = None,
        log_level: str = "INFO",
    ) -> DemoShop:
        """Start the fake shop and connect to it (blocking; see the module notes).

        With ``plan`` (the app prepared it and already built its settings on
        it) there is one attempt; without, a plan is prepared here (in
        ``data_dir``) and busy ports are retried with new ones.  Raises
        ``DemoStartError`` when the ports cannot be had.
        """
        store = credentials if credentials is not None else demo_credentials()
        attempts = 1 if plan is not None else START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            current = plan or prepare_demo(data_dir)
            endpoints = current.endpoints
            try:
                server = cls._serve(endpoints, listings, seed)
            except OSError as exc:
                if attempt == attempts:
                    raise _busy(endpoints.api_port, exc) from None
                continue
            try:
                settings = demo_settings(current.paths, endpoints, log_level=log_level)
                connect_demo(settings, store, DEMO_KEYSTRING, DEMO_SHARED_SECRET)
            except PortInUseError as exc:
                server.stop()
                if attempt == attempts:
                    raise _busy(endpoints.redirect_port, exc) from None
                continue
            except BaseException:
                server.stop()
                raise
            purchases = PurchaseSimulator(
                server, interval_s=purchase_interval_s, seed=purchase_seed
            )
            return cls(server, store, current.paths, endpoints, purchases, log_level)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _serve(plan: DemoEndpoints, listings: int, seed: int) -> FakeEtsyServer:
        server = FakeEtsyServer(
            listings=listings,
            seed=seed,
            keystring=DEMO_KEYSTRING,
            shared_secret=DEMO_SHARED_SECRET,
            shop_id=DEMO_SHOP_ID,
            user_id=DEMO_USER_ID,
            shop_name=DEMO_SHOP_NAME,
            redirect_uris=(plan.redirect_uri,),
            port=plan.api_port,
        ).start()
        assert server.base_url == plan.api_base_url, "the fake's URL layout changed"
        return server

    def settings(self) -> Settings:
        """The demo profile's settings (re-read after each change in the Settings dialog)."""
        return demo_settings(self.paths, self.endpoints, log_level=self._log_level)

    def start_purchases(self) -> None:
        if not self.purchases.running:
            self.purchases.start()

    def close(self) -> None:
        """Stop the buyers and the fake Etsy (idempotent)."""
        self.purchases.stop()
        with contextlib.suppress(Exception):
            self.server.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _busy(port: int, exc: BaseException) -> DemoStartError:
    log.info("Demo: port %s was taken meanwhile (%s)", port, exc)
    return DemoStartError(
        f"The demo shop could not start: port {port} on this computer was taken by another "
        "program just now. Start EtsySync again."
    )
