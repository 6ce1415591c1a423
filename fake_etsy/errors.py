"""The one exception type the fake raises to produce an Etsy-style error response.

Why: Etsy answers every failure with a JSON body whose ``error`` member is a human
string (``ErrorSchema``), and OAuth failures add an RFC 6749 ``error_description``.
Validation, auth, rate limiting and the operation handlers all raise
:class:`ApiError`; only the request pipeline turns it into bytes, so the wire format
lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping


class ApiError(Exception):
    """An HTTP error response with an Etsy-shaped JSON body."""

    def __init__(
        self,
        status: int,
        error: str,
        *,
        description: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status}: {error}" + (f" ({description})" if description else ""))
        self.status = status
        self.error = error
        self.description = description
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, str]:
        """The JSON body: ``{"error": ...}`` plus ``error_description`` when set."""
        payload = {"error": self.error}
        if self.description is not None:
            payload["error_description"] = self.description
        return payload


def bad_request(error: str) -> ApiError:
    """A 400 with Etsy's plain ``{"error": ...}`` body."""
    return ApiError(400, error)


def not_found(error: str) -> ApiError:
    """A 404 with Etsy's plain ``{"error": ...}`` body."""
    return ApiError(404, error)
