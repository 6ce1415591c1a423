"""The two HTML pages a browser sees at the fake's ``/oauth/connect``.

Why: the app opens the seller's browser at Etsy's consent screen and waits on its
loopback redirect. The fake serves a minimal, real HTML form (so a person can click
through it in demo mode and a test can post it) and Etsy's error page for a bad
redirect URI, which never redirects. Everything interpolated is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

REDIRECT_NOT_PERMITTED = "The requested redirect URL is not permitted."

_STYLE = (
    "body{font-family:sans-serif;max-width:34em;margin:3em auto;color:#222}"
    "button{font-size:1em;padding:.5em 1.5em;margin-right:1em}"
    ".error{color:#a00}"
)


def consent_page(*, request_id: str, app_name: str, shop_name: str, scopes: Iterable[str]) -> str:
    """The approve/deny form; posting it back to ``/oauth/connect`` finishes the flow."""
    items = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Grant access - Etsy (fake)</title><style>{_STYLE}</style></head><body>"
        f"<h1>Allow {escape(app_name)} to access {escape(shop_name)}?</h1>"
        f"<p>The application is asking for these permissions:</p><ul>{items}</ul>"
        "<form method='post' action='/oauth/connect'>"
        f"<input type='hidden' name='request_id' value='{escape(request_id, quote=True)}'>"
        "<button type='submit' name='decision' value='approve'>Grant access</button>"
        "<button type='submit' name='decision' value='deny'>Deny</button>"
        "</form></body></html>"
    )


def error_page(message: str) -> str:
    """Etsy's error page: a message and no way forward (no redirect)."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Error - Etsy (fake)</title><style>{_STYLE}</style></head><body>"
        f"<h1>Oops!</h1><p class='error' id='error'>{escape(message)}</p></body></html>"
    )
