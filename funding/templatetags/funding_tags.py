from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def audit_action(action: str) -> str:
    """The audit trail's action codes in the reader's language."""
    from django.utils.translation import gettext as _

    from funding.models import AllocationStatus

    labels = {"create": _("Created"), "update": _("Edited"), "adjust": _("Adjustment")}
    if action in AllocationStatus.values:
        return str(AllocationStatus(action).label)
    return labels.get(action, action)
