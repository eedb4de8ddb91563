"""Filters shared by the apps' FilterSets, and how a list page answers bad filter values.

Every query parameter of a list page or an API endpoint is parsed by a FilterSet field: a
malformed value is a form error, so the API answers 400 (DjangoFilterBackend) and a page shows
the errors above an empty list (`filtered`, status 400), never a 500 further down.
"""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry, Region

# PostgreSQL integer columns: a larger value could not be compared.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class RegionCodeField(forms.CharField):
    """A 12-digit statistical region code (ASCII digits)."""

    default_validators = [
        RegexValidator(r"^[0-9]{12}$", _("A region code is 12 digits."), code="region_code")
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        super().__init__(*args, **kwargs)


class RegionCodeFilter(django_filters.CharFilter):
    field_class = RegionCodeField


class RegionSubtreeFilter(RegionCodeFilter):
    """A region code; keeps rows in that region's subtree."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        region = Region.objects.filter(code=value).first()
        return queryset.within(region) if region else queryset.none()


class AuditEntryFilter(django_filters.FilterSet):
    """The audit-log page's filters: who, which action, which kind of object, which days."""

    actor = django_filters.CharFilter(label=_("user"), method="filter_actor")
    action = django_filters.ChoiceFilter(label=_("action"), choices=[], empty_label=_("Any"))
    object_type = django_filters.ChoiceFilter(
        label=_("object type"), choices=[], empty_label=_("Any")
    )
    object_id = django_filters.CharFilter(label=_("object id"))
    request_id = django_filters.CharFilter(label=_("request id"))
    date_from = django_filters.DateFilter(label=_("from"), field_name="at", method="filter_from")
    date_to = django_filters.DateFilter(label=_("to"), field_name="at", method="filter_to")

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id", "request_id"]

    def __init__(self, *args, **kwargs):
        from core.audit_trail import ACTION_LABELS, object_type_choices

        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = [
            (code, label) for code, label in ACTION_LABELS.items()
        ]
        self.filters["object_type"].extra["choices"] = object_type_choices()

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor__username__iexact=value)
            | Q(actor__first_name__icontains=value)
            | Q(actor__last_name__icontains=value)
        )

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__date__gte=value)

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__date__lte=value)


class BoundedIntegerField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within PostgreSQL's integer range (ids, years, counts, grades)."""

    field_class = BoundedIntegerField


def filter_errors(filterset_or_form) -> list[str]:
    """The filter form's errors as lines naming the field, for the page's error box."""
    form = getattr(filterset_or_form, "form", filterset_or_form)
    lines = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = (field.label if field is not None else None) or name
        lines.append(f"{label} ({name}): {' '.join(errors)}")
    return lines


def filtered(filterset):
    """(rows, errors, status) for a list page: no rows and the errors when a value is bad."""
    if filterset.is_valid():
        return filterset.qs, [], 200
    return filterset.queryset.none(), filter_errors(filterset), 400
