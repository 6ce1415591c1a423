"""Masking secrets in any text before it reaches a log file or a terminal.

Log lines are the easiest place for a secret to escape: an httpx request line
carries the OAuth ``code`` in its URL, a headers dict carries the bearer
token, a token response is JSON, an exception repr shows a dataclass with a
``refresh_token=`` field.  Rather than trusting every call site to be careful,
the logging handlers pass every finished line through ``redact``, which masks
what *looks* like a credential (by shape and by name) plus every exact value
the app registered at start (``register_secret``: the shared secret and tokens
from the environment or the keychain).

Over-masking is preferred to leaking: a harmless ``code=429`` becoming
``code=***`` costs little, a leaked refresh token costs the shop.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 6
"""Registered values shorter than this are ignored: masking ``abc`` everywhere would
shred the log and protects nothing."""

# Names whose value is a credential wherever they appear as ``name=value``,
# ``"name": "value"``, ``'name': b'value'``, ``name='value'`` or ``name: value``.
# ``code`` is matched only as ``code=x`` (no spaces) or as a quoted key, so
# prose (``exit code: 3``) and source lines in tracebacks (``code = main()``)
# survive: OAuth codes travel in query strings, form bodies and JSON.
_SECRET_NAMES = (
    "access_token",
    "refresh_token",
    "id_token",
    "code_verifier",
    "client_secret",
    "shared_secret",
    "api_secret",
    "password",
    "passwd",
)
_NOT_WORD = r"(?<![A-Za-z0-9_])"
_END_WORD = r"(?![A-Za-z0-9_])"
_NAMES = "|".join(_SECRET_NAMES)
# After the name: ``=`` or ``:``, maybe after a (backslash-escaped) closing
# quote; for ``code`` only ``code=`` or a quoted key.  Then an optional ``b``
# of a bytes repr.
_KEY_VALUE_HEAD = (
    rf"""{_NOT_WORD}(?:(?:{_NAMES}){_END_WORD}\\?["']?\s*[:=]"""
    rf"""|code{_END_WORD}(?:\\?["']?=|\\?["']\s*:))\s*(?:b(?=["']))?"""
)

_KEY_VALUE = re.compile(
    rf"(?P<head>{_KEY_VALUE_HEAD})"
    # A quoted value (quotes may be backslash-escaped, as in JSON inside JSON) ...
    r"""(?:(?P<q>\\?["'])(?P<qv>(?:(?!(?P=q))(?:\\.|[^\\\n]))*)(?P=q)"""
    # ... or a bare value (query string, form body, "password: x") ...
    r"""|(?P<v>[^\s&"',;}\])#]+)"""
    # ... or a quoted value cut short (a truncated line).
    r"""|(?P<uq>\\?["'])(?P<uv>[^\s"'\\]+))""",
    re.IGNORECASE,
)

# A header name, then ``:``/``=`` (or, for a quoted name in a tuple repr, ``,``),
# then an optional opening quote (``b'`` in bytes reprs).
_HEADER_SEPARATOR = r"""(?:\\?["']\s*[:=,]|\s*[:=])\s*(?:b?\\?["'])?\s*"""

# ``Authorization: Bearer x``, ``'authorization': 'Bearer x'``,
# ``(b'Authorization', b'Bearer x')``: mask the whole credential.
_AUTHORIZATION = re.compile(
    rf"(?P<head>(?<![A-Za-z0-9_-])(?:proxy-)?authorization{_HEADER_SEPARATOR})"
    r"""(?P<scheme>(?:bearer|basic|token|digest)\s+)?(?P<value>[^\r\n"'\\]+)""",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?<![A-Za-z0-9_])bearer\s+(?!\*\*\*)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)

# Etsy's ``x-api-key`` is ``keystring:shared_secret``; mask all of it.
_API_KEY_HEADER = re.compile(
    rf"(?P<head>(?<![A-Za-z0-9_-])x-api-key{_HEADER_SEPARATOR})"
    r"""(?P<value>[^\s"',;}\]\\]+)""",
    re.IGNORECASE,
)

