"""Money for people to read: integer minor units plus an ISO currency, shown as currency.

Amounts are stored and moved as integer minor units (cents) with an ISO 4217 code
(DESIGN: "Money in integer minor units plus ISO currency"). Anything a person reads — the
admin, the dashboard, the development checkout — goes through :func:`format_money`, so
nobody is shown "1299 (minor units)".
"""

from __future__ import annotations

from decimal import Decimal

# Currencies whose minor unit is not a hundredth (as Stripe counts them).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
THREE_DECIMAL_CURRENCIES = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})

# Written before the amount without a space ("€12.99"); other codes read "CHF 12.50".
SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "jpy": "¥",
    "inr": "₹",
    "krw": "₩",
    "cad": "CA$",
    "aud": "A$",
    "nzd": "NZ$",
    "brl": "R$",
    "mxn": "MX$",
}


def currency_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (``usd`` 2, ``jpy`` 0)."""
    code = currency.lower()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_major_units(minor_units: int, currency: str) -> Decimal:
    """``1299, "eur"`` -> ``Decimal("12.99")``; ``500, "jpy"`` -> ``Decimal("500")``."""
    return Decimal(int(minor_units)).scaleb(-currency_exponent(currency))


def to_minor_units(amount: Decimal | int | str, currency: str) -> int:
    """``Decimal("12.99"), "eur"`` -> ``1299``; raises ``ValueError`` for an amount with
    more decimal places than the currency has (``"12.999"`` euros)."""
    scaled = Decimal(str(amount)).scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more decimal places than {currency.upper()} allows.")
    return int(scaled)


def format_money(minor_units: int | None, currency: str) -> str:
    """An amount in minor units as a person reads it.

    ``format_money(1299, "eur")`` is ``"€12.99"``, ``format_money(123450, "usd")`` is
    ``"$1,234.50"``, ``format_money(500, "jpy")`` is ``"¥500"``, ``format_money(1250, "chf")``
    is ``"CHF 12.50"`` and a negative amount reads ``"-$5.00"``. ``None`` reads ``"—"``.
    """
    if minor_units is None:
        return "—"
    code = (currency or "").lower()
    exponent = currency_exponent(code)
    amount = abs(to_major_units(minor_units, code))
    number = f"{amount:,.{exponent}f}"
    sign = "-" if minor_units < 0 else ""
    symbol = SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{number}"
    return f"{sign}{code.upper()} {number}".strip()
