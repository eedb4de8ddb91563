"""The admin's autocomplete widget re-rendering a refused form with a value that is no id.

Django's AutocompleteMixin.optgroups looks the submitted values up with `id__in=[...]`; a value
such as "abc" (or 5,000 digits) raises ValueError there and the admin answers 500 instead of
showing the form's "select a valid choice" error. The values that cannot be ids are left out of
the lookup (they are not valid choices anyway, and the form error says so).
"""

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError

_optgroups = AutocompleteMixin.optgroups


def _valid_ids_only(self, name, value, attr=None):
    remote = self.field.remote_field
    target = remote.model._meta.get_field(
        getattr(remote, "field_name", None) or remote.model._meta.pk.name
    )
    kept = []
    for item in value:
        try:
            target.get_prep_value(target.to_python(item))
        except (ValueError, TypeError, ValidationError, OverflowError):
            continue
        kept.append(item)
    return _optgroups(self, name, kept, attr)


def install() -> None:
    if AutocompleteMixin.optgroups is not _valid_ids_only:
        AutocompleteMixin.optgroups = _valid_ids_only
