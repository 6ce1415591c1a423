"""What the seller is told while connecting: the browser pages and the typed errors.

Why together: both are the flow's user-facing words, and an error the app
shows (``title``/``message``, as they are) is often also the page the browser
tab shows, so they are written once, side by side.

Pages: after Etsy redirects, the browser tab is all the seller sees; it must
say plainly whether EtsySync is now connected or what went wrong, and where to
go next (back to the app).  No page ever contains the authorization code, a
token or the ``state``: a screenshot or a shared screen must not leak them.
Everything interpolated is HTML-escaped.

Errors: every failure of the flow is an ``AuthorizationError`` (an
``EtsySyncError``), exit code 4 (the user must act) unless noted.
"""

from __future__ import annotations

from html import escape

from etsysync_gui.errors import EXIT_NEEDS_USER, EXIT_USAGE, EtsySyncError

REDIRECT_NOT_PERMITTED = "The requested redirect URL is not permitted."
"""Etsy's error page text for an unregistered redirect URI (etsy/open-api#307, #644)."""
ETSY_APPS_URL = "https://www.etsy.com/developers/your-apps"


def register_hint(redirect_uri: str) -> str:
    return (
        f"Register exactly {redirect_uri} as a callback URL of your app on {ETSY_APPS_URL} "
        "('Edit your callback URLs'); Etsy compares it letter by letter, port included."
    )


class AuthorizationError(EtsySyncError):
    """Connecting EtsySync to an Etsy account did not complete."""

    title = "Connecting to Etsy failed"
    exit_code = EXIT_NEEDS_USER


class RedirectUriError(AuthorizationError):
    """The profile's redirect URI cannot be served by a loopback listener."""

    title = "Redirect URL not usable"
    exit_code = EXIT_USAGE


class PortInUseError(AuthorizationError):
    title = "Port in use"

    def __init__(self, port: int, redirect_uri: str) -> None:
        super().__init__(
            f"EtsySync cannot receive Etsy's answer: port {port} is in use by another program "
            "(perhaps another EtsySync window that is connecting). Close it and try again. "
            f"The port is part of the redirect URL registered with Etsy ({redirect_uri}); to "
            "use another port, register the new URL with Etsy and set redirect_uri in the "
            "profile."
        )
        self.port = port


class RedirectUriNotPermitted(AuthorizationError):
    title = "Redirect URL not registered with Etsy"

    def __init__(self, redirect_uri: str) -> None:
        super().__init__(f"Etsy says: '{REDIRECT_NOT_PERMITTED}' {register_hint(redirect_uri)}")
        self.redirect_uri = redirect_uri


class AuthorizationDenied(AuthorizationError):
    title = "Access declined"

    def __init__(self) -> None:
        super().__init__(
            "You declined access on Etsy, so EtsySync is not connected. To connect, start "
            "again and grant access."
        )


class AuthorizationFailed(AuthorizationError):
    """Etsy redirected with an ``error`` other than ``access_denied``, or no code."""

    def __init__(self, message: str, *, etsy_error: str | None = None) -> None:
        super().__init__(message)
        self.etsy_error = etsy_error

    @classmethod
    def etsy_refused(cls, error: str, description: str) -> AuthorizationFailed:
        """Etsy redirected with ``error`` (RFC 6749) and its ``error_description``."""
        return cls(
            f"Etsy did not authorize EtsySync: {description or error} ({error}). Start "
            f"connecting again; if it keeps failing, check the app's settings on {ETSY_APPS_URL}.",
            etsy_error=error,
        )

    @classmethod
    def no_code(cls) -> AuthorizationFailed:
        return cls("Etsy's answer held no authorization code. Start connecting again.")


class AuthorizationTimeout(AuthorizationError):
    title = "No answer from Etsy"

    def __init__(self, timeout: float, redirect_uri: str) -> None:
        minutes = max(1, round(timeout / 60))
        super().__init__(
            f"Etsy did not send EtsySync an answer within {minutes} minute(s). If the browser "
            f"showed '{REDIRECT_NOT_PERMITTED}', {register_hint(redirect_uri)} Otherwise start "
            "connecting again."
        )


class AuthorizationCancelled(AuthorizationError):
    title = "Cancelled"

    def __init__(self) -> None:
        super().__init__("Connecting to Etsy was cancelled.")


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;color:#222;"
    "line-height:1.5}h1{font-size:1.4em}.ok{color:#1a7f37}.bad{color:#b3261e}"
)


def _page(css_class: str, heading: str, text: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>EtsySync - {escape(heading)}</title><style>{_STYLE}</style></head><body>"
        f"<h1 class='{css_class}'>{escape(heading)}</h1><p>{escape(text)}</p></body></html>"
    )


def success_page() -> str:
    return _page(
        "ok",
        "EtsySync is connected to Etsy",
        "You can close this tab and go back to EtsySync.",
    )


def error_page(heading: str, text: str) -> str:
    """A failure EtsySync reports to the user as well (the app shows the same words)."""
    return _page("bad", heading, f"{text} You can close this tab and go back to EtsySync.")


def wrong_state_page() -> str:
    return _page(
        "bad",
        "This sign-in link is not the one EtsySync is waiting for",
        "It may be old, or from another EtsySync window. EtsySync is still waiting: go back "
        "to the app and use the link it shows, or start connecting again.",
    )


def not_found_page() -> str:
    return _page("bad", "Not found", "This address is only used by EtsySync to connect to Etsy.")


def method_not_allowed_page() -> str:
    return _page("bad", "Method not allowed", "EtsySync only accepts Etsy's redirect here.")


def bad_request_page() -> str:
    return _page("bad", "Bad request", "EtsySync could not read this request.")
