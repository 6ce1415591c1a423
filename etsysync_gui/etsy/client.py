"""``EtsyClient``: the Etsy Open API v3 operations EtsySync uses, typed.

Why this shape: the GUI and the scheduler call these from worker threads and
need plain typed results (``Listing``, ``Inventory``), typed errors, progress
and cancellation.  The HTTP plumbing (headers, pacing, retries, token refresh)
lives in ``transport``; the multi-request reads live in ``bulk`` (built on
``paging`` and ``batch``); this module holds the single operations and the
client's lifecycle.

Why a small pool of concurrent requests: an Etsy call takes about 300 ms, so a
sequential client manages ~3 requests/s while the key may allow 10 (or 150).
Keeping ``max_in_flight`` (default 8) requests in flight lets a long read run
at the rate limit: 8 in flight / 0.3 s ≈ 26 req/s of headroom, more than the
default limit, while staying small enough not to hammer Etsy or exhaust
sockets.  All workers share the one per-key ``RateLimiter``, which is what
actually sets the pace.

Auth per operation: ``ping`` and ``get_shop`` need only the API key and never
send a bearer token (so they work before OAuth and still work when the token
has been revoked).  ``get_listing`` and ``get_listings_by_ids`` are API-key
operations too, but send the token when there is one (the owner may see more
of their own listings).  Everything else needs a connected user: without a
``TokenManager`` it fails with ``EtsyAuthError`` before any request.
"""

from __future__ import annotations

import random as random_module
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

import httpx

from etsysync_gui.etsy.errors import RECONNECT_HINT, EtsyAuthError
from etsysync_gui.etsy.fields import Fields
from etsysync_gui.etsy.models import (
    LISTING_STATES,
    Inventory,
    InventoryPut,
    Listing,
    Me,
    Shop,
)
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenPersist, TokenSet, exchange_code
from etsysync_gui.etsy.ratelimit import Budget, RateLimiter, limiter_for
from etsysync_gui.etsy.reads import endpoints
from etsysync_gui.etsy.reads.page_memo import PageMemo
from etsysync_gui.etsy.reads.records import ListingRecord
from etsysync_gui.etsy.reads.shop_pages import Progress
from etsysync_gui.etsy.receipts import OrdersRead, read_orders
from etsysync_gui.etsy.transport import (
    DEFAULT_BASE_URL,
    QueryValue,
    Recall,
    RetryPolicy,
    Transport,
)

WRITABLE_STATES = ("active", "inactive")
MAX_VARIATIONS: Mapping[str, QueryValue] = {"max_variations_supported": "3"}


