"""Connecting EtsySync to a seller's Etsy account: OAuth 2.0 code flow with PKCE, loopback.

Why this shape (RFC 8252; Etsy's "Authentication" page,
https://developers.etsy.com/documentation/essentials/authentication): a desktop
app cannot keep a client secret, so Etsy requires PKCE (S256 only) and a
registered redirect URI that it compares letter by letter, port included.
The app therefore opens the seller's own browser (never an embedded view) at
Etsy's consent page and receives the redirect on a listener bound to the
profile's fixed loopback port (``loopback``).  A fresh verifier and a fresh
unguessable ``state`` are made for every attempt; the ``state`` is checked
before the code is looked at.

``run_authorization`` is one blocking call for a worker thread: it binds the
listener *before* the browser opens (so a busy port fails fast), hands the
URL to ``on_url`` (the wizard shows it with a copy button, the CLI prints it),
opens the browser on a helper thread (``webbrowser.open`` can block on some
systems), waits (cancel with a ``threading.Event``), exchanges the code via
``EtsyClient.exchange_code`` at the profile's token URL, and asks Etsy who
connected (getMe) and which shop that is (getShop).

Assumptions: Etsy's token response carries no ``scope``, so the requested
scopes are reported as granted (Etsy's consent screen is all-or-nothing).
An account without a shop is refused (``NoShopError``): EtsySync syncs a shop.
If getShop fails after a successful connection, the shop name is left out
rather than throwing the new tokens away.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyError
from etsysync_gui.etsy.oauth.listener import LoopbackListener, parse_redirect_uri
from etsysync_gui.etsy.oauth.pages import (
    REDIRECT_NOT_PERMITTED,
    AuthorizationCancelled,
    AuthorizationDenied,
    AuthorizationError,
    AuthorizationFailed,
    AuthorizationTimeout,
    PortInUseError,
    RedirectUriError,
    RedirectUriNotPermitted,
    register_hint,
)
from etsysync_gui.etsy.oauth.tokens import TokenManager, TokenSet
from etsysync_gui.redaction import redact, register_secret

log = logging.getLogger(__name__)

SCOPES: tuple[str, ...] = ("listings_r", "listings_w", "shops_r", "transactions_r")
"""Read and write listings and inventory; getMe is tagged ``shops_r`` in the Open API v3 spec;
``transactions_r`` reads the shop's orders (getShopReceipts) for the sales ledger."""
DEFAULT_TIMEOUT = 300.0
BROWSER_JOIN_SECONDS = 2.0

__all__ = [
    "DEFAULT_TIMEOUT",
    "REDIRECT_NOT_PERMITTED",
    "SCOPES",
    "AuthorizationCancelled",
    "AuthorizationDenied",
    "AuthorizationError",
    "AuthorizationFailed",
    "AuthorizationResult",
    "AuthorizationTimeout",
    "LoopbackListener",
    "NoShopError",
    "OAuthApp",
    "Pkce",
    "PortInUseError",
    "RedirectUriError",
    "RedirectUriNotPermitted",
    "authorization_url",
    "check_redirect_uri",
    "new_state",
    "register_hint",
    "run_authorization",
    "s256_challenge",
]


class NoShopError(AuthorizationError):
    title = "No Etsy shop"

    def __init__(self, user_id: int) -> None:
        super().__init__(
            f"The Etsy account you connected (user {user_id}) has no shop. Connect again and "
            "sign in to Etsy as the shop owner."
        )


