"""The loopback listener that receives Etsy's OAuth redirect (errors: ``oauth_pages``).

Why a hand-written listener rather than ``http.server``: it must listen on two
sockets at once (``localhost`` may resolve to 127.0.0.1 or ::1 in the browser),
serve browsers that open idle speculative connections without blocking the
real request, stop on a cancel ``threading.Event`` or an injected clock's
timeout, and close everything right after the one valid answer.  That is a
selector loop of about a hundred lines (RFC 8252 §7.3; google-auth-oauthlib's
``run_local_server`` does the same with one socket).

Rules it enforces:

* bind loopback only (never 0.0.0.0), before the browser opens; a busy port
  is ``PortInUseError`` at once, naming the port;
* only ``GET`` on the redirect path; other paths get 404, other methods 405,
  and the listener keeps waiting;
* ``state`` is checked first, in constant time: a wrong or missing ``state``
  gets a 400 page, its ``code``/``error`` are ignored, and the listener keeps
  waiting for the real redirect (a stale tab or a forged request cannot end
  the attempt, let alone get a code exchanged);
* the pages never echo the code, the state or a token, and carry
  ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` so the URL
  with the code does not travel further;
* request lines are logged without their query string (it holds the code).
"""

from __future__ import annotations

import contextlib
import errno
import hmac
import logging
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

from etsysync_gui.etsy.oauth import pages
from etsysync_gui.etsy.oauth.pages import (
    AuthorizationCancelled,
    AuthorizationDenied,
    AuthorizationError,
    AuthorizationFailed,
    AuthorizationTimeout,
    PortInUseError,
    RedirectUriError,
)

log = logging.getLogger(__name__)

LOOPBACK_HOSTS: dict[str, tuple[str, ...]] = {
    "localhost": ("127.0.0.1", "::1"),
    "127.0.0.1": ("127.0.0.1",),
    "::1": ("::1",),
}
_EXAMPLE_URI = "http://localhost:3003/oauth/redirect"
MAX_REQUEST_HEAD = 16 * 1024
IDLE_CONNECTION_LIMIT = 10.0
"""Seconds a browser connection may stay silent before it is dropped."""
_ADDRESS_IN_USE = {errno.EADDRINUSE, 10048}  # 10048: WSAEADDRINUSE
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


@dataclass(frozen=True)
class RedirectTarget:
    """Where the listener binds and which path it answers, from the redirect URI."""

    uri: str
    host: str
    port: int
    path: str


def parse_redirect_uri(uri: str) -> RedirectTarget:
    """Check that ``uri`` is a plain-http loopback URL; raises ``RedirectUriError``."""
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. "http://[::1/...": an unclosed IPv6 bracket
        raise RedirectUriError(
            f"The redirect URL {uri!r} is not a valid URL; it must look like {_EXAMPLE_URI}."
        ) from None
    try:
        port = parts.port or 80
    except ValueError:
        raise RedirectUriError(
            f"The redirect URL {uri!r} has an invalid port; it must look like {_EXAMPLE_URI}."
        ) from None
    host = (parts.hostname or "").lower()
    if parts.scheme != "http" or host not in LOOPBACK_HOSTS or parts.fragment:
        raise RedirectUriError(
            f"The redirect URL {uri!r} cannot be used by the desktop app: it must look like "
            f"{_EXAMPLE_URI} (plain http, localhost, a fixed port)."
        )
    return RedirectTarget(uri=uri, host=host, port=port, path=parts.path or "/")


@dataclass
class _Connection:
    sock: socket.socket
    opened_at: float
    buffer: bytearray = field(default_factory=bytearray)


@dataclass(frozen=True)
class _Reply:
    status: int
    page: str
    code: str | None = None
    error: AuthorizationError | None = None
    allow_get: bool = False

    @property
    def final(self) -> bool:
        return self.code is not None or self.error is not None


