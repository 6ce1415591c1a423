"""``FakeEtsyServer``: a spec-faithful fake of Etsy Open API v3 on a local port.

Why: Etsy has no sandbox, so the app's tests, demo mode and benchmarks talk real HTTP
to this server instead. It wires together the shop state, the generator, OAuth and
tokens, rate limits, faults, stats and the threaded HTTP server, and exposes the
hooks tests need (tokens for an already-authorized seller, purchases, seller edits,
fault injection, call counts, plain-JSON inventory for assertions).

Typical use::

    with FakeEtsyServer(listings=200, qps=None, qpd=None) as etsy:
        access, refresh, expires_in = etsy.issue_tokens()
        httpx.get(f"{etsy.base_url}/application/users/me",
                  headers={"x-api-key": f"{etsy.keystring}:{etsy.shared_secret}",
                           "authorization": f"Bearer {access}"})
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Self
from urllib.parse import urlencode

from fake_etsy import hooks
from fake_etsy.app import FakeEtsyApp, RequestObserver, ResponseObserver
from fake_etsy.browser import browser_consent
from fake_etsy.clock import Clock, system_clock
from fake_etsy.faults import FaultInjector
from fake_etsy.generator import generate_shop
from fake_etsy.http_handler import FakeHttpServer
from fake_etsy.model import JsonDict, Listing
from fake_etsy.oauth import KNOWN_SCOPES, OAuthProvider
from fake_etsy.ratelimit import RateLimiter
from fake_etsy.shop import ShopState
from fake_etsy.stats import RequestStats, StatsSnapshot
from fake_etsy.tokens import TokenStore
from fake_etsy.triggers import Triggers, When

DEFAULT_KEYSTRING = "fakeetsykeystring0000001"
DEFAULT_SHARED_SECRET = "fakesecret01"
DEFAULT_REDIRECT_URIS = ("http://localhost:3003/oauth/redirect",)
DEFAULT_SHOP_ID = 41_234_567
DEFAULT_USER_ID = 712_345_678
DEFAULT_SCOPES = ("listings_r", "listings_w", "shops_r", "transactions_r")


class FakeEtsyServer:
    """The fake Etsy API on ``127.0.0.1``; a context manager (``start``/``stop``)."""

    # Long because the signature lists every knob a test can turn; the body only wires parts.
    def __init__(
        self,
        *,
        listings: int = 50,
        seed: int = 0,
        keystring: str = DEFAULT_KEYSTRING,
        shared_secret: str = DEFAULT_SHARED_SECRET,
        qps: float | None = 10,
        qpd: int | None = 10_000,
        latency_ms: float = 0.0,
        fault_rate: float = 0.0,
        redirect_uris: Sequence[str] = DEFAULT_REDIRECT_URIS,
        access_token_lifetime: int = 3600,
        clock: Clock | None = None,
        request_observer: RequestObserver | None = None,
        response_observer: ResponseObserver | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        shop_id: int = DEFAULT_SHOP_ID,
        user_id: int = DEFAULT_USER_ID,
        shop_name: str = "FakeCraftShop",
        regenerate_value_ids: bool = False,
        require_api_key_on_token: bool = False,
        three_variations: float = 0.0,
    ) -> None:
        """Build the shop (``listings`` generated from ``seed``); nothing listens yet.

        ``qps``/``qpd`` default to Etsy's historical defaults (10/s, 10,000/day); pass
        ``None`` for no limit. ``clock`` drives token expiry and the daily window.
        ``three_variations``: share of generated listings with a third variation.
        """
        if listings < 0:
            raise ValueError("listings cannot be negative")
        if ":" in keystring or not keystring or not shared_secret:
            raise ValueError("keystring must be non-empty without ':'; secret non-empty")
        self._clock: Clock = clock or system_clock
        self._host = host
        self._requested_port = port
        self._keystring = keystring
        self._shared_secret = shared_secret
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._httpd: FakeHttpServer | None = None
        self._rng = random.Random(seed + 1)
        self.shop = ShopState(
            shop_id=shop_id,
            user_id=user_id,
            shop_name=shop_name,
            clock=self._clock,
            regenerate_value_ids=regenerate_value_ids,
        )
        generate_shop(self.shop, listings, seed, three_variations=three_variations)
        self.tokens = TokenStore(
            user_id=user_id, clock=self._clock, access_lifetime=access_token_lifetime
        )
        self.oauth = OAuthProvider(
            keystring=keystring,
            shared_secret=shared_secret,
            redirect_uris=redirect_uris,
            tokens=self.tokens,
            clock=self._clock,
            shop_name=shop_name,
            require_api_key=require_api_key_on_token,
        )
        self.limiter = RateLimiter(qps=qps, qpd=qpd, clock=self._clock)
        self.faults = FaultInjector(fault_rate=fault_rate, latency_ms=latency_ms, seed=seed)
        self._stats = RequestStats()
        self.app = FakeEtsyApp(
            shop=self.shop,
            tokens=self.tokens,
            oauth=self.oauth,
            limiter=self.limiter,
            faults=self.faults,
            stats=self._stats,
            keystring=keystring,
            shared_secret=shared_secret,
            application_id=900_000_000 + (sum(keystring.encode()) % 99_999),
            wait=self._stopping.wait,
            request_observer=request_observer,
            response_observer=response_observer,
        )

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind (port 0 = a free port) and serve on a daemon thread."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self._stopping.clear()
        self._httpd = FakeHttpServer((self._host, self._requested_port), self.app)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},  # how fast stop() returns
            name=f"fake-etsy:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: cuts hangs and open connections short; idempotent."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def http(self) -> FakeHttpServer:
        """The socket server (``open_connections``, ``wait_closed``); started only."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return self._httpd

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses and credentials ----------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v3``; Etsy paths live under it (``/application/...``)."""
        return f"{self.origin}/v3"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/public/oauth/token"

    @property
    def oauth_connect_url(self) -> str:
        return f"{self.origin}/oauth/connect"

    @property
    def keystring(self) -> str:
        return self._keystring

    @property
    def shared_secret(self) -> str:
        return self._shared_secret

    @property
    def api_key_header(self) -> str:
        """The correct ``x-api-key`` value, ``keystring:shared_secret``."""
        return f"{self._keystring}:{self._shared_secret}"

    @property
    def shop_id(self) -> int:
        return self.shop.shop_id

    @property
    def user_id(self) -> int:
        return self.shop.user_id

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return self.oauth.redirect_uris

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake and observer failures (should stay empty)."""
        return self.app.internal_errors

    # -- OAuth ----------------------------------------------------------------------------

    def issue_tokens(self, scopes: Iterable[str] = DEFAULT_SCOPES) -> tuple[str, str, int]:
        """``(access_token, refresh_token, expires_in)`` for an already-authorized seller."""
        scope_set = frozenset(scopes)
        unknown = scope_set - KNOWN_SCOPES
        if unknown:
            raise ValueError(f"unknown scopes: {sorted(unknown)}")
        grant = self.tokens.issue(scope_set)
        return grant.access_token, grant.refresh_token, grant.expires_in

    def revoke_all_tokens(self) -> None:
        """Every token stops working (the seller changed their password)."""
        self.tokens.revoke_all()

    def authorize_url(
        self,
        *,
        state: str,
        code_challenge: str,
        redirect_uri: str | None = None,
        scopes: Iterable[str] = DEFAULT_SCOPES,
    ) -> str:
        """An Etsy-style authorization URL for this server (what the app would build)."""
        params = {
            "response_type": "code",
            "client_id": self._keystring,
            "redirect_uri": redirect_uri or self.redirect_uris[0],
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.oauth_connect_url}?{urlencode(params)}"

    def browser_consent(self, authorize_url: str, *, approve: bool = True) -> str:
        """Play the seller in the browser; returns the redirect Location (see ``browser``)."""
        return browser_consent(authorize_url, approve=approve)

    # -- limits and stats -----------------------------------------------------------------

    def set_rate_limits(self, *, qps: float | None, qpd: int | None) -> None:
        self.limiter.set_limits(qps=qps, qpd=qpd)

    @property
    def stats(self) -> StatsSnapshot:
        return self._stats.snapshot()

    def reset_stats(self) -> None:
        self._stats.reset()

    # -- the shop, read side --------------------------------------------------------------

    def listing_ids(self, state: str | None = None) -> list[int]:
        """Ids of all listings, or of those in ``state``."""
        return self.shop.listing_ids(state)

    def inventory_json(self, listing_id: int) -> JsonDict:
        """The listing's inventory exactly as getListingInventory returns it (owner view)."""
        with self.shop.lock:
            self._require(listing_id)
            return self.shop.inventory_json(listing_id)

    def listing_json(self, listing_id: int) -> JsonDict:
        """The listing as getListing returns it to its owner, with ``inventory``."""
        with self.shop.lock:
            listing = self._require(listing_id)
            return self.shop.render_listing(listing, show_skus=True, includes=("Inventory",))

    def _require(self, listing_id: int) -> Listing:
        listing = self.shop.listings.get(listing_id)
        if listing is None:
            raise KeyError(f"no listing {listing_id}")
        return listing

    # -- the shop, etsy.com side ----------------------------------------------------------

    def simulate_purchase(
        self,
        listing_id: int,
        quantity: int = 1,
        *,
        sku: str | None = None,
        property_values: Mapping[str, str] | None = None,
    ) -> JsonDict:
        """A buyer buys on Etsy (see ``hooks.simulate_purchase``)."""
        return hooks.simulate_purchase(
            self.shop, listing_id, quantity, sku=sku, property_values=property_values
        )

    def seller_edit(
        self,
        listing_id: int,
        *,
        sku: str | None = None,
        property_values: Mapping[str, str] | None = None,
        quantity: int | None = None,
        price: Decimal | str | float | None = None,
        regenerate_ids: bool = True,
    ) -> JsonDict:
        """The seller edits quantity/price on etsy.com (see ``hooks.seller_edit``)."""
        return hooks.seller_edit(
            self.shop,
            listing_id,
            sku=sku,
            property_values=property_values,
            quantity=quantity,
            price=price,
            regenerate_ids=regenerate_ids,
        )

    def seller_replace_inventory(self, listing_id: int, inventory: object) -> JsonDict:
        """The seller rebuilds a listing's variations on etsy.com (PUT-shaped body)."""
        return hooks.seller_replace_inventory(self.shop, listing_id, inventory)

    def add_listing(
        self,
        *,
        kind: str | None = None,
        state: str = "active",
        title: str | None = None,
        inventory: object | None = None,
    ) -> int:
        """The seller creates a listing; returns its id."""
        return hooks.add_listing(
            self.shop, self._rng, kind=kind, state=state, title=title, inventory=inventory
        )

    def delete_listing(self, listing_id: int) -> None:
        """The seller deletes a listing."""
        hooks.delete_listing(self.shop, listing_id)

    def set_listing_state(self, listing_id: int, state: str) -> None:
        """The seller (or Etsy) moves a listing to another state, e.g. ``expired``."""
        self.shop.set_state(listing_id, state)

    # -- orders and races -----------------------------------------------------------------

    def last_receipt_id(self) -> int:
        """The newest order's receipt id (every purchase makes one)."""
        return hooks.last_receipt_id(self.shop)

    def cancel_order(self, receipt_id: int, *, restock: bool) -> None:
        """The order is canceled, putting its stock back or not (see ``hooks``)."""
        hooks.cancel_order(self.shop, receipt_id, restock=restock)

    @property
    def triggers(self) -> Triggers:
        return self.app.triggers

    def on_request(
        self,
        when: When,
        operation: str,
        action: Callable[[], object],
        *,
        listing_id: int | None = None,
    ) -> None:
        """Run ``action`` once while the fake handles ``operation`` (see ``triggers``)."""
        self.app.triggers.add(when, operation, action, listing_id=listing_id)
