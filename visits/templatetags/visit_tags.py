from django import template

register = template.Library()

ASSESSMENT_CSS = {
    "normal": "text-bg-success",
    "attention": "text-bg-warning",
    "urgent": "text-bg-danger",
}


@register.filter
def assessment_css(value: str) -> str:
    return ASSESSMENT_CSS.get(value, "text-bg-secondary")
