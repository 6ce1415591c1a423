"""Connecting the demo profile to the fake Etsy through the real OAuth code.

Why not hand the app a token: the demo should prove the path a seller takes.
``connection.connect_account`` runs exactly as the wizard runs it (app key
ping, PKCE, ``state``, the loopback listener bound before the "browser"
opens, the code exchange, getMe and getShop); only the browser differs.
Instead of the seller's system browser, ``approve_in_fake_browser`` plays the
seller on the fake's consent page (``etsy.fake.browser``): it presses "Grant
access" and follows the redirect to the app's listener, as a browser would.

The redirect URI is ``http://127.0.0.1:<free port>/oauth/redirect``, a port
found free just before (``settings.plan_endpoints``) and registered with the
fake.  If another program takes the port in between, the attempt fails with
``PortInUseError`` (``DemoShop`` says so, or tries other ports).
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from etsysync_gui.config import Settings
from etsysync_gui.credentials import CredentialStore
from etsysync_gui.etsy.oauth.flow import AuthorizationResult
from etsysync_gui.etsy_account import connect_account
from fake_etsy import browser_consent

CONNECT_TIMEOUT_S = 20.0


def approve_in_fake_browser(url: str) -> bool:
    """The seller's browser on the fake consent page: approve, then follow the redirect.

    Runs on the OAuth flow's browser thread; an error here is reported by the
    flow as "the browser could not show Etsy's page".
    """
    location = browser_consent(url, approve=True)
    parts = urlsplit(location)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port or 80, timeout=CONNECT_TIMEOUT_S
    )
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        connection.getresponse().read()
    finally:
        connection.close()
    return True


def connect_demo(
    settings: Settings,
    store: CredentialStore,
    keystring: str,
    shared_secret: str,
    *,
    timeout: float = CONNECT_TIMEOUT_S,
) -> AuthorizationResult:
    """Connect the demo profile (blocking); the tokens go to ``store``, the shop id to
    the demo's own config file (``settings.config_path``)."""
    return connect_account(
        settings,
        keystring,
        shared_secret,
        store=store,
        open_browser=approve_in_fake_browser,
        timeout=timeout,
    )