def s256_challenge(verifier: str) -> str:
    """base64url(SHA-256(verifier)) without padding (RFC 7636 appendix B)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, repr=False)
class Pkce:
    """A PKCE verifier and its S256 challenge; the verifier never leaves this process
    except in the token request."""

    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        # 64 random bytes -> 86 characters of [A-Za-z0-9_-]: within 43..128, and more
        # entropy than the 32 bytes Etsy suggests.
        verifier = secrets.token_urlsafe(64)
        return cls(verifier, s256_challenge(verifier))

    def __repr__(self) -> str:
        return f"Pkce(verifier='***', challenge={self.challenge!r})"


def new_state() -> str:
    """A fresh, unguessable, single-use ``state`` (256 bits)."""
    return secrets.token_urlsafe(32)


def check_redirect_uri(uri: str) -> str:
    """``uri`` unchanged if a loopback listener can serve it; else ``RedirectUriError``.

    The string returned is exactly what must be registered with Etsy.
    """
    return parse_redirect_uri(uri).uri


def authorization_url(
    connect_url: str,
    *,
    keystring: str,
    redirect_uri: str,
    state: str,
    code_challenge: str,
    scopes: Sequence[str] = SCOPES,
) -> str:
    """Etsy's consent URL; the scope list is space-separated and encoded as ``%20``."""
    params = {
        "response_type": "code",
        "client_id": keystring,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in connect_url else "?"
    return f"{connect_url}{separator}{urlencode(params, quote_via=quote)}"


@dataclass(frozen=True)
class OAuthApp:
    """Everything the flow needs about the Etsy app and the endpoints (from a profile)."""

    keystring: str
    shared_secret: str = field(repr=False)
    connect_url: str
    redirect_uri: str
    api_base_url: str
    token_url: str
    scopes: tuple[str, ...] = SCOPES


@dataclass(frozen=True)
class AuthorizationResult:
    """What a completed connection yields (``TokenSet``'s repr hides the tokens)."""

    tokens: TokenSet
    user_id: int
    shop_id: int
    shop_name: str | None
    scopes: tuple[str, ...]
    authorization_url: str


ClientFactory = Callable[[OAuthApp, TokenManager | None], EtsyClient]
"""Builds the client for the app (with a token manager once there are tokens)."""


def _default_client(app: OAuthApp, token_manager: TokenManager | None) -> EtsyClient:
    return EtsyClient(
        app.keystring,
        app.shared_secret,
        base_url=app.api_base_url,
        token_url=app.token_url,
        token_manager=token_manager,
    )


def _browser_failure(exc: BaseException, redirect_uri: str) -> AuthorizationError:
    text = str(exc)
    if REDIRECT_NOT_PERMITTED in text:
        return RedirectUriNotPermitted(redirect_uri)
    detail = redact(" ".join(text.split())) or type(exc).__name__
    return AuthorizationFailed(
        f"The browser could not show Etsy's page ({detail}). Open the address EtsySync "
        "shows in a browser yourself, or start connecting again."
    )


class _BrowserLauncher:
    """Runs ``open_browser`` on a helper thread and keeps its failure for the wait loop."""

    def __init__(self, open_browser: Callable[[str], object], url: str) -> None:
        self._open = open_browser
        self._url = url
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="oauth-browser", daemon=True)

    def _run(self) -> None:
        try:
            if self._open(self._url) is False:
                log.info("No browser could be opened; open the address shown to connect")
        except Exception as exc:
            self._error = exc

    def start(self) -> None:
        self._thread.start()

    def raise_failure(self, redirect_uri: str) -> None:
        if self._error is not None:
            raise _browser_failure(self._error, redirect_uri)

    def join(self) -> None:
        """Give a quick browser launcher time to finish (a blocking one is left behind)."""
        if self._thread.ident is not None:
            self._thread.join(BROWSER_JOIN_SECONDS)


def _identify(
    app: OAuthApp, client: EtsyClient, tokens: TokenSet, factory: ClientFactory
) -> tuple[TokenSet, int, int, str | None]:
    """getMe (and getShop) with the new tokens; returns the latest tokens (a refresh may
    have rotated them), the user id, the shop id and the shop name."""
    latest = [tokens]
    manager = client.make_token_manager(tokens, latest.append)
    try:
        with factory(app, manager) as user_client:
            me = user_client.get_me()
            if me.shop_id is None:
                raise NoShopError(me.user_id)
            shop_name: str | None = None
            try:
                shop_name = user_client.get_shop(me.shop_id).shop_name
            except EtsyError as exc:
                log.warning("Connected, but the shop's name could not be read: %s", exc)
    finally:
        manager.close()
    return latest[-1], me.user_id, me.shop_id, shop_name


def run_authorization(
    app: OAuthApp,
    *,
    open_browser: Callable[[str], object] = webbrowser.open,
    on_url: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    clock: Callable[[], float] = time.monotonic,
    client_factory: ClientFactory = _default_client,
) -> AuthorizationResult:
    """Connect to the seller's Etsy account; blocking, for a worker thread.

    Raises an ``AuthorizationError`` (port in use, declined, timeout, cancelled,
    redirect URL not registered, no shop) or an ``EtsyError`` (the code exchange
    or getMe failed); both are ``EtsySyncError`` with ``title`` and ``message``.
    """
    check_redirect_uri(app.redirect_uri)
    pkce = Pkce.new()
    state = new_state()
    url = authorization_url(
        app.connect_url,
        keystring=app.keystring,
        redirect_uri=app.redirect_uri,
        state=state,
        code_challenge=pkce.challenge,
        scopes=app.scopes,
    )
    listener = LoopbackListener(app.redirect_uri, state, timeout=timeout, clock=clock).start()
    launcher = _BrowserLauncher(open_browser, url)
    try:
        if on_url is not None:
            on_url(url)
        launcher.start()
        code = listener.wait(cancel, check=lambda: launcher.raise_failure(app.redirect_uri))
    finally:
        listener.close()
        launcher.join()
    if cancel is not None and cancel.is_set():
        raise AuthorizationCancelled()
    with client_factory(app, None) as client:
        tokens = client.exchange_code(
            redirect_uri=app.redirect_uri, code=code, code_verifier=pkce.verifier
        )
        register_secret(tokens.access_token)
        register_secret(tokens.refresh_token)
        tokens, user_id, shop_id, shop_name = _identify(app, client, tokens, client_factory)
    log.info("Connected to Etsy as user %s, shop %s", user_id, shop_id)
    return AuthorizationResult(
        tokens=tokens,
        user_id=user_id,
        shop_id=shop_id,
        shop_name=shop_name,
        scopes=tuple(app.scopes),
        authorization_url=url,
    )
