"""Etsy's remaining request budget reaches ``etsy_sync_config`` (dashboard, ``health``).

The dashboard and ``etsysync health`` read ``rate_limit_remaining`` from the
database; these tests show a sync leaves there what Etsy last reported, keeps
it fresh while a long run lasts, and costs no request of its own for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import EtsySyncConfig
from etsysync_gui.sync.inventory.hooks import SyncHooks
from tests.sync.test_support import Env, linked_listing, make_env, simple

QPD = 5_000
IN_FLIGHT = 8  # the client's concurrent requests


def config(env: Env) -> EtsySyncConfig:
    with env.database.session() as session:
        return session.scalars(
            select(EtsySyncConfig).where(EtsySyncConfig.shop_id == env.shop_id)
        ).one()


def etsy_remaining(env: Env) -> int:
    return int(env.server.limiter.headers()["x-remaining-today"])


def test_a_sync_leaves_etsys_remaining_budget_for_the_dashboard(database: Database) -> None:
    with make_env(database, qpd=QPD) as env:
        env.catalog({"A": 3, "B": 4})
        env.add(simple("A", 5))
        env.add(simple("B", 4))
        before = datetime.now(UTC)
        result = env.service().sync_all("manual")
        after = datetime.now(UTC)
        assert result.status == "completed"
        assert result.counts.api_calls > 0
        row = config(env)
        # The client's figure: Etsy's last header, counted down per request.  With
        # pages read in parallel the last header handled may be a few requests old.
        assert row.rate_limit_remaining == env.client.budget().remaining_today
        assert etsy_remaining(env) <= row.rate_limit_remaining <= etsy_remaining(env) + IN_FLIGHT
        assert row.rate_limit_reset_at is not None
        window = timedelta(hours=24)
        assert before + window - timedelta(seconds=1) <= row.rate_limit_reset_at
        assert row.rate_limit_reset_at <= after + window
        spent = env.server.stats.total_requests
        env.service().sync_inventory("manual")  # the figure moves with each run
        remaining = config(env).rate_limit_remaining
        assert remaining is not None
        assert remaining <= QPD - spent
        assert remaining == env.client.budget().remaining_today


class ReadBudgetMidRun(SyncHooks):
    """Half a lease TTL passes after the first write; the row is read at the second."""

    def __init__(self, env: Env, first: int, second: int) -> None:
        self.env, self.first, self.second = env, first, second
        self.seen: tuple[int | None, str | None] | None = None

    def after_commit(self, listing_id: int) -> None:
        if listing_id == self.first:
            self.env.clock.advance(60)

    def before_write_ahead(self, listing_id: int) -> None:
        if listing_id == self.second:
            row = config(self.env)
            self.seen = (row.rate_limit_remaining, row.lease_holder)


def test_a_long_run_keeps_the_stored_budget_fresh_with_its_lease_renewals(
    database: Database,
) -> None:
    with make_env(database, qpd=QPD) as env:
        first = linked_listing(env, "A", etsy=5, local=5)
        second = linked_listing(env, "B", etsy=5, local=5)
        with env.database.session() as session:
            session.execute(EtsySyncConfig.__table__.update().values(rate_limit_remaining=None))
        env.set_local("A", 2)
        env.set_local("B", 3)
        env.server.reset_stats()
        hooks = ReadBudgetMidRun(env, first, second)
        result = env.service(hooks=hooks).sync_inventory("manual")
        assert result.counts.pushes == 2
        assert hooks.seen is not None
        remaining, holder = hooks.seen
        assert holder is not None, "read while the run was still going"
        assert remaining is not None
        assert remaining < QPD
        # Storing it cost no request: two PUTs, the plan's read, the apply's read and
        # the receipts read of the sales ledger.
        assert env.server.stats.total_requests == result.counts.api_calls == 5


def test_a_server_that_reports_no_budget_leaves_the_stored_figure_alone(
    database: Database,
) -> None:
    with make_env(database, qpd=None) as env:
        env.add(simple("A", 5))
        env.service().sync_listings("manual")
        assert config(env).rate_limit_remaining is None
        with env.database.session() as session:
            session.execute(EtsySyncConfig.__table__.update().values(rate_limit_remaining=1234))
        env.service().sync_listings("manual")
        assert config(env).rate_limit_remaining == 1234
