"""``{% load streamflix_money %}``: ``{{ payment.amount|money:payment.currency }}`` shows an
amount in minor units as currency (``€12.99``), through
:func:`streamflix_core.money.format_money`."""

from __future__ import annotations

from django import template

from ..money import format_money

register = template.Library()


@register.filter
def money(minor_units: int | None, currency: str) -> str:
    return format_money(minor_units, currency or "")
