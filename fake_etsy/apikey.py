"""The ``x-api-key`` check every Open API v3 request goes through.

Why: since February 2026 Etsy rejects a bare keystring; the header must be
``keystring:shared_secret`` ("Requests",
https://developers.etsy.com/documentation/essentials/requests). The three 403 bodies
are Etsy's as reported by clients (for example anitabyte/etsyv3#31):

* no colon at all → ``Shared secret is required in x-api-key header.``
* missing header, empty part or extra colon → ``Invalid API key: should be in the
  format 'keystring:shared_secret'.``
* unknown keystring or wrong secret → ``API key not found or not active, or incorrect
  shared secret for API key.``

Assumption, documented on purpose: Etsy sends that last sentence for BOTH a wrong
keystring and a wrong secret. The fake keeps the sentence identical (so clients that
match Etsy's text still work) and adds an ``error_description`` that tells them
apart: ``unknown keystring`` vs ``incorrect shared secret``. A client may use it for a
better hint in the fake, but must not depend on it against the real Etsy.

The status is 403 everywhere, ping included, as reported by clients, although the
spec documents a 401 for ping; what clients see on the wire wins.
"""

from __future__ import annotations

import hmac

from fake_etsy.errors import ApiError

SECRET_REQUIRED = "Shared secret is required in x-api-key header."
BAD_FORMAT = "Invalid API key: should be in the format 'keystring:shared_secret'."
NOT_FOUND = "API key not found or not active, or incorrect shared secret for API key."
UNKNOWN_KEYSTRING = "unknown keystring"
WRONG_SECRET = "incorrect shared secret"


def check_api_key(header: str | None, *, keystring: str, shared_secret: str) -> None:
    """Raise a 403 :class:`ApiError` unless ``header`` is ``keystring:shared_secret``."""
    if header is None or not header.strip():
        raise ApiError(403, BAD_FORMAT)
    value = header.strip()
    if ":" not in value:
        raise ApiError(403, SECRET_REQUIRED)
    given_key, _, given_secret = value.partition(":")
    if not given_key or not given_secret or ":" in given_secret:
        raise ApiError(403, BAD_FORMAT)
    if not hmac.compare_digest(given_key.encode(), keystring.encode()):
        raise ApiError(403, NOT_FOUND, description=UNKNOWN_KEYSTRING)
    if not hmac.compare_digest(given_secret.encode(), shared_secret.encode()):
        raise ApiError(403, NOT_FOUND, description=WRONG_SECRET)
