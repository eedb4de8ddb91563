from django import template

register = template.Library()


@register.filter
def indicator_value(value, definition):
    """{{ row.value|indicator_value:definition }} -> 82.64%, 57.5%, 5,000 or —."""
    return definition.format(value)


@register.filter
def count(value):
    return "—" if value is None else f"{value:,}"
