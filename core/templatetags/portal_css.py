"""Widths as CSS classes (static/css/portal.css): the CSP allows no style="" attributes."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _width_class(percent) -> str:
    try:
        value = round(Decimal(percent))
    except (InvalidOperation, TypeError, ValueError):
        value = 0
    return f"w-pct-{max(0, min(100, value))}"


@register.filter
def share_width(share) -> str:
    """A share (0.42) as the class of a bar that wide (w-pct-42), clamped to 0-100."""
    if share is None:
        return "w-pct-0"
    try:
        return _width_class(Decimal(share) * 100)
    except (InvalidOperation, TypeError, ValueError):
        return "w-pct-0"


@register.filter
def percent_width(percent) -> str:
    """A percentage (42) as the class of a bar that wide (w-pct-42), clamped to 0-100."""
    return _width_class(percent)
