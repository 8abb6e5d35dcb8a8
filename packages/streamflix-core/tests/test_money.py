from decimal import Decimal

import pytest

from streamflix_core.money import currency_exponent, format_money, to_major_units, to_minor_units


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (1299, "eur", "€12.99"),
        (1299, "EUR", "€12.99"),
        (123450, "usd", "$1,234.50"),
        (0, "usd", "$0.00"),
        (5, "usd", "$0.05"),
        (-500, "usd", "-$5.00"),
        (500, "jpy", "¥500"),
        (1234567, "jpy", "¥1,234,567"),
        (1250, "chf", "CHF 12.50"),
        (12345, "kwd", "KWD 12.345"),
        (799, "gbp", "£7.99"),
        (None, "usd", "—"),
    ],
)
def test_format_money(minor, currency, shown):
    assert format_money(minor, currency) == shown


def test_exponents_and_conversions():
    assert currency_exponent("usd") == 2
    assert currency_exponent("JPY") == 0
    assert currency_exponent("bhd") == 3
    assert to_major_units(1299, "eur") == Decimal("12.99")
    assert to_major_units(500, "jpy") == Decimal("500")
    assert to_minor_units(Decimal("12.99"), "eur") == 1299
    assert to_minor_units("500", "jpy") == 500
    with pytest.raises(ValueError, match="decimal places"):
        to_minor_units("12.999", "eur")
    with pytest.raises(ValueError, match="decimal places"):
        to_minor_units("1.5", "jpy")
