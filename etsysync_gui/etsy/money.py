"""Exact conversion between Etsy's Money objects, ``Decimal`` and the PUT float.

Why this exists: Etsy reads prices as ``{"amount": 1234, "divisor": 100,
"currency_code": "USD"}`` but ``updateListingInventory`` wants a bare JSON
number equal to amount/divisor.  Doing that with float arithmetic (``1234 /
100`` is fine, ``0.1 + 0.2`` is not) eventually writes ``12.340000000000002``
and a seller's price drifts by a cent.  Here every price is a ``Decimal``
inside the app, and the float is produced only at the JSON boundary, in a way
that provably serialises back to the same decimal digits.

Why ``float(decimal)`` is exact enough: Python writes floats with the shortest
repr that reads back to the same double, and every decimal with at most 15
significant digits (``sys.float_info.dig``) maps to a distinct double.  So for
such a decimal ``repr(float(d))`` names exactly ``d``.  ``to_put_float``
refuses anything longer rather than silently rounding a price.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext

from etsysync_gui.etsy.errors import MalformedResponseError

# Enough precision for any realistic amount/divisor pair to divide exactly.
_DIVISION_PRECISION = 60
MAX_PUT_DIGITS = sys.float_info.dig  # 15


@dataclass(frozen=True, slots=True)
class Money:
    """An Etsy Money object as it appears on the wire."""

    amount: int
    divisor: int
    currency_code: str

    def to_decimal(self) -> Decimal:
        """The exact value amount/divisor."""
        return money_to_decimal(self.amount, self.divisor)


def money_to_decimal(amount: int, divisor: int) -> Decimal:
    """amount/divisor as an exact ``Decimal``.

    Raises ``MalformedResponseError`` when the divisor is not positive or the
    quotient does not terminate (a divisor with prime factors other than 2 and
    5 never occurs in Etsy data; rounding it silently would corrupt a price).
    """
    if divisor <= 0:
        raise MalformedResponseError(f"Etsy sent a price with divisor {divisor}")
    exponent = _TEN_POWERS.get(divisor)
    if exponent is None:
        exponent = _power_of_ten(divisor)
    if exponent is not None:
        # Keeps the scale Etsy meant: 1200/100 is Decimal("12.00"), not "12".  The
        # context is passed, not entered: a sync converts ~40,000 prices.
        return Decimal(amount).scaleb(-exponent, _EXACT)
    with localcontext() as ctx:
        ctx.prec = _DIVISION_PRECISION
        ctx.traps[Inexact] = True
        try:
            value = Decimal(amount) / Decimal(divisor)
        except Inexact:
            raise MalformedResponseError(
                f"Etsy sent a price {amount}/{divisor} that is not an exact decimal"
            ) from None
    return value


_EXACT = Context(prec=_DIVISION_PRECISION)
_TEN_POWERS = {10**k: k for k in range(19)}


def _power_of_ten(divisor: int) -> int | None:
    text = str(divisor)
    if text[0] == "1" and text[1:].strip("0") == "":
        return len(text) - 1
    return None


def decimal_to_money(value: Decimal, currency_code: str, divisor: int = 100) -> Money:
    """A ``Decimal`` as a Money object with the given divisor.

    Raises ``ValueError`` if ``value`` cannot be expressed exactly with that
    divisor (e.g. 1.005 with divisor 100).
    """
    if divisor <= 0:
        raise ValueError(f"divisor must be positive, got {divisor}")
    try:
        scaled = value * divisor
    except InvalidOperation as exc:
        raise ValueError(f"not a price: {value!r}") from exc
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"{value} cannot be written with divisor {divisor}")
    return Money(amount=int(scaled), divisor=divisor, currency_code=currency_code)


def to_put_float(value: Decimal) -> float:
    """The float Etsy expects for an offering price on PUT.

    ``json.dumps`` of the result writes the same decimal value as ``value``
    (``Decimal("12.34")`` → ``12.34``).  Raises ``ValueError`` for NaN,
    infinities, negative prices, or more than 15 significant digits, where a
    float could not carry the price exactly.
    """
    if not value.is_finite():
        raise ValueError(f"not a price: {value}")
    if value < 0:
        raise ValueError(f"a price cannot be negative: {value}")
    normal = value.normalize()
    if len(normal.as_tuple().digits) > MAX_PUT_DIGITS:
        raise ValueError(f"{value} has too many digits to send to Etsy exactly")
    result = float(normal)
    if Decimal(repr(result)) != value:  # pragma: no cover - guarded by the digit check
        raise ValueError(f"{value} cannot be sent to Etsy exactly")
    return result
