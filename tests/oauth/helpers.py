"""Helpers for OAuth tests: free ports, a scripted seller's browser, addresses of this machine."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx

from fake_etsy import FakeEtsyServer


def ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port() -> int:
    """A port free on 127.0.0.1 (and ::1 when there is IPv6), for a fixed redirect URI."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not ipv6_loopback_available():
            return port
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock6:
                sock6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                sock6.bind(("::1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port found")


def refuses_connections(host: str, port: int) -> bool:
    """True when nothing accepts TCP connections on (host, port)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return False
    except (ConnectionRefusedError, TimeoutError, OSError):
        return True


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback (None if it has none)."""
    candidates: list[str] = []
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            candidates.append(str(info[4][0]))
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.connect(("192.0.2.1", 9))  # no packet is sent; picks the default-route interface
        candidates.append(str(udp.getsockname()[0]))
    for address in candidates:
        if not address.startswith("127.") and address != "0.0.0.0":
            return address
    return None


def with_query(url: str, **changes: str | None) -> str:
    """``url`` with query parameters replaced (``None`` removes one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def code_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["code"][0]


@dataclass
class ScriptedBrowser:
    """Plays the seller: consent on the fake Etsy, then follows the redirect to the listener.

    ``before`` lists forged redirect URLs (made from the real one) to send first;
    ``after`` runs once all requests were sent (e.g. to set a cancel event).
    """

    etsy: FakeEtsyServer
    approve: bool = True
    before: list[Callable[[str], str]] = field(default_factory=list)
    follow: bool = True
    after: Callable[[], None] | None = None
    urls: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)
    thread_names: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bool:
        self.thread_names.append(threading.current_thread().name)
        self.urls.append(url)
        location = self.etsy.browser_consent(url, approve=self.approve)
        self.locations.append(location)
        for forge in self.before:
            self.responses.append(httpx.get(forge(location), timeout=10, trust_env=False))
        if self.follow:
            self.responses.append(httpx.get(location, timeout=10, trust_env=False))
        if self.after is not None:
            self.after()
        return True


def fake_etsy_env(etsy: FakeEtsyServer, **extra: str) -> dict[str, str]:
    """Environment variables that point a profile at the fake Etsy (keystring included)."""
    env = {
        "ETSY_API_BASE_URL": etsy.base_url,
        "ETSY_OAUTH_CONNECT_URL": etsy.oauth_connect_url,
        "ETSY_API_KEY": etsy.keystring,
    }
    env.update(extra)
    return env


def configure_redirect(profile: str, redirect_uri: str) -> None:
    """``redirect_uri`` has no environment variable: it lives in the profile's config."""
    from etsysync_gui.config import ConfigStore

    ConfigStore().set_value(profile, "redirect_uri", redirect_uri)
