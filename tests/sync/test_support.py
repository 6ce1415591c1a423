"""Shared harness for the sync engine tests: a fake Etsy shop over real HTTP + a database.

Kept in a ``test_`` module (the sync tests own only such files); its own tests
check the harness itself.  ``make_env`` starts a ``FakeEtsyServer`` with no
generated listings, so every test builds exactly the listings it talks about.
No test sleeps: the client's limiter and retries get a no-op sleep, and the
engine gets the suite's ``FakeClock`` (``tests/clock.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from etsysync_gui.db.engine import Database
from etsysync_gui.db.models import (
    EtsyInventorySyncLog,
    EtsyProduct,
    EtsyStockPool,
    Product,
    ProductVariant,
    SyncRun,
)
from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.models import Inventory
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.etsy.ratelimit import RateLimiter
from etsysync_gui.sync.inventory.hooks import NO_HOOKS, SyncHooks
from etsysync_gui.sync.inventory.pools import pools_of
from etsysync_gui.sync.options import SyncOptions
from etsysync_gui.sync.service import SyncService
from fake_etsy import DEFAULT_SCOPES, FakeEtsyServer
from tests.clock import FakeClock

JSON = dict[str, Any]
COLOR = (200, "Primary color")
SIZE = (513, "Size")


def no_sleep(_seconds: float) -> None:
    return None


def offering(quantity: int, price: str = "10.00", enabled: bool = True) -> JSON:
    return {
        "price": float(Decimal(price)),
        "quantity": quantity,
        "is_enabled": enabled,
        "readiness_state_id": 1_001_001,
    }


def simple(sku: str, quantity: int, price: str = "10.00") -> JSON:
    """A listing without variations."""
    return {
        "products": [{"sku": sku, "property_values": [], "offerings": [offering(quantity, price)]}],
        "price_on_property": [],
        "quantity_on_property": [],
        "sku_on_property": [],
        "readiness_state_on_property": [],
    }


def one_property(
    rows: Sequence[tuple[str, str, int, str]],
    *,
    prop: tuple[int, str] = COLOR,
    per_value_stock: bool = True,
    per_value_sku: bool = True,
    per_value_price: bool = True,
) -> JSON:
    """Variations of one property; rows are ``(value, sku, quantity, price)``.

    ``per_value_stock=False`` makes every variation share one stock (rows must
    then agree on the quantity), like ``quantity_on_property: []`` on Etsy.
    """
    on = [prop[0]]
    return {
        "products": [
            {
                "sku": sku,
                "property_values": [
                    {
                        "property_id": prop[0],
                        "property_name": prop[1],
                        "value_ids": [],
                        "values": [value],
                        "scale_id": None,
                    }
                ],
                "offerings": [offering(quantity, price)],
            }
            for value, sku, quantity, price in rows
        ],
        "price_on_property": on if per_value_price else [],
        "quantity_on_property": on if per_value_stock else [],
        "sku_on_property": on if per_value_sku else [],
        "readiness_state_on_property": [],
    }


def connect_client(
    keystring: str,
    shared_secret: str,
    base_url: str,
    token_url: str,
    access: str,
    refresh: str,
    *,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.time,
) -> EtsyClient:
    """A client with fresh tokens that never sleeps; unlimited pacing unless ``limiter``.

    ``clock``: the client's epoch clock (the sales ledger compares it with Etsy's
    order timestamps; pass the fake's ``ManualClock`` to make them agree).
    """
    tokens = TokenManager(
        keystring=keystring,
        shared_secret=shared_secret,
        tokens=TokenSet(access, refresh, time.time() + 3600),
        persist=lambda _tokens: None,
        token_url=token_url,
        sleep=no_sleep,
    )
    if limiter is None:
        limiter = RateLimiter(limit_per_second=1_000_000, limit_per_day=10**9, sleep=no_sleep)
    return EtsyClient(
        keystring,
        shared_secret,
        base_url=base_url,
        token_manager=tokens,
        limiter=limiter,
        sleep=no_sleep,
        random=lambda: 0.5,
        timeout=10,
        clock=clock,
    )


def make_client(
    server: FakeEtsyServer,
    *,
    limiter: RateLimiter | None = None,
    clock: Callable[[], float] = time.time,
    scopes: Sequence[str] = DEFAULT_SCOPES,
) -> EtsyClient:
    """``connect_client`` for ``server``, with tokens it has just issued for ``scopes``."""
    access, refresh, _ = server.issue_tokens(scopes)
    return connect_client(
        server.keystring,
        server.shared_secret,
        server.base_url,
        server.token_url,
        access,
        refresh,
        limiter=limiter,
        clock=clock,
    )


@dataclass
class Env:
    """One shop on the fake Etsy, one database, one clock."""

    server: FakeEtsyServer
    database: Database
    clock: FakeClock
    client: EtsyClient

    @property
    def shop_id(self) -> int:
        return self.server.shop_id

    def options(self, **overrides: Any) -> SyncOptions:
        return SyncOptions(shop_id=self.shop_id, **overrides)

    def service(self, hooks: SyncHooks = NO_HOOKS, **overrides: Any) -> SyncService:
        return SyncService(
            self.database,
            lambda: self.client,
            self.options(**overrides),
            clock=self.clock.utcnow,
            hooks=hooks,
        )

    # --- Etsy side ---------------------------------------------------------------------

    def add(self, inventory: JSON, *, state: str = "active", title: str | None = None) -> int:
        return self.server.add_listing(inventory=inventory, state=state, title=title)

    def inventory(self, listing_id: int) -> Inventory:
        return Inventory.from_json(self.server.inventory_json(listing_id))

    def etsy(self, listing_id: int) -> dict[str, int]:
        """Etsy's quantity per stock pool key, as the engine keys them."""
        return {pool.key: pool.quantity for pool in pools_of(self.inventory(listing_id))}

    def etsy_state(self, listing_id: int) -> str:
        return str(self.server.listing_json(listing_id)["state"])

    def calls(self, operation: str) -> int:
        return self.server.stats.calls(operation)

    # --- local side --------------------------------------------------------------------

    def catalog(self, stock: dict[str, int], *, title: str = "Local product") -> dict[str, int]:
        """Create one local product with a variant per SKU; returns sku -> variant id."""
        with self.database.session() as session:
            product = Product(title=title)
            for sku, quantity in stock.items():
                product.variants.append(ProductVariant(sku=sku, name=sku, quantity=quantity))
            session.add(product)
            session.flush()
            return {v.sku or "": v.id for v in product.variants}

    def local(self, sku: str) -> int:
        with self.database.session() as session:
            quantity = session.scalar(
                select(ProductVariant.quantity).where(ProductVariant.sku == sku)
            )
        assert quantity is not None, sku
        return quantity

    def set_local(self, sku: str, quantity: int) -> None:
        with self.database.session() as session:
            variant = session.scalars(select(ProductVariant).where(ProductVariant.sku == sku)).one()
            variant.quantity = quantity

    # --- database rows ---------------------------------------------------------------

    def listing_row(self, listing_id: int) -> EtsyProduct:
        with self.database.session() as session:
            return session.scalars(
                select(EtsyProduct).where(EtsyProduct.etsy_listing_id == listing_id)
            ).one()

    def pools(self, listing_id: int) -> dict[str, EtsyStockPool]:
        with self.database.session() as session:
            rows = session.scalars(
                select(EtsyStockPool).where(EtsyStockPool.etsy_listing_id == listing_id)
            )
            return {row.pool_key: row for row in rows}

    def log(self, listing_id: int | None = None) -> list[EtsyInventorySyncLog]:
        query = select(EtsyInventorySyncLog).order_by(EtsyInventorySyncLog.id)
        if listing_id is not None:
            query = query.where(EtsyInventorySyncLog.etsy_listing_id == listing_id)
        with self.database.session() as session:
            return list(session.scalars(query))

    def runs(self) -> list[SyncRun]:
        with self.database.session() as session:
            return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))


