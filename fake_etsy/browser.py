"""A scripted "seller's browser" for the fake consent screen.

Why: the app's OAuth code opens a browser and waits for the redirect on its loopback
port. Tests and demo scripts need to play the seller: load the authorization URL, press
"Grant access" or "Deny", and get the redirect Location the browser would follow. This
does it over real HTTP with the standard library, without following the redirect.
"""

from __future__ import annotations

import http.client
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


class ConsentError(RuntimeError):
    """The consent screen showed an error page instead of the form or a redirect."""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes.get("name") or ""] = attributes.get("value") or ""
        if attributes.get("id") == "error":
            self._in_error = True

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error = (self.error or "") + data


def _request(
    method: str, url: str, body: str | None = None, timeout: float = 10.0
) -> tuple[int, str | None, str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"the fake consent screen is plain http, got {url!r}")
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = {"content-type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("location"), response.read().decode()
    finally:
        connection.close()


def browser_consent(authorize_url: str, *, approve: bool = True, timeout: float = 10.0) -> str:
    """Open ``authorize_url``, approve or deny, and return the redirect Location.

    Returns the Location at once if the first page already redirects (an error sent back
    to the app). Raises :class:`ConsentError` with the page's message when Etsy shows an
    error page (e.g. "The requested redirect URL is not permitted.").
    """
    status, location, html = _request("GET", authorize_url, timeout=timeout)
    if status in (301, 302, 303, 307) and location:
        return location
    parser = _FormParser()
    parser.feed(html)
    if status != 200 or "request_id" not in parser.hidden:
        raise ConsentError(parser.error or f"unexpected consent page (HTTP {status})")
    parts = urlsplit(authorize_url)
    form = urlencode(
        {"request_id": parser.hidden["request_id"], "decision": "approve" if approve else "deny"}
    )
    status, location, html = _request(
        "POST", f"{parts.scheme}://{parts.netloc}{parts.path}", body=form, timeout=timeout
    )
    if status != 302 or not location:
        parser = _FormParser()
        parser.feed(html)
        raise ConsentError(parser.error or f"consent form was not accepted (HTTP {status})")
    return location
