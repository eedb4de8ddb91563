from django import template

from visits.personal_data import redact_id_numbers

register = template.Library()

ASSESSMENT_CSS = {
    "normal": "text-bg-success",
    "attention": "text-bg-warning",
    "urgent": "text-bg-danger",
}


@register.filter
def assessment_css(value: str) -> str:
    return ASSESSMENT_CSS.get(value, "text-bg-secondary")


@register.filter
def redact_ids(value) -> str:
    """Free text (notes, descriptions) with any ID number quoted in it masked."""
    return redact_id_numbers(str(value or ""))