class LoopbackListener:
    """Waits on the redirect URI's port for Etsy's redirect with the expected ``state``.

    Use: ``start()`` (binds; before the browser opens), then ``wait(cancel)``
    (blocks; returns the code or raises), then ``close()`` (also done by
    ``wait`` and by the context manager).  ``clock`` (monotonic seconds) drives
    the timeout and the idle-connection limit; ``poll_interval`` bounds how
    long a cancel takes to be noticed.
    """

    def __init__(
        self,
        redirect_uri: str,
        expected_state: str,
        *,
        timeout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        poll_interval: float = 0.05,
    ) -> None:
        if not expected_state:
            raise ValueError("expected_state must not be empty")
        self.target = parse_redirect_uri(redirect_uri)
        self._state = expected_state
        self._timeout = timeout
        self._clock = clock
        self._poll = poll_interval
        self._selector: selectors.BaseSelector | None = None
        self._listeners: list[socket.socket] = []
        self._connections: dict[int, _Connection] = {}
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.target.port

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """The (host, port) pairs actually bound (``::1`` is skipped without IPv6)."""
        return [(str(s.getsockname()[0]), int(s.getsockname()[1])) for s in self._listeners]

    def start(self) -> Self:
        """Bind and listen on loopback; raises ``PortInUseError`` if the port is taken."""
        with self._lock:
            if self._selector is not None:
                raise RuntimeError("listener already started")
            hosts = LOOPBACK_HOSTS[self.target.host]
            try:
                for host in hosts:
                    sock = self._bind(host, optional=len(hosts) > 1 and ":" in host)
                    if sock is not None:
                        self._listeners.append(sock)
            except BaseException:
                self._close_sockets()
                raise
            self._selector = selectors.DefaultSelector()
            for sock in self._listeners:
                self._selector.register(sock, selectors.EVENT_READ, None)
        log.debug("Waiting for Etsy's redirect on %s", self.addresses)
        return self

    def _bind(self, host: str, *, optional: bool) -> socket.socket | None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            if optional:  # no IPv6 on this machine: 127.0.0.1 alone will do
                return None
            raise
        try:
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if os.name == "posix":  # re-bind at once after a previous attempt (TIME_WAIT)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            elif hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no port hijacking
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
            sock.bind((host, self.target.port))
            sock.listen(16)
            sock.setblocking(False)
            return sock
        except OSError as exc:
            sock.close()
            if exc.errno in _ADDRESS_IN_USE:
                raise PortInUseError(self.target.port, self.target.uri) from None
            if optional and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                return None
            raise AuthorizationError(
                f"EtsySync cannot listen on {host} port {self.target.port} for Etsy's answer "
                f"({exc.strerror or exc}). Use a redirect URL with a port above 1024 that is "
                "free, registered with Etsy."
            ) from None

    def close(self) -> None:
        """Stop listening and drop open browser connections; idempotent."""
        with self._lock:
            self._close_sockets()

    def _close_sockets(self) -> None:
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        for conn in self._connections.values():
            conn.sock.close()
        for sock in self._listeners:
            sock.close()
        self._connections.clear()
        self._listeners = []

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- waiting --------------------------------------------------------------------------

    def wait(
        self,
        cancel: threading.Event | None = None,
        *,
        check: Callable[[], None] | None = None,
    ) -> str:
        """Block until the valid redirect; return its code, or raise an ``AuthorizationError``.

        ``check`` is called on every poll and may raise to abort the wait (the
        flow uses it to report a browser that failed to open Etsy's page).  The
        sockets are closed when this returns or raises, whatever the outcome.
        """
        selector = self._selector
        if selector is None or not self._listeners:
            raise RuntimeError("start() the listener before waiting")
        deadline = self._clock() + self._timeout
        try:
            while True:
                if cancel is not None and cancel.is_set():
                    raise AuthorizationCancelled()
                if check is not None:
                    check()
                now = self._clock()
                if now >= deadline:
                    raise AuthorizationTimeout(self._timeout, self.target.uri)
                self._drop_idle(now)
                for key, _ in selector.select(timeout=min(self._poll, deadline - now)):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if key.data is None:
                        self._accept(selector, sock)
                        continue
                    reply = self._read(selector, key.data)
                    if reply is not None and reply.final:
                        if reply.error is not None:
                            raise reply.error
                        assert reply.code is not None
                        return reply.code
        finally:
            self.close()

    def _accept(self, selector: selectors.BaseSelector, listener: socket.socket) -> None:
        try:
            sock, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        conn = _Connection(sock, self._clock())
        self._connections[sock.fileno()] = conn
        selector.register(sock, selectors.EVENT_READ, conn)

    def _drop(self, conn: _Connection) -> None:
        if self._selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(conn.sock)
        self._connections.pop(conn.sock.fileno(), None)
        conn.sock.close()

    def _drop_idle(self, now: float) -> None:
        for conn in list(self._connections.values()):
            if now - conn.opened_at > IDLE_CONNECTION_LIMIT:
                self._drop(conn)

    def _read(self, selector: selectors.BaseSelector, conn: _Connection) -> _Reply | None:
        try:
            chunk = conn.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            self._drop(conn)
            return None
        if not chunk:  # the browser closed a speculative connection
            self._drop(conn)
            return None
        conn.buffer += chunk
        end = conn.buffer.find(b"\r\n\r\n")
        if end < 0 and len(conn.buffer) <= MAX_REQUEST_HEAD:
            return None
        reply = self._handle(bytes(conn.buffer[:end]) if end >= 0 else b"")
        self._send(conn, reply)
        return reply

    def _handle(self, head: bytes) -> _Reply:
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            return _Reply(400, pages.bad_request_page())
        method, target, _ = parts
        try:
            url = urlsplit(target)
        except ValueError:  # e.g. "http://[::1/...": any local process can send one
            return _Reply(400, pages.bad_request_page())
        log.debug("Loopback request: %s %s", method, url.path)  # never the query: it holds the code
        if url.path != self.target.path:
            return _Reply(404, pages.not_found_page())
        if method != "GET":
            return _Reply(405, pages.method_not_allowed_page(), allow_get=True)
        params = parse_qs(url.query, keep_blank_values=True)
        states = params.get("state", [])
        if len(states) != 1 or not hmac.compare_digest(
            states[0].encode("utf-8"), self._state.encode("utf-8")
        ):
            log.warning("Ignored a redirect with a wrong or missing state; still waiting")
            return _Reply(400, pages.wrong_state_page())
        return self._outcome(params)

    def _outcome(self, params: dict[str, list[str]]) -> _Reply:
        error = (params.get("error") or [""])[0]
        if error == "access_denied":
            denied = AuthorizationDenied()
            return _Reply(200, pages.error_page(denied.title, denied.message), error=denied)
        if error:
            description = " ".join((params.get("error_description") or [""])[0].split())[:300]
            failed = AuthorizationFailed.etsy_refused(error, description)
            return _Reply(200, pages.error_page(failed.title, failed.message), error=failed)
        codes = params.get("code", [])
        if len(codes) != 1 or not codes[0]:
            failed = AuthorizationFailed.no_code()
            return _Reply(400, pages.error_page(failed.title, failed.message), error=failed)
        return _Reply(200, pages.success_page(), code=codes[0])

    def _send(self, conn: _Connection, reply: _Reply) -> None:
        body = reply.page.encode("utf-8")
        headers = [
            f"HTTP/1.1 {reply.status} {_REASONS[reply.status]}",
            "Content-Type: text/html; charset=utf-8",
            f"Content-Length: {len(body)}",
            "Cache-Control: no-store",
            "Referrer-Policy: no-referrer",
            "X-Content-Type-Options: nosniff",
            "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'",
            "Connection: close",
        ]
        if reply.allow_get:
            headers.append("Allow: GET")
        data = ("\r\n".join(headers) + "\r\n\r\n").encode("ascii") + body
        try:
            conn.sock.setblocking(True)
            conn.sock.settimeout(5.0)
            conn.sock.sendall(data)
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the browser went away; nothing to tell it
        finally:
            self._drop(conn)
