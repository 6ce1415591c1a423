"""The socket side: a threading HTTP/1.1 server that feeds the request pipeline.

Why: the fake is driven over real HTTP (keep-alive, concurrent connections, dropped
sockets) because that is what the app's client meets in production. Each connection
gets a thread (``ThreadingHTTPServer``), so ten or more requests can be in flight while
some sleep in injected latency. Open connections are tracked so ``stop()`` can cut
keep-alive and hung sockets instead of waiting on them.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import traceback
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from fake_etsy.app import FakeEtsyApp
from fake_etsy.wire import FakeRequest


class FakeHttpServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that knows its app and its open connections."""

    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: FakeEtsyApp) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.connection_closed = threading.Condition(self.connections_lock)
        super().__init__(address, FakeRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout, reset) is normal; anything else is a bug."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        self.app.internal_errors.append(traceback.format_exc())

    def open_connections(self) -> frozenset[socket.socket]:
        """The client connections open now."""
        with self.connections_lock:
            return frozenset(self.connections)

    def wait_closed(self, connections: Iterable[socket.socket], timeout: float = 30.0) -> bool:
        """Wait until none of ``connections`` is open; ``False`` if ``timeout`` ran out.

        Why: a client killed mid-request leaves its request to the server, which
        may still apply it after the client is gone, as Etsy may.  A test that
        wants the next run to meet only requests that have ended waits here for
        the dead client's connections, each closed once its request was handled.
        """
        waiting = set(connections)
        with self.connection_closed:
            return self.connection_closed.wait_for(
                lambda: not waiting & self.connections, timeout=timeout
            )

    def close_connections(self) -> None:
        """Shut every open client socket (their handler threads then finish)."""
        with self.connections_lock:
            sockets = list(self.connections)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class FakeRequestHandler(BaseHTTPRequestHandler):
    """Parses one request at a time into a :class:`FakeRequest` and writes the answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each small write waits ~40 ms for a delayed ACK
    server_version = "FakeEtsy/1.0"
    sys_version = ""
    server: FakeHttpServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connection_closed:
                self.server.connections.discard(self.connection)
                self.server.connection_closed.notify_all()

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            return self._read_chunked()
        try:
            length = max(0, int(self.headers.get("content-length") or "0"))
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client hung up mid-request: nothing arrived to handle
            raise ConnectionResetError("request body cut short")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size_line = self.rfile.readline(65_537)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65_537) not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # the CRLF after each chunk

    def _handle(self) -> None:
        body = self._read_body()
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = FakeRequest(self.command, parts.path, parts.query, headers, body)
        response = self.server.app.handle(request)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and benchmarks should not print a line per request."""