@contextmanager
def make_env(
    database: Database,
    *,
    client_for: Callable[[FakeEtsyServer], EtsyClient] = make_client,
    **server_kwargs: Any,
) -> Iterator[Env]:
    server_kwargs.setdefault("listings", 0)
    server_kwargs.setdefault("qps", None)
    server_kwargs.setdefault("qpd", None)
    with FakeEtsyServer(**server_kwargs) as server:
        client = client_for(server)
        try:
            yield Env(server, database, FakeClock(), client)
        finally:
            client.close()
        assert server.internal_errors == [], server.internal_errors


def three_listings_synced(env: Env) -> dict[str, int]:
    """Three simple listings linked by SKU (A 5, B 6, C 7) and synced once (bases set);
    their ids by SKU."""
    env.catalog({"A": 5, "B": 6, "C": 7})
    ids = {sku: env.add(simple(sku, quantity)) for sku, quantity in (("A", 5), ("B", 6), ("C", 7))}
    first = env.service().sync_all("manual")
    assert first.status == "completed"
    assert first.listing_sync is not None
    assert first.listing_sync.in_step == 0
    return ids


def linked_listing(env: Env, sku: str, etsy: int, local: int) -> int:
    """A simple listing and a local variant with the same SKU, linked and synced once.

    After this, both bases are set: the next sync sees only what changes next.
    """
    env.catalog({sku: local})
    listing_id = env.add(simple(sku, etsy))
    service = env.service()
    service.sync_all("manual")
    return listing_id


# --- the harness's own tests ------------------------------------------------------------


def test_the_engine_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    start = clock.utcnow()
    assert clock.utcnow() == start
    assert start.tzinfo is UTC
    clock.advance(90)
    assert clock.utcnow() - start == timedelta(seconds=90)


def test_builders_make_inventories_the_fake_accepts(database: Database) -> None:
    with make_env(database) as env:
        shared = one_property(
            [("Red", "R", 4, "5.00"), ("Blue", "B", 4, "6.00")], per_value_stock=False
        )
        listing_id = env.add(shared)
        assert env.etsy(listing_id) == {"listing": 4}
        assert env.etsy(env.add(simple("S", 3))) == {"sku:S": 3}
