"""Single flight: at most one sync per shop at a time, across threads and processes.

Why a lease in the database and not a lock file or a mutex: the GUI, its
scheduler and a cron job running ``etsysync sync`` are different processes,
possibly on different machines sharing one PostgreSQL database.  Two syncs of
one shop at the same time would both read the same bases and both apply the
same sale, so the second must fail at once.

How: the shop's ``etsy_sync_config`` row (created if missing) carries
``lease_holder`` and ``lease_expires_at``.  Taking the lease is ONE conditional
``UPDATE ... WHERE shop_id = :s AND (lease_holder IS NULL OR lease_expires_at <
<db now> OR lease_holder = :me)``; the row count says who won.  Both databases
make that update atomic (PostgreSQL re-checks the condition after waiting for a
competing row lock; SQLite serialises writers), so two racers can never both
see a count of 1.

Time is the DATABASE's (``db.dbclock``), read inside that same UPDATE: the
expiry written and the expiry compared come from one clock, so machines whose
clocks disagree by minutes still agree on who holds the lease.  The app clock
(``clock``) only stamps ``updated_at`` and the "last sync" columns the seller
reads.

A holder renews its lease while it runs: ``keep_alive`` renews every quarter
TTL from a small timer thread (long single steps such as reading a big shop
can outlast the TTL), and ``confirm`` renews right before every write, so a
run that lost its lease finds out before its next write and stops with
``LeaseLost``.  A
holder that died stops renewing; its lease expires after ``ttl`` seconds and
the next sync takes it over -- at once when the holder ran on this machine and
its process is gone (``holder``).

The lease also keeps ``sync_status`` honest: ``in_progress`` while held, then
``completed`` / ``error`` (with ``sync_error``) / ``idle`` (cancelled) on release,
and ``last_product_sync`` (the listing sync's column, named before it was
called that) / ``last_inventory_sync`` on success.  A dry run holds
the lease (its reads must not interleave with a real run's writes) but leaves
the status columns as they were.  Renewals and the release also carry the
Etsy request budget (``piggyback``, see ``budget``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from etsysync_gui.db.dbclock import db_later, db_now
from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig, SyncRun
from etsysync_gui.db.sql_helpers import insert_ignore, rowcount, table_of
from etsysync_gui.db.types import utcnow
from etsysync_gui.errors import EXIT_ALREADY_RUNNING, EtsySyncError
from etsysync_gui.sync.runs.holder import HolderId, holder_is_gone, new_holder_id

Clock = Callable[[], datetime]
RENEW_FRACTION = 0.25
LOST_MESSAGE = (
    "Another sync took this shop over while this one was paused, so this one stopped "
    "before its next write; the other sync carries on and nothing needs doing."
)
log = logging.getLogger(__name__)

__all__ = ["Lease", "LeaseLost", "SyncAlreadyRunning", "new_holder_id"]


class SyncAlreadyRunning(EtsySyncError):
    """Another sync of the same shop holds the lease (the CLI exits 3: busy)."""

    title = "Sync already running"
    exit_code = EXIT_ALREADY_RUNNING


class LeaseLost(SyncAlreadyRunning):
    """This run's lease was taken over by another sync; stop before the next write.

    A ``SyncAlreadyRunning``: for the seller it is the same situation (another
    sync is doing the work), so the CLI exits 3 and the app reports "busy"
    instead of an error that would pause background sync.
    """

    title = "Sync interrupted"


class Lease:
    """The sync lease of one shop; ``acquire`` before a run, ``release`` after it."""

    def __init__(
        self,
        database: Database,
        shop_id: int,
        *,
        ttl_s: float = 120.0,
        clock: Clock = utcnow,
        holder: str | None = None,
        track_status: bool = True,
        piggyback: Callable[[], Mapping[str, Any]] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``piggyback``: extra column values written with every renewal and the
        release (the request budget, see ``budget``), so they cost no write of
        their own.  ``monotonic`` only throttles renewals; it never decides
        expiry (the database's clock does)."""
        self.database = database
        self.piggyback = piggyback
        self.shop_id = shop_id
        self.ttl = timedelta(seconds=ttl_s)
        self.clock = clock
        self.monotonic = monotonic
        self.holder = holder or new_holder_id()
        self.track_status = track_status
        self._renewed_at: float | None = None
        self._lost = False
        self._lock = threading.RLock()
        # Taken from a holder of this machine whose process is gone, before the lease
        # expired: its last requests may still be on their way to Etsy (``recovery``).
        self.took_over_gone = False

    @property
    def held(self) -> bool:
        return self._renewed_at is not None

    def _expiry(self) -> ColumnElement[Any]:
        return db_later(self.database.engine.dialect, self.ttl.total_seconds())

    def acquire(self) -> None:
        """Take the lease or raise ``SyncAlreadyRunning`` naming the holder.

        A lease held by a process of this machine that is gone is taken over at
        once; the take-over names that exact holder, so if a third sync got
        there first, this one loses cleanly.
        """
        now = self.clock()
        with self.database.session() as session:
            insert_ignore(
                session,
                table_of(EtsySyncConfig),
                {
                    "shop_id": self.shop_id,
                    "sync_status": "idle",
                    "created_at": now,
                    "updated_at": now,
                },
                "shop_id",
            )
            free = or_(
                EtsySyncConfig.lease_holder.is_(None),
                EtsySyncConfig.lease_expires_at < db_now(self.database.engine.dialect),
                EtsySyncConfig.lease_holder == self.holder,
            )
            won = self._take(session, free, now)
        if not won:
            dead = self._current_holder()
            if dead is None or not holder_is_gone(dead):
                raise SyncAlreadyRunning(self._running_message())
            with self.database.session() as session:
                won = self._take(session, EtsySyncConfig.lease_holder == dead, now)
            if not won:
                raise SyncAlreadyRunning(self._running_message())
            log.info("Took over the sync lease of shop %s from %s (gone)", self.shop_id, dead)
            self.took_over_gone = True
        self._renewed_at = self.monotonic()

    def _take(self, session: Session, condition: ColumnElement[bool], now: datetime) -> bool:
        values: dict[str, Any] = {
            "lease_holder": self.holder,
            "lease_expires_at": self._expiry(),
            "updated_at": now,
        }
        if self.track_status:
            values.update(sync_status="in_progress", sync_error=None)
        taken = session.execute(
            update(EtsySyncConfig)
            .where(EtsySyncConfig.shop_id == self.shop_id, condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(taken) == 1

    def confirm(self) -> None:
        """Renew now, unthrottled: call right before a write.

        Why before every write and not only every quarter TTL: a run that was
        paused (a suspended laptop, a stalled disk) past its TTL may have been
        taken over; it must find out before it writes Etsy or the database,
        or both runs would apply the same sale.  After a successful confirm
        the lease is ours for a whole TTL by the database's clock.
        """
        self.renew(force=True)

    def renew(self, *, force: bool = False) -> None:
        """Push the expiry forward (at most every quarter TTL unless ``force``).

        Raises ``LeaseLost`` once another sync has taken the lease over.
        """
        with self._lock:
            if self._lost:
                raise LeaseLost(LOST_MESSAGE)
            if self._renewed_at is None:
                raise RuntimeError("renew() without acquire()")
            started = self.monotonic()
            interval = self.ttl.total_seconds() * RENEW_FRACTION
            if not force and started - self._renewed_at < interval:
                return
            with self.database.session() as session:
                result = session.execute(
                    update(EtsySyncConfig)
                    .where(
                        EtsySyncConfig.shop_id == self.shop_id,
                        EtsySyncConfig.lease_holder == self.holder,
                    )
                    .values(
                        lease_expires_at=self._expiry(), updated_at=self.clock(), **self._extra()
                    )
                    .execution_options(synchronize_session=False)
                )
                kept = rowcount(result) == 1
            if not kept:
                self._renewed_at = None
                self._lost = True
                raise LeaseLost(LOST_MESSAGE)
            self._renewed_at = started

    @contextmanager
    def keep_alive(self, interval_s: float | None = None) -> Iterator[None]:
        """Renew from a small background thread while the block runs.

        Why besides the renewals between listings: a single long step (reading
        every listing of a big shop while Etsy rate-limits) can outlast the TTL.
        The thread only waits on an event, so it costs nothing and stops at once.
        """
        interval = interval_s or self.ttl.total_seconds() * RENEW_FRACTION
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    self.renew(force=True)
                except LeaseLost:
                    return
                except Exception:  # a database hiccup: the next tick tries again
                    log.warning("Could not renew the sync lease of shop %s", self.shop_id)

        thread = threading.Thread(target=loop, name=f"sync-lease-{self.shop_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)

    def release(
        self,
        *,
        status: str | None = None,
        error: str | None = None,
        listing_sync: bool = False,
        inventory_sync: bool = False,
    ) -> None:
        """Give the lease back; record ``status`` (idle/completed/error) unless a dry run."""
        with self._lock:
            if self._renewed_at is None:
                return
            self._renewed_at = None
        now = self.clock()
        values: dict[str, Any] = {"lease_holder": None, "lease_expires_at": None, "updated_at": now}
        values.update(self._extra())
        if self.track_status and status is not None:
            values.update(sync_status=status, sync_error=error)
            if listing_sync:
                values["last_product_sync"] = now
            if inventory_sync:
                values["last_inventory_sync"] = now
        with self.database.session() as session:
            session.execute(
                update(EtsySyncConfig)
                .where(
                    EtsySyncConfig.shop_id == self.shop_id,
                    EtsySyncConfig.lease_holder == self.holder,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    def _extra(self) -> dict[str, Any]:
        if self.piggyback is None:
            return {}
        try:
            return dict(self.piggyback())
        except Exception:  # never let a side value cost the lease
            log.exception("Could not read the values to store with the sync lease")
            return {}

    def _current_holder(self) -> str | None:
        with self.database.session() as session:
            return session.scalar(
                select(EtsySyncConfig.lease_holder).where(EtsySyncConfig.shop_id == self.shop_id)
            )

    def _running_message(self) -> str:
        with self.database.session() as session:
            row = session.execute(
                select(EtsySyncConfig.lease_holder, EtsySyncConfig.lease_expires_at).where(
                    EtsySyncConfig.shop_id == self.shop_id
                )
            ).one_or_none()
            started = session.scalar(
                select(SyncRun.started_at)
                .where(SyncRun.shop_id == self.shop_id, SyncRun.status == "running")
                .order_by(SyncRun.started_at.desc())
                .limit(1)
            )
        holder = HolderId.parse(row.lease_holder).label if row and row.lease_holder else None
        if started is None and row is not None and row.lease_expires_at is not None:
            started = row.lease_expires_at - self.ttl
        since = started.strftime("%Y-%m-%d %H:%M:%S UTC") if started else "an unknown time"
        return f"a sync is already running since {since} ({holder or 'unknown holder'})"
