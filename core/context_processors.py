from core.access import dataset_granted
from core.roles import Dataset


def unread_notifications(request):
    """The unread count for the navigation bar: one COUNT query on an index."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": user.notifications.filter(read_at__isnull=True).count()}


def navigation(request):
    """Which sections the menus offer: only what the account may open (partners: their grants)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from visits.services import UPLOADERS

    return {
        "nav": {
            "facilities": dataset_granted(user, Dataset.FACILITIES),
            "visits": dataset_granted(user, Dataset.VISITS),
            "funding": dataset_granted(user, Dataset.FUNDING),
            "dashboard": dataset_granted(user, Dataset.INDICATORS),
            "uploads": not user.is_read_only and (user.is_superuser or user.role in UPLOADERS),
        }
    }
