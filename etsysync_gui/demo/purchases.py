"""Buyers buying on the demo shop, so the inventory sync has something to do.

A real shop's stock moves because people buy.  ``PurchaseSimulator`` does on
the fake Etsy what a sale does on etsy.com (``FakeEtsyServer.simulate_purchase``:
one unit fewer in the offering's stock pool, the listing sold out at zero),
every ``interval_s`` seconds on a daemon thread.  The next inventory sync
then finds Etsy lower than the catalog and pulls the sale into it.

Deterministic for a given seed and shop: listings are visited in an order
drawn from a ``random.Random(seed)``, so tests can call ``buy_one`` and know
what happens.  ``stop`` wakes the thread at once and joins it.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_etsy import FakeEtsyServer

log = logging.getLogger(__name__)

DEFAULT_PURCHASE_INTERVAL_S = 20.0
DEFAULT_PURCHASE_SEED = 7


@dataclass(frozen=True)
class Purchase:
    """One simulated sale: which listing and variation, and the stock left after it."""

    listing_id: int
    sku: str
    property_values: tuple[tuple[str, str], ...]
    left: int


def _in_stock(product: dict[str, Any]) -> bool:
    offering = product["offerings"][0]
    return bool(offering["is_enabled"]) and int(offering["quantity"]) > 0


def _values(product: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(pv["property_name"]), "/".join(pv["values"])) for pv in product["property_values"]
    )


class PurchaseSimulator:
    """Buys one unit of a random in-stock offering now and then (see the module notes)."""

    def __init__(
        self,
        server: FakeEtsyServer,
        *,
        interval_s: float = DEFAULT_PURCHASE_INTERVAL_S,
        seed: int = DEFAULT_PURCHASE_SEED,
        on_purchase: Callable[[Purchase], None] | None = None,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._server = server
        self.interval_s = interval_s
        self._rng = random.Random(seed)
        self._on_purchase = on_purchase
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.purchases: list[Purchase] = []

    def buy_one(self) -> Purchase | None:
        """One sale of one unit, or ``None`` when nothing active is in stock."""
        ids = sorted(self._server.listing_ids("active"))
        for listing_id in self._rng.sample(ids, len(ids)):
            try:
                products = self._server.inventory_json(listing_id)["products"]
            except KeyError:  # deleted meanwhile
                continue
            candidates = [p for p in products if _in_stock(p)]
            if not candidates:
                continue
            product = self._rng.choice(candidates)
            values = _values(product)
            try:
                after = self._server.simulate_purchase(
                    listing_id, 1, property_values=dict(values) or None
                )
            except (KeyError, LookupError, ValueError):  # changed by a sync meanwhile
                continue
            purchase = Purchase(listing_id, product["sku"], values, _left(after, values))
            self.purchases.append(purchase)
            log.info("Demo: a buyer bought listing %s %s", listing_id, dict(values) or "")
            if self._on_purchase is not None:
                self._on_purchase(purchase)
            return purchase
        return None

    # --- the background thread ---------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("purchases already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="demo-purchases", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop buying; returns once the thread has ended (idempotent)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.buy_one()
            except Exception:  # a bug must not end the demo's sales silently
                log.exception("Demo purchase failed")


def _left(inventory: dict[str, Any], values: tuple[tuple[str, str], ...]) -> int:
    wanted = dict(values)
    for product in inventory["products"]:
        if dict(_values(product)) == wanted:
            return int(product["offerings"][0]["quantity"])
    return 0
