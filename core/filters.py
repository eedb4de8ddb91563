import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import AuditEntry, Region


class RegionSubtreeFilter(django_filters.CharFilter):
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
