"""Chinese in the Django admin where Django and its add-ons leave English.

Permission names are stored in English when `migrate` creates them, so the admin's permission
pickers label each one anew in the reader's language. The strings below come from Django 5.2's
admin and django-celery-beat, whose zh-Hans catalogs lack them; listing them here puts them in
the project's catalog, which takes precedence.
"""

from django.contrib.auth.admin import GroupAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}

UPSTREAM_STRINGS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop('Cron Minutes to Run. Use "*" for "all". (Example: "0,30")'),
    gettext_noop('Cron Hours to Run. Use "*" for "all". (Example: "8,20")'),
    gettext_noop('Cron Days Of The Month to Run. Use "*" for "all". (Example: "1,15")'),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop(
        'Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. '
        '(Example: "0,5")'
    ),
]


def permission_label(permission) -> str:
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None or action not in PERMISSION_ACTIONS:
        return permission.name  # a custom permission keeps its own name
    return str(PERMISSION_ACTIONS[action] % {"model": model._meta.verbose_name})


class TranslatedPermissionsMixin:
    """Permission pickers (users and groups) labelled in the reader's language."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        return field


class PortalGroupAdmin(TranslatedPermissionsMixin, GroupAdmin):
    pass
