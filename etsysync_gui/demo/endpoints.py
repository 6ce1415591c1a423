"""Where the demo's fake Etsy listens, and the app key and shop it has: known in advance.

Why in advance: the app builds the demo's settings, and with them its window,
while the fake Etsy is still starting on a helper thread.  So the two
loopback ports (the fake Etsy's and the OAuth redirect's) are picked free
here, and the fake is told to serve exactly there, with the demo's own app
key and shop id.  The URLs follow ``FakeEtsyServer``'s layout (``/v3`` under
the origin; ``DemoShop`` checks that they agree).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

DEMO_KEYSTRING = "etsysyncdemoapp000000001"
DEMO_SHARED_SECRET = "demosecret01"
DEMO_SHOP_ID = 52_026_001
DEMO_USER_ID = 812_026_001
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class DemoEndpoints:
    """Where the fake Etsy listens (``FakeEtsyServer``'s URL layout) and the app's
    loopback redirect; the demo's app key is fixed (``DEMO_KEYSTRING``)."""

    api_port: int
    redirect_port: int
    keystring: str = DEMO_KEYSTRING

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK}:{self.api_port}"

    @property
    def api_base_url(self) -> str:
        return f"{self.origin}/v3"

    @property
    def oauth_token_url(self) -> str:
        return f"{self.api_base_url}/public/oauth/token"

    @property
    def oauth_connect_url(self) -> str:
        return f"{self.origin}/oauth/connect"

    @property
    def redirect_uri(self) -> str:
        return f"http://{LOOPBACK}:{self.redirect_port}/oauth/redirect"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def plan_endpoints() -> DemoEndpoints:
    """Two loopback ports free right now: the fake Etsy's and the OAuth redirect's.

    Another program could take one before the demo binds it (unlikely: the
    system rarely hands a port it just freed out again at once);
    ``DemoShop.open`` then fails with a message saying to start again.
    """
    api_port = _free_port()
    redirect_port = _free_port()
    while redirect_port == api_port:  # pragma: no cover - both were free at once
        redirect_port = _free_port()
    return DemoEndpoints(api_port=api_port, redirect_port=redirect_port)