class EtsyClient:
    """Typed access to Etsy for one API key (and optionally one connected user).

    Thread-safe: one client may serve several worker threads.  Close it (or
    use it as a context manager) to release its connections and workers.
    """

    def __init__(
        self,
        keystring: str,
        shared_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        token_url: str | None = None,
        token_manager: TokenManager | None = None,
        limiter: RateLimiter | None = None,
        timeout: float = 30.0,
        max_in_flight: int = 8,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        http_client: httpx.Client | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``clock`` (epoch seconds), ``sleep`` and ``random`` drive token expiry
        in the OAuth helpers and retry backoff; pacing uses the ``limiter``'s own
        clock, so tests pass a ``RateLimiter`` built on the same fake clock."""
        self._clock = clock
        self._sleep = sleep
        self._random = random
        keystring, shared_secret = keystring.strip(), shared_secret.strip()
        self._keystring = keystring
        self._shared_secret = shared_secret
        self._base_url = base_url.rstrip("/")
        self.token_url = token_url or f"{self._base_url}/public/oauth/token"
        self._limiter = limiter or limiter_for(keystring)
        self._max_in_flight = max(1, max_in_flight)
        self._timeout = timeout
        self._token_manager = token_manager
        self._transport = Transport(
            keystring=keystring,
            shared_secret=shared_secret,
            base_url=self._base_url,
            limiter=self._limiter,
            token_manager=token_manager,
            timeout=timeout,
            max_in_flight=self._max_in_flight,
            retry=retry or RetryPolicy(),
            sleep=sleep,
            random=random,
            http_client=http_client,
            http_transport=http_transport,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    # --- lifecycle and bookkeeping ------------------------------------------------------

    def __enter__(self) -> EtsyClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
        self._transport.close()

    @property
    def calls_made(self) -> int:
        """HTTP requests sent to the API so far (retries included)."""
        return self._transport.calls_made

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    def budget(self) -> Budget:
        return self._limiter.budget()

    def etsy_time(self) -> float:
        """Now, in epoch seconds, on the clock the client was given (the sales ledger
        compares it with Etsy's order timestamps; see ``sync.ledger``)."""
        return self._clock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._max_in_flight, thread_name_prefix="etsy-client"
                )
            return self._executor

    # --- OAuth helpers (the loopback flow builds on these) ---------------------------

    def make_token_manager(self, tokens: TokenSet, persist: TokenPersist) -> TokenManager:
        """A ``TokenManager`` for this key and token URL (pass it to a new client)."""
        return TokenManager(
            keystring=self._keystring,
            shared_secret=self._shared_secret,
            tokens=tokens,
            persist=persist,
            token_url=self.token_url,
            timeout=self._timeout,
            clock=self._clock,
            sleep=self._sleep,
            random=self._random,
        )

    def exchange_code(self, *, redirect_uri: str, code: str, code_verifier: str) -> TokenSet:
        """The authorization_code grant against this client's token URL."""
        return exchange_code(
            keystring=self._keystring,
            shared_secret=self._shared_secret,
            redirect_uri=redirect_uri,
            code=code,
            code_verifier=code_verifier,
            token_url=self.token_url,
            timeout=self._timeout,
            clock=self._clock,
            sleep=self._sleep,
            random=self._random,
        )

    # --- single-request operations ---------------------------------------------------------

    def _get(
        self,
        path: str,
        params: Mapping[str, QueryValue] | None = None,
        *,
        bearer: bool = True,
        require_user: bool = True,
        cancel: threading.Event | None = None,
        recall: Recall | None = None,
    ) -> object:
        """GET ``path``; ``bearer`` sends the token if there is one, ``require_user``
        fails early without one; ``recall``: see ``Transport.request``."""
        if require_user:
            self._require_user()
        return self._transport.request(
            "GET", path, params=params, user_scoped=bearer, cancel=cancel, recall=recall
        )

    def _require_user(self) -> None:
        if self._token_manager is None:
            raise EtsyAuthError(f"EtsySync is not connected to an Etsy account. {RECONNECT_HINT}")

    def ping(self) -> int:
        """Check the API key (keystring:shared_secret); returns the application id."""
        body = self._get("/application/openapi-ping", bearer=False, require_user=False)
        return Fields(body, "ping response").req_int("application_id")

    def get_me(self) -> Me:
        return Me.from_json(self._get("/application/users/me"))

    def get_shop(self, shop_id: int) -> Shop:
        path = f"/application/shops/{shop_id}"
        return Shop.from_json(self._get(path, bearer=False, require_user=False))

    def get_listing(self, listing_id: int, *, cancel: threading.Event | None = None) -> Listing:
        path = f"/application/listings/{listing_id}"
        return Listing.from_json(self._get(path, require_user=False, cancel=cancel))

    def get_listing_inventory(
        self, listing_id: int, *, cancel: threading.Event | None = None
    ) -> Inventory:
        body = self._get(f"/application/listings/{listing_id}/inventory", cancel=cancel)
        return Inventory.from_json(body)

    def update_listing_inventory(
        self,
        listing_id: int,
        body: Inventory | InventoryPut,
        *,
        cancel: threading.Event | None = None,
    ) -> Inventory:
        """Replace a listing's whole inventory (PUT); returns Etsy's new inventory.

        Pass the ``Inventory`` read earlier (with changes applied) or a body made
        by ``Inventory.to_put_body()``.  Product/offering ids change on every
        write, so use the returned inventory from here on.  The PUT is
        idempotent (it replaces everything), so it is retried like a read.

        ``max_variations_supported=3`` is always sent: without it Etsy refuses an
        inventory with a third variation property (updateListingInventory in
        Etsy's OpenAPI document), and the reads already return all three, so a
        stock write to such a listing could not be sent back as read.
        """
        self._require_user()
        payload = body.to_put_body() if isinstance(body, Inventory) else body
        response = self._transport.request(
            "PUT",
            f"/application/listings/{listing_id}/inventory",
            params=MAX_VARIATIONS,
            json_body=payload,
            idempotent=True,
            cancel=cancel,
        )
        return Inventory.from_json(response)

    def update_listing_state(self, shop_id: int, listing_id: int, state: str) -> Listing:
        """Set a listing ``active`` or ``inactive`` (updateListing, PATCH form).

        Setting the same state twice has the same effect, so it is retried
        like a read.
        """
        if state not in WRITABLE_STATES:
            raise ValueError(f"a listing state can be set to {WRITABLE_STATES}, not {state!r}")
        self._require_user()
        response = self._transport.request(
            "PATCH",
            f"/application/shops/{shop_id}/listings/{listing_id}",
            form={"state": state},
            idempotent=True,
        )
        return Listing.from_json(response)

    # --- multi-request reads ----------------------------------------------------------------

    def get_orders(
        self, shop_id: int, *, since: int, cancel: threading.Event | None = None
    ) -> OrdersRead:
        """The shop's receipts modified at or after ``since`` (see ``receipts``)."""
        self._require_user()
        return read_orders(self._get, shop_id, since=since, cancel=cancel)

    def get_listings_by_shop(
        self,
        shop_id: int,
        states: Sequence[str] = LISTING_STATES,
        *,
        include_inventory: bool = True,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Listing]:
        """Every listing of the shop in ``states``, each once (see ``shop_pages``).

        With ``include_inventory`` every listing carries its ``Inventory``
        (``includes=Inventory``), so no per-listing inventory reads are needed.
        """
        self._require_user()
        return endpoints.shop_listings(
            self._get,
            self._pool(),
            shop_id,
            states,
            include_inventory=include_inventory,
            progress=progress,
            cancel=cancel,
        )

    def stream_listings_by_shop(
        self,
        shop_id: int,
        on_page: Callable[[Sequence[ListingRecord]], None],
        *,
        include_inventory: bool = True,
        memo: PageMemo | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        idle: Callable[[], None] | None = None,
    ) -> frozenset[int]:
        """As ``get_listings_by_shop``, but each page goes to ``on_page`` as it arrives
        (a bounded window, not the shop, in memory), as ``ListingRecord``s the caller
        parses when it needs to (``reads.records``); returns the ids the read found.
        A page ``memo`` knows is recalled instead of decoded (``reads.page_memo``).
        ``idle`` runs on the calling thread before it waits for a page not read yet."""
        self._require_user()
        return endpoints.stream_shop_records(
            self._get,
            self._pool(),
            shop_id,
            LISTING_STATES,
            on_page,
            include_inventory=include_inventory,
            memo=memo if memo is not None else PageMemo(),
            progress=progress,
            cancel=cancel,
            idle=idle,
        )

    def get_listings_by_ids(
        self,
        listing_ids: Sequence[int],
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> list[Listing]:
        """The listings that exist among ``listing_ids``, in the order asked.

        Uses getListingsByListingIds (100 ids per call).  Ids that no longer
        exist are left out (confirmed one by one, see ``batch``).
        """
        return endpoints.listings_by_ids(
            self._get,
            lambda listing_id: self.get_listing(listing_id, cancel=cancel),
            self._pool(),
            listing_ids,
            max_in_flight=self._max_in_flight,
            progress=progress,
            cancel=cancel,
        )

    def get_inventories_by_listing_ids(
        self,
        listing_ids: Sequence[int],
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[int, Inventory]:
        """``{listing_id: Inventory}`` for the listings that exist among ``listing_ids``.

        Uses getListingsInventoryByListingIds (100 ids per call), whose answer is
        a ``ShopListingsWithAssociations`` page: each result is a listing with
        an ``inventory``.  Because one missing id makes Etsy 404 the whole call,
        404s are narrowed down by bisection and confirmed with
        getListingInventory; ids absent from the result no longer exist.
        """
        self._require_user()
        return endpoints.inventories_by_ids(
            self._get,
            lambda listing_id: self.get_listing_inventory(listing_id, cancel=cancel),
            self._pool(),
            listing_ids,
            max_in_flight=self._max_in_flight,
            progress=progress,
            cancel=cancel,
        )
