"""The loopback listener over real HTTP: state first, one answer, loopback only, then closed."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from etsysync_gui.etsy.oauth.flow import (
    REDIRECT_NOT_PERMITTED,
    AuthorizationCancelled,
    AuthorizationDenied,
    AuthorizationFailed,
    AuthorizationTimeout,
    LoopbackListener,
    PortInUseError,
)

from .helpers import free_port, ipv6_loopback_available, non_loopback_address, refuses_connections

STATE = "the-expected-state-value-0123456789abcdef"
CODE = "the-authorization-code-value-xyz"


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def uri(port: int) -> str:
    return f"http://localhost:{port}/oauth/redirect"


@contextmanager
def waiting(listener: LoopbackListener) -> Iterator[Future[str]]:
    """``listener.wait()`` on a worker; always ends (cancelled) when the block exits."""
    cancel = threading.Event()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(listener.wait, cancel)
        try:
            yield future
        finally:
            cancel.set()


def _get(port: int, query: str, path: str = "/oauth/redirect") -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}?{query}", timeout=10, trust_env=False)


def test_valid_redirect_gives_the_code_a_success_page_and_closes_the_port(
    port: int, uri: str
) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        response = _get(port, f"code={CODE}&state={STATE}")
        assert result.result(timeout=10) == CODE
    assert response.status_code == 200
    assert "EtsySync is connected to Etsy" in response.text
    assert CODE not in response.text
    assert STATE not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    # A second request finds nobody listening, on either loopback address.
    with pytest.raises(httpx.ConnectError):
        _get(port, f"code={CODE}&state={STATE}")
    assert refuses_connections("127.0.0.1", port)
    if ipv6_loopback_available():
        assert refuses_connections("::1", port)


@pytest.mark.parametrize(
    "forged",
    [
        f"code=stolen-code&state=wrong-{STATE}",
        "code=stolen-code",
        f"code=stolen-code&state={STATE}&state={STATE}",
        f"code=stolen-code&state={STATE[:-1]}",
        "error=access_denied&state=wrong",
        "error=access_denied",
    ],
)
def test_wrong_or_missing_state_is_rejected_and_the_real_answer_still_counts(
    port: int, uri: str, forged: str
) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        rejected = _get(port, forged)
        assert rejected.status_code == 400
        assert "not the one EtsySync is waiting for" in rejected.text
        assert "stolen-code" not in rejected.text
        assert not result.done()
        ok = _get(port, f"code={CODE}&state={STATE}")
        assert result.result(timeout=10) == CODE
    assert ok.status_code == 200


def test_other_paths_and_methods_are_refused_and_waiting_goes_on(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        assert _get(port, f"code={CODE}&state={STATE}", path="/favicon.ico").status_code == 404
        assert _get(port, f"code={CODE}&state={STATE}", path="/oauth/redirect/").status_code == 404
        url = f"http://127.0.0.1:{port}/oauth/redirect?code={CODE}&state={STATE}"
        posted = httpx.post(url, timeout=10, trust_env=False)
        assert posted.status_code == 405
        assert posted.headers["allow"] == "GET"
        assert httpx.head(url, timeout=10, trust_env=False).status_code == 405
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"NONSENSE\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 400")
        assert not result.done()
        assert _get(port, f"code={CODE}&state={STATE}").status_code == 200
        assert result.result(timeout=10) == CODE


def test_an_idle_browser_connection_does_not_block_the_real_request(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with (
        waiting(listener) as result,
        socket.create_connection(("127.0.0.1", port), timeout=10),  # a speculative preconnect
    ):
        assert _get(port, f"code={CODE}&state={STATE}").status_code == 200
        assert result.result(timeout=10) == CODE


def test_access_denied_is_a_clear_message(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        page = _get(port, f"error=access_denied&error_description=The+user+denied&state={STATE}")
        with pytest.raises(AuthorizationDenied) as caught:
            result.result(timeout=10)
    assert caught.value.message.startswith("You declined access on Etsy")
    assert caught.value.title == "Access declined"
    assert "You declined access on Etsy" in page.text
    assert refuses_connections("127.0.0.1", port)


def test_other_errors_carry_etsys_description(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        _get(port, f"error=invalid_scope&error_description=unknown+scope%3A+bogus&state={STATE}")
        with pytest.raises(AuthorizationFailed) as caught:
            result.result(timeout=10)
    assert "unknown scope: bogus" in caught.value.message
    assert caught.value.etsy_error == "invalid_scope"


def test_state_right_but_no_code_fails_clearly(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        assert _get(port, f"state={STATE}").status_code == 400
        with pytest.raises(AuthorizationFailed, match="no authorization code"):
            result.result(timeout=10)


@pytest.mark.parametrize("busy_host", ["127.0.0.1", "::1"])
def test_a_busy_port_fails_fast_naming_the_port(port: int, uri: str, busy_host: str) -> None:
    if busy_host == "::1" and not ipv6_loopback_available():
        pytest.skip("this machine has no IPv6 loopback")
    family = socket.AF_INET6 if busy_host == "::1" else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as squatter:
        squatter.bind((busy_host, port))
        squatter.listen(1)
        listener = LoopbackListener(uri, STATE)
        with pytest.raises(PortInUseError) as caught:
            listener.start()
    assert f"port {port} is in use" in caught.value.message
    assert caught.value.port == port
    assert caught.value.title == "Port in use"
    assert listener.addresses == []  # the half that did bind was released


def test_timeout_follows_the_injected_clock(port: int, uri: str) -> None:
    ticks = iter([0.0] + [301.0] * 100)
    listener = LoopbackListener(uri, STATE, timeout=300, clock=lambda: next(ticks)).start()
    with pytest.raises(AuthorizationTimeout) as caught:
        listener.wait()
    assert REDIRECT_NOT_PERMITTED in caught.value.message
    assert uri in caught.value.message
    assert refuses_connections("127.0.0.1", port)


def test_cancel_event_stops_waiting_and_closes(port: int, uri: str) -> None:
    listener = LoopbackListener(uri, STATE).start()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(AuthorizationCancelled):
        listener.wait(cancel)
    assert refuses_connections("127.0.0.1", port)


def test_listens_on_loopback_only(port: int, uri: str) -> None:
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to test from")
    with LoopbackListener(uri, STATE) as listener:
        assert not refuses_connections("127.0.0.1", port)  # control: it is listening
        assert refuses_connections(address, port)
        hosts = {host for host, _ in listener.addresses}
        assert hosts <= {"127.0.0.1", "::1"}


def test_ipv6_loopback_is_served_too(port: int, uri: str) -> None:
    if not ipv6_loopback_available():
        pytest.skip("this machine has no IPv6 loopback")
    listener = LoopbackListener(uri, STATE).start()
    with waiting(listener) as result:
        url = f"http://[::1]:{port}/oauth/redirect?code={CODE}&state={STATE}"
        assert httpx.get(url, timeout=10, trust_env=False).status_code == 200
        assert result.result(timeout=10) == CODE