# Etsy OAuth tokens: ``<numeric user id>.<long base64url>``.  The user id is
# kept (it tells which account a line is about); the rest is masked.  The tail
# must hold a non-digit so long decimal numbers survive.
_ETSY_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<user>\d{1,20})\."
    r"(?=[A-Za-z0-9_-]*[A-Za-z_-])[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])"
)

# ``scheme://user:PASSWORD@host`` (database URLs, proxies).  Greedy up to the
# last ``@`` before any query, so an unescaped ``@`` or ``/`` in a password
# (an invalid URL, but exactly what an error message quotes) is covered.
_URL_PASSWORD = re.compile(
    r"""(?P<head>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]*:)"""
    r"""(?P<pw>[^\s'"?#]*)(?=@)"""
)

_lock = threading.Lock()
_registered: frozenset[str] = frozenset()
_registered_pattern: re.Pattern[str] | None = None


def register_secret(value: str) -> None:
    """Mask this exact value (and its URL-encoded forms) in everything redacted from now on.

    Thread-safe.  Values shorter than ``MIN_SECRET_LENGTH`` are ignored.
    """
    global _registered, _registered_pattern
    if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
        return
    variants = {value, quote(value, safe=""), quote_plus(value, safe="")}
    with _lock:
        if variants <= _registered:
            return
        updated = _registered | variants
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(updated, key=len, reverse=True)
        _registered_pattern = re.compile("|".join(re.escape(item) for item in ordered))
        _registered = updated


def clear_registered_secrets() -> None:
    """Forget every registered value (for tests and for switching profiles)."""
    global _registered, _registered_pattern
    with _lock:
        _registered = frozenset()
        _registered_pattern = None


def _mask_key_value(match: re.Match[str]) -> str:
    head = match.group("head")
    quote_char = match.group("q")
    if quote_char is not None:
        return f"{head}{quote_char}{MASK}{quote_char}"
    cut_quote = match.group("uq")
    if cut_quote is not None:
        return f"{head}{cut_quote}{MASK}"
    return f"{head}{MASK}"


def _mask_authorization(match: re.Match[str]) -> str:
    scheme = match.group("scheme") or ""
    return f"{match.group('head')}{scheme}{MASK}"


def redact(text: str) -> str:
    """Return ``text`` with every credential it contains replaced by ``***``."""
    if not text:
        return text
    pattern = _registered_pattern  # one read: a concurrent register_secret cannot tear it
    if pattern is not None:
        text = pattern.sub(MASK, text)
    # Cheap substring tests first: most log lines hold none of these words.
    lower = text.lower()
    if "authorization" in lower:
        text = _AUTHORIZATION.sub(_mask_authorization, text)
    if "bearer" in lower:
        text = _BEARER.sub(f"Bearer {MASK}", text)
    if "x-api-key" in lower:
        text = _API_KEY_HEADER.sub(rf"\g<head>{MASK}", text)
    if "code" in lower or any(name in lower for name in _SECRET_NAMES):
        text = _KEY_VALUE.sub(_mask_key_value, text)
    if "://" in text:
        text = _URL_PASSWORD.sub(rf"\g<head>{MASK}", text)
    return _ETSY_TOKEN.sub(rf"\g<user>.{MASK}", text)


class RedactingFormatter(logging.Formatter):
    """A Formatter whose whole output (message, traceback, stack) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        # Formatter caches the traceback on the record; other handlers reuse it.
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return redact(text)


class RedactingFilter(logging.Filter):
    """Redacts a record in place, so every handler after this one sees it masked.

    Use it on handlers whose formatter is not a ``RedactingFormatter``.  It never
    drops a record and never raises (a filter that raises breaks the caller).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            try:
                message = record.getMessage()
            except Exception:  # bad %-args: keep what there is, masked
                message = f"{record.msg!r} % {record.args!r}"
            record.msg = redact(message)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
            if record.stack_info:
                record.stack_info = redact(record.stack_info)
        except Exception:  # pragma: no cover - defensive; logging must go on
            record.msg = MASK
            record.args = None
        return True
