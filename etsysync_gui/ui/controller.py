"""``AppController``: the shop session the views share (service, runners, scheduler).

Views present and command; this object owns the long-lived parts and turns
their news into Qt signals on the GUI thread:

* ``jobs`` (reads and small writes) and ``runner`` (THE sync runner);
* the ``SyncService``, built lazily on a worker from the settings (so a
  missing shop or connection is reported, not raised at start);
* the ``Scheduler`` when the profile has a shop, driven by APScheduler in the
  app and by hand in tests (``driver``, ``clock``);
* what the dashboard needs to know about the connection and the budget.

Settings changes go through ``ConfigStore.set_value`` on a worker, then a
fresh load (``AppContext.fresh_settings``); the service is rebuilt and the
scheduler re-armed.  Credentials come from ``AppContext.credentials`` when
the run has its own store (the demo shop's, in memory), else the keychain.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal, Slot

from etsysync_gui.bootstrap import AppContext
from etsysync_gui.config import ConfigStore, Settings
from etsysync_gui.credentials import CredentialStore
from etsysync_gui.db.engine import Database
from etsysync_gui.db.types import utcnow
from etsysync_gui.etsy.ratelimit import DEFAULT_LIMIT_PER_DAY, Budget
from etsysync_gui.etsy_account import client_from_settings, credential_store
from etsysync_gui.queries.dashboard import count_listings
from etsysync_gui.scheduling.driver import APSchedulerDriver, Driver
from etsysync_gui.scheduling.interval_budget import IntervalAdvice, suggest_inventory_interval
from etsysync_gui.scheduling.requests import SyncOutcome, describe_error
from etsysync_gui.scheduling.scheduler import Scheduler
from etsysync_gui.scheduling.snapshot import SchedulerSnapshot
from etsysync_gui.sync.inventory.plan_types import SyncPlan
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from etsysync_gui.ui.connection import Connection, failed_connection
from etsysync_gui.ui.infra.jobs import JobRunner
from etsysync_gui.ui.infra.sync_runner import SyncRunner
from etsysync_gui.ui.plain_errors import is_unreachable, plain_error

log = logging.getLogger(__name__)

__all__ = ["AppController", "Connection", "HeldPlan", "default_service"]

ServiceFactory = Callable[[Settings, Database], SyncService]


def default_service(
    settings: Settings, database: Database, store: CredentialStore | None = None
) -> SyncService:
    """The profile's service (raises ``ConfigError`` when no shop is configured).

    ``store``: where the credentials live (``None``: the profile's keychain item).
    """
    options = SyncOptions.from_settings(settings)
    return SyncService(database, lambda: client_from_settings(settings, store=store), options)


@dataclass(frozen=True, slots=True)
class HeldPlan:
    """A scheduled plan waiting in Needs you, and why (drafts mode, an unusual plan).

    Kept in memory only: after a restart the next scheduled run plans afresh
    and holds again, so nothing is lost but a plan that would be stale anyway.
    """

    plan: SyncPlan
    reason: str


class AppController(QObject):
    settings_changed = Signal(object)  # Settings
    connection_changed = Signal(object)  # Connection
    scheduler_changed = Signal(object)  # SchedulerSnapshot
    budget_changed = Signal(object)  # Budget
    notify = Signal(str, str, bool)  # title, message, is_error
    data_changed = Signal()  # the database changed: views reload when shown
    _snapshot = Signal(object)

    def __init__(
        self,
        context: AppContext,
        *,
        service_factory: ServiceFactory | None = None,
        clock: Callable[[], datetime] = utcnow,
        driver: Driver | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = context.settings
        self.database = context.require_database()
        self.clock = clock
        self._service_factory: ServiceFactory = service_factory or (
            lambda settings, database: default_service(settings, database, context.credentials)
        )
        self._driver = driver
        self._service: SyncService | None = None
        self._service_lock = threading.Lock()
        self.connection = Connection("checking")
        self.budget: Budget | None = None
        self.held: HeldPlan | None = None
        self._told_reconnect = False
        self.listing_count: int | None = None
        self._count_seq = 0
        """The shop's listings as the database knows them (sizes the automatic interval)."""
        self.jobs = JobRunner(self)
        self.runner = SyncRunner(self.service, self)
        self.runner.finished.connect(self._on_finished)
        self.runner.budget_changed.connect(self._on_budget)
        self._snapshot.connect(self._on_snapshot)
        self.scheduler: Scheduler | None = None
        self.scheduler_snapshot: SchedulerSnapshot | None = None
        self._build_scheduler()

    # --- the service (worker threads) ---------------------------------------------------

    def service(self) -> SyncService:
        with self._service_lock:
            if self._service is None:
                self._service = self._service_factory(self.settings, self.database)
            return self._service

    @property
    def shop_id(self) -> int | None:
        return self.settings.profile.shop_id

    # --- lifecycle -----------------------------------------------------------------------

    def _build_scheduler(self) -> None:
        profile = self.settings.profile
        if profile.shop_id is None:
            return
        driver = self._driver or APSchedulerDriver(f"etsysync:{profile.name}")
        self.scheduler = Scheduler(
            self.database,
            profile.name,
            self.runner.submit,
            intervals=self._intervals(),
            enabled=profile.sync_enabled,
            clock=self.clock,
            limit_per_day=self._limit_per_day,
            driver=driver,
        )
        self.scheduler.add_listener(self._snapshot.emit)

    def _intervals(self) -> dict[str, int]:
        return {
            "listings": self.settings.profile.product_sync_interval,
            "inventory": self.inventory_interval(),
        }

    def inventory_interval_is_automatic(self) -> bool:
        """The seller set no stock interval (file or environment): it follows the shop."""
        return self.settings.sources.get("inventory_sync_interval", "default") == "default"

    def interval_advice(self) -> IntervalAdvice:
        """The stock interval sized for the shop's listings and Etsy's daily budget."""
        return suggest_inventory_interval(self.listing_count or 0, self._limit_per_day())

    def inventory_interval(self) -> int:
        """The stock interval in force: the seller's, or the one sized for the shop."""
        if self.inventory_interval_is_automatic():
            return self.interval_advice().interval_s
        return self.settings.profile.inventory_sync_interval

    def count_listings(self, then: Callable[[], object] | None = None) -> None:
        """Count the shop's listings on a worker; an automatic interval follows the count."""
        shop_id = self.shop_id
        if shop_id is None:
            return
        database = self.database
        self._count_seq += 1
        seq = self._count_seq

        def counted(count: int) -> None:
            # Only the latest count: an older one may finish last and be stale.
            if seq == self._count_seq and count != self.listing_count:
                self.listing_count = count
                if self.scheduler is not None and self.inventory_interval_is_automatic():
                    profile = self.settings.profile
                    self.scheduler.reconfigure(self._intervals(), profile.sync_enabled)
            if then is not None:
                then()

        def failed(_exc: object) -> None:  # the count is a refinement: start anyway
            if then is not None:
                then()

        self.jobs.submit(lambda: count_listings(database, shop_id), counted, failed)

    def _limit_per_day(self) -> int | None:
        return self.budget.limit_per_day if self.budget is not None else DEFAULT_LIMIT_PER_DAY

    def start(self, *, scheduler: bool = True) -> None:
        """Check the connection and (unless told not to) start the scheduler."""
        self.check_connection()
        if scheduler and self.scheduler is not None:
            # Sized first: a big shop's first run must not come at a small shop's interval.
            self.count_listings(then=self.scheduler.start)
        else:
            self.count_listings()

    def shutdown(self) -> None:
        """Stop the scheduler, cancel and join every worker, close the Etsy client."""
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.runner.shutdown()
        self.jobs.shutdown()
        with self._service_lock:
            service, self._service = self._service, None
        if service is not None:
            service.close()

    def background_sync_on(self) -> bool:
        """Scheduled syncs would run now or after a pause (a shop and the switch on)."""
        return self.scheduler is not None and self.settings.profile.sync_enabled

    def set_paused(self, paused: bool) -> None:
        """Pause or resume every scheduled job (the tray's and the dashboard's button).

        The scheduler only changes memory here and saves on its own writer, so
        this never blocks the GUI thread; its snapshot signal updates the views.
        """
        if self.scheduler is None:
            return
        if paused:
            self.scheduler.pause()
        else:
            self.scheduler.resume()

    # --- connection ------------------------------------------------------------------------

    def check_connection(self, *, resume_on_success: bool = False) -> None:
        self._set_connection(Connection("checking"))

        def done(connection: Connection) -> None:
            self._set_connection(connection)
            if resume_on_success and connection.state == "connected" and self.scheduler:
                self.scheduler.resume_after_reconnect()

        self.jobs.submit(self._probe, done, lambda exc: done(failed_connection(exc)))

    def _probe(self) -> Connection:
        if self.shop_id is None:
            return Connection(
                "not_configured", message="No Etsy shop is set up for this profile yet."
            )
        service = self.service()
        client = service.client
        client.get_me()
        shop = client.get_shop(service.options.shop_id)
        return Connection("connected", shop.shop_name, shop.url or None, None, self._expiry())

    def _expiry(self) -> datetime | None:
        """The saved access token's expiry (not known for tokens from the environment)."""
        if self.settings.secrets.access_token:
            return None
        try:
            store = self.context.credentials or credential_store(self.settings)
            saved = store.load()
        except Exception:  # the keychain said no: the dashboard just leaves it out
            return None
        if saved is None or saved.expires_at is None:
            return None
        return datetime.fromtimestamp(saved.expires_at, UTC)

    def reconnect(self) -> None:
        """After the seller reconnected (wizard) or fixed the environment: start afresh."""
        self.reload_settings(then=lambda: self.check_connection(resume_on_success=True))

    def _set_connection(self, connection: Connection) -> None:
        self.connection = connection
        if connection.state == "connected":
            self._told_reconnect = False
        self.connection_changed.emit(connection)

    # --- settings ----------------------------------------------------------------------------

    def save_settings(
        self,
        changes: Mapping[str, str | None],
        on_done: Callable[[], None],
        on_error: Callable[[object], None],
        *,
        default_profile: str | None = None,
    ) -> None:
        """Write each ``key → text`` through ``ConfigStore.set_value``, then reload.

        ``None`` removes the key from the file (back to its default, or automatic).
        """
        profile = self.settings.profile.name
        path = self.settings.config_path

        def write() -> None:
            store = ConfigStore(path)
            for key, value in changes.items():
                if value is None:
                    store.clear_value(profile, key)
                else:
                    store.set_value(profile, key, value)
            if default_profile is not None:
                store.set_default_profile(default_profile)

        def written(_: object) -> None:
            self.reload_settings(then=on_done)

        self.jobs.submit(write, written, on_error)

    def reload_settings(self, then: Callable[[], None] | None = None) -> None:
        def load() -> Settings:
            settings = self.context.fresh_settings()
            with self._service_lock:
                old, self._service = self._service, None
            if old is not None:
                old.close()
            return settings

        def loaded(settings: Settings) -> None:
            self.settings = settings
            if self.scheduler is not None:
                profile = settings.profile
                self.scheduler.reconfigure(self._intervals(), profile.sync_enabled)
            self.settings_changed.emit(settings)
            if then is not None:
                then()

        self.jobs.submit(load, loaded, lambda exc: self._report(exc, "Settings not reloaded"))

    # --- news from the runner and the scheduler -------------------------------------------------

    @Slot(object)
    def _on_finished(self, outcome: SyncOutcome) -> None:
        if self.scheduler is not None:
            self.scheduler.observe(outcome)
        plain = plain_error(outcome.error or "", needs_user=outcome.needs_user)
        if outcome.needs_user:
            self._set_connection(Connection("needs_user", message=plain.text, detail=plain.detail))
            if not self._told_reconnect:  # once per lost connection, not once per run
                self._told_reconnect = True
                self.notify.emit("EtsySync needs you", plain.text, True)
        elif outcome.error is not None and not outcome.already_running:
            if is_unreachable(outcome.error):
                self._set_connection(
                    Connection(
                        "error", self.connection.shop_name, message=plain.text, detail=plain.detail
                    )
                )
            self.notify.emit(f"{outcome.request.title} failed", plain.text, True)
        elif outcome.result is not None and outcome.result.status == "completed_with_errors":
            self.notify.emit(outcome.request.title, outcome.summary, True)
        self._keep_held(outcome)
        if outcome.result is not None and self.connection.state == "error":
            self.check_connection()  # Etsy answered again: say so
        if outcome.result is not None or outcome.request.kind == "apply" or outcome.held:
            self.data_changed.emit()
        if outcome.result is not None and outcome.request.kind in ("listings", "all"):
            self.count_listings()

    def _keep_held(self, outcome: SyncOutcome) -> None:
        """A held plan waits until the seller applies one or a later inventory run is done."""
        if outcome.held is not None and outcome.plan is not None:
            told = self.held is not None  # a newer plan replaces one still waiting: no news
            self.held = HeldPlan(outcome.plan, outcome.held)
            if not told:
                self.notify.emit(
                    "A sync is waiting for you",
                    f"The scheduled inventory sync stopped at its plan: {outcome.held} "
                    "Open Needs you to review it.",
                    False,
                )
        elif outcome.ok and outcome.request.kind in ("inventory", "all", "apply"):
            self.held = None

    @Slot(object)
    def _on_budget(self, budget: Budget) -> None:
        self.budget = budget
        self.budget_changed.emit(budget)

    @Slot(object)
    def _on_snapshot(self, snapshot: SchedulerSnapshot) -> None:
        self.scheduler_snapshot = snapshot
        self.scheduler_changed.emit(snapshot)

    def _report(self, exc: object, title: str) -> None:
        _title, message, _ = describe_error(exc if isinstance(exc, BaseException) else Exception())
        self.notify.emit(title, plain_error(message).text, True)
