import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IntegerFilter, RegionCodeFilter, RegionSubtreeFilter
from facilities.choices import FacilityKind, FacilityStatus, InspectionResult, Ownership
from facilities.models import Facility, Inspection


class FacilityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    within = RegionSubtreeFilter(label=_("Region (code, with everything below)"))
    region = RegionCodeFilter(field_name="region__code", label=_("Region code"))
    kind = django_filters.ChoiceFilter(choices=FacilityKind.choices, label=_("Kind"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    status = django_filters.ChoiceFilter(choices=FacilityStatus.choices, label=_("Status"))
    grade = IntegerFilter(label=_("Grade"))
    has_dementia_beds = django_filters.BooleanFilter(
        method="filter_dementia", label=_("Has dementia-care beds")
    )
    min_beds = IntegerFilter(field_name="total_beds", lookup_expr="gte", label=_("Beds at least"))
    max_beds = IntegerFilter(field_name="total_beds", lookup_expr="lte", label=_("Beds at most"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Updated since")
    )

    class Meta:
        model = Facility
        fields = []

    def filter_dementia(self, queryset, name, value):
        return queryset.filter(dementia_beds__gt=0) if value else queryset.filter(dementia_beds=0)


class InspectionFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter(label=_("Region (code, with everything below)"))
    facility = IntegerFilter(field_name="facility_id", label=_("Facility"))
    draw = IntegerFilter(field_name="draw_id", label=_("Draw"))
    result = django_filters.ChoiceFilter(choices=InspectionResult.choices, label=_("Result"))
    planned_after = django_filters.DateFilter(
        field_name="planned_date", lookup_expr="gte", label=_("Planned from")
    )
    planned_before = django_filters.DateFilter(
        field_name="planned_date", lookup_expr="lte", label=_("Planned until")
    )

    class Meta:
        model = Inspection
        fields = []
