"""``run_authorization`` end to end: the fake Etsy, a scripted browser, the real listener."""

from __future__ import annotations

import socket
import threading
from dataclasses import replace

import pytest

from etsysync_gui.etsy.client import EtsyClient
from etsysync_gui.etsy.errors import EtsyAuthError
from etsysync_gui.etsy.oauth.flow import (
    REDIRECT_NOT_PERMITTED,
    AuthorizationCancelled,
    AuthorizationDenied,
    AuthorizationFailed,
    OAuthApp,
    PortInUseError,
    RedirectUriNotPermitted,
    run_authorization,
)
from etsysync_gui.etsy.oauth.tokens import TokenManager
from fake_etsy import FakeEtsyServer

from .helpers import ScriptedBrowser, free_port, refuses_connections, with_query

TIMEOUT = 30.0


def _port(app: OAuthApp) -> int:
    return int(app.redirect_uri.split(":")[2].split("/")[0])


def test_connects_and_learns_user_and_shop(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    browser = ScriptedBrowser(etsy)
    shown: list[str] = []
    result = run_authorization(app, open_browser=browser, on_url=shown.append, timeout=TIMEOUT)
    assert (result.user_id, result.shop_id) == (etsy.user_id, etsy.shop_id)
    assert result.shop_name == etsy.shop.shop_name
    assert result.scopes == ("listings_r", "listings_w", "shops_r", "transactions_r")
    assert shown == browser.urls == [result.authorization_url]
    assert browser.thread_names == ["oauth-browser"]  # the browser never blocks the wait
    page = browser.responses[-1]
    assert page.status_code == 200
    assert "connected" in page.text
    assert result.tokens.access_token not in page.text
    assert "code=" not in page.text
    assert etsy.stats.calls("oauthToken") == 1
    assert refuses_connections("127.0.0.1", _port(app))
    manager = TokenManager(
        keystring=app.keystring,
        shared_secret=app.shared_secret,
        tokens=result.tokens,
        persist=lambda tokens: None,
        token_url=app.token_url,
    )
    with EtsyClient(
        app.keystring, app.shared_secret, base_url=app.api_base_url, token_manager=manager
    ) as client:
        assert client.get_me().user_id == etsy.user_id  # the tokens work
    manager.close()


def test_forged_callbacks_are_never_exchanged(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    cancel = threading.Event()
    browser = ScriptedBrowser(
        etsy,
        before=[
            lambda real: with_query(real, state="forged-state"),
            lambda real: with_query(real, state=None),
        ],
        follow=False,
        after=cancel.set,
    )
    with pytest.raises(AuthorizationCancelled):
        run_authorization(app, open_browser=browser, cancel=cancel, timeout=TIMEOUT)
    assert [r.status_code for r in browser.responses] == [400, 400]
    assert etsy.stats.calls("oauthToken") == 0  # the real code, with a bad state, never went out


def test_after_a_forged_callback_the_real_one_is_exchanged_once(
    etsy: FakeEtsyServer, app: OAuthApp
) -> None:
    browser = ScriptedBrowser(etsy, before=[lambda real: with_query(real, state="forged")])
    result = run_authorization(app, open_browser=browser, timeout=TIMEOUT)
    assert [r.status_code for r in browser.responses] == [400, 200]
    assert result.shop_id == etsy.shop_id
    assert etsy.stats.calls("oauthToken") == 1


def test_declining_on_etsy_is_reported_clearly(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    browser = ScriptedBrowser(etsy, approve=False)
    with pytest.raises(AuthorizationDenied) as caught:
        run_authorization(app, open_browser=browser, timeout=TIMEOUT)
    assert "You declined access on Etsy" in caught.value.message
    assert "declined" in browser.responses[-1].text
    assert etsy.stats.calls("oauthToken") == 0


def test_unregistered_redirect_uri_surfaces_etsys_page(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    unregistered = replace(app, redirect_uri=f"http://localhost:{free_port()}/oauth/redirect")
    browser = ScriptedBrowser(etsy)
    with pytest.raises(RedirectUriNotPermitted) as caught:
        run_authorization(unregistered, open_browser=browser, timeout=TIMEOUT)
    assert REDIRECT_NOT_PERMITTED in caught.value.message
    assert unregistered.redirect_uri in caught.value.message  # what to register, exactly
    assert etsy.stats.calls("oauthToken") == 0
    assert refuses_connections("127.0.0.1", _port(unregistered))


def test_busy_port_fails_before_the_browser_opens(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    browser = ScriptedBrowser(etsy)
    shown: list[str] = []
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", _port(app)))
        squatter.listen(1)
        with pytest.raises(PortInUseError) as caught:
            run_authorization(app, open_browser=browser, on_url=shown.append, timeout=TIMEOUT)
    assert str(_port(app)) in caught.value.message
    assert browser.urls == []
    assert shown == []


def test_unknown_keystring_is_etsys_error_page(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    with pytest.raises(AuthorizationFailed, match=r"client_id\) was not found"):
        run_authorization(
            replace(app, keystring="nosuchkeystring"),
            open_browser=ScriptedBrowser(etsy),
            timeout=TIMEOUT,
        )


def test_wrong_shared_secret_fails_at_the_exchange(etsy: FakeEtsyServer, app: OAuthApp) -> None:
    with pytest.raises(EtsyAuthError, match="shared secret"):
        run_authorization(
            replace(app, shared_secret="wrong-secret"),
            open_browser=ScriptedBrowser(etsy),
            timeout=TIMEOUT,
        )
