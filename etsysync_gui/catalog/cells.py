"""The rules one catalog value must meet, shared by CSV import and the GUI's editing.

Why one place: the database columns have limits (``String(255)`` SKUs,
``String(500)`` titles, ``Numeric(12, 2)`` prices) that PostgreSQL enforces
with an error and SQLite silently ignores, so the same spreadsheet used to
import on one backend and crash (exit 70) on the other.  Checking here,
before anything is written, gives both backends the same answer and the
seller one sentence naming the value.

Numbers are plain ASCII digits only: Python's ``int`` and ``Decimal`` also
accept ``1_0`` and full-width digits (``１２``), which no spreadsheet means
as a stock count.

Formula escaping (CSV injection, OWASP "CSV Injection"): a text cell that a
spreadsheet would run as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is written with a leading ``'``.  A value that already
starts with quotes before such a character gets one more quote, so import
removes exactly one quote from ``'…'=`` cells and the round trip is exact;
any other cell is left alone.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_QUANTITY = 1_000_000
MAX_SKU = 255
MAX_TITLE = 500
MAX_POOL_KEY = 500
MAX_LISTING_DIGITS = 18
"""Etsy listing ids are about ten digits; eighteen always fit a 64-bit ``BigInteger``."""
MAX_PRICE = Decimal("9999999999.99")
"""The largest amount ``Numeric(12, 2)`` holds on both databases."""
CENT = Decimal("0.01")

_PRICE = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?|\.[0-9]{1,2}")
_TOO_LONG = re.compile(r"[0-9]{11,}(?:\.[0-9]{1,2})?")
_FORMULA_START = "=+-@\t\r"
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(ValueError):
    """A value is wrong; the message names the value and says what is expected."""


def quantity(raw: str) -> int:
    """A stock count: ASCII digits, 0 to MAX_QUANTITY."""
    if raw == "":
        raise CellError("quantity is empty")
    digits = raw[1:] if raw.startswith("-") else raw
    if not digits.isascii() or not digits.isdigit():
        raise CellError(f"quantity {raw!r} is not a whole number (use the digits 0-9)")
    value = int(raw)
    if value < 0:
        raise CellError(f"quantity {value} is negative")
    if value > MAX_QUANTITY:
        raise CellError(f"quantity {value} is larger than {MAX_QUANTITY}")
    return value


def price(raw: str) -> Decimal | None:
    """An amount like 12.50: ASCII digits, at most two decimals, at most MAX_PRICE."""
    if raw == "":
        return None
    if not raw.isascii() or not _PRICE.fullmatch(raw):
        if raw.isascii() and _TOO_LONG.fullmatch(raw):
            raise CellError(f"price {raw} is larger than {MAX_PRICE}")
        raise CellError(f"price {raw!r} is not an amount like 12.50")
    value = Decimal(raw).quantize(CENT)
    if value > MAX_PRICE:
        raise CellError(f"price {raw} is larger than {MAX_PRICE}")
    return value


def text(value: str, what: str, limit: int) -> str:
    """Free text (a title, a product name): no NUL byte, at most ``limit`` characters."""
    if "\x00" in value:
        raise CellError(f"{what} contains a NUL byte (\\0), which databases cannot store")
    if len(value) > limit:
        raise CellError(f"{what} is longer than {limit} characters ({len(value)})")
    return value


def title(value: str) -> str:
    return text(value, "title", MAX_TITLE)


def product(value: str) -> str:
    return text(value, "product", MAX_TITLE)


def sku(value: str) -> str:
    """A SKU: no control characters (NUL included), at most MAX_SKU characters."""
    if _CONTROL.search(value):
        raise CellError(f"sku {value!r} contains a control character (such as \\0)")
    return text(value, "sku", MAX_SKU)


def etsy_pool(listing: str, key: str) -> tuple[int, str] | None:
    """The Etsy stock pool an exported row is keyed by: both cells as exported, or neither.

    The pair is how a variant without SKU is found again on import, so half a
    pair (or a changed listing number) would silently make a new variant.
    """
    if not listing and not key:
        return None
    if not listing or not key:
        raise CellError(
            "etsy_listing and etsy_pool_key go together (as exported); "
            "leave both as they are or empty both"
        )
    if not listing.isascii() or not listing.isdigit() or len(listing) > MAX_LISTING_DIGITS:
        raise CellError(
            f"etsy_listing {listing!r} is not an Etsy listing number; "
            "leave the exported value as it is or empty both Etsy columns"
        )
    return int(listing), text(key, "etsy_pool_key", MAX_POOL_KEY)


def escape_formula(value: str) -> str:
    """The cell text to write so a spreadsheet shows ``value`` instead of running it."""
    stripped = value.lstrip("'")
    if stripped[:1] and stripped[0] in _FORMULA_START:
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo ``escape_formula``: drop one leading quote only where export added one."""
    return value[1:] if _ESCAPED.match(value) else value
