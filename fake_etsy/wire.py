"""Plain request/response values passed between the HTTP layer and the fake's logic.

Why: keeping ``http.server`` out of the Etsy logic means the pipeline (auth, rate
limits, faults, operations) is ordinary functions over small immutable values, which
observers can inspect and which never touch sockets. Only ``http_handler`` converts
between these values and bytes on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from fake_etsy.errors import ApiError

JSON_CONTENT_TYPE = "application/json"
HTML_CONTENT_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request as received. Header names are lower-cased."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header value by case-insensitive name, or None."""
        return self.headers.get(name.lower())

    def query_params(self) -> dict[str, list[str]]:
        """The query string as ``name -> [values]`` (blank values kept)."""
        return parse_qs(self.query, keep_blank_values=True)

    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased ('' when absent)."""
        raw = self.header("content-type") or ""
        return raw.split(";", 1)[0].strip().lower()

    def form(self) -> dict[str, list[str]]:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        return parse_qs(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)


@dataclass
class FakeResponse:
    """One HTTP response, or (``drop=True``) an instruction to close without answering."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False


def json_response(
    status: int, payload: object, headers: Mapping[str, str] | None = None
) -> FakeResponse:
    """A JSON response (compact, UTF-8, like Etsy's)."""
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    all_headers = {"content-type": JSON_CONTENT_TYPE}
    all_headers.update(headers or {})
    return FakeResponse(status=status, headers=all_headers, body=data)


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> FakeResponse:
    """The JSON response for an :class:`ApiError` (its own headers win)."""
    merged = dict(headers or {})
    merged.update(error.headers)
    return json_response(error.status, error.body(), merged)


def html_response(status: int, html: str) -> FakeResponse:
    """An HTML page (the OAuth consent and error pages)."""
    return FakeResponse(
        status=status,
        headers={"content-type": HTML_CONTENT_TYPE, "cache-control": "no-store"},
        body=html.encode("utf-8"),
    )


def redirect_response(location: str) -> FakeResponse:
    """A 302 redirect, as Etsy's consent screen sends back to the app."""
    return FakeResponse(
        status=302,
        headers={"location": location, "content-type": HTML_CONTENT_TYPE},
        body=b"",
    )
