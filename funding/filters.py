import django_filters

from core.filters import IntegerFilter, RegionSubtreeFilter
from funding.models import Allocation, AllocationStatus, Renovation, Source


class AllocationFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter()
    year = IntegerFilter()
    program = django_filters.CharFilter(field_name="program__code")
    source = django_filters.ChoiceFilter(choices=Source.choices)
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices)

    class Meta:
        model = Allocation
        fields = ["year"]


class RenovationFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter()
    year = IntegerFilter()

    class Meta:
        model = Renovation
        fields = ["year"]
