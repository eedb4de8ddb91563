"""Amounts as staff read them: yuan with separators, and 万元."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def wan(value) -> str:
    """In units of ten thousand yuan (万元), two decimals."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value) * 100:.1f}%"
