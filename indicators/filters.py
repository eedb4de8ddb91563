import django_filters
from django import forms

from core.models import Region
from core.regions import RegionLevel
from indicators.choices import IndicatorCode
from indicators.models import IndicatorValue, Target


class MonthFilter(django_filters.DateFilter):
    field_class = forms.DateField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m", "%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class IndicatorValueFilter(django_filters.FilterSet):
    indicator = django_filters.MultipleChoiceFilter(choices=IndicatorCode.choices)
    region = django_filters.CharFilter(field_name="region__code", label="region code (exact)")
    level = django_filters.ChoiceFilter(field_name="region__level", choices=RegionLevel.choices)
    within = django_filters.CharFilter(method="filter_within", label="region code: its subtree")
    month = MonthFilter(field_name="month", label="YYYY-MM")
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label="YYYY-MM, from")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label="YYYY-MM, up to")
    met = django_filters.BooleanFilter()

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "region", "level", "within", "month", "month_from", "month_to"]

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(code=value).first()
        return (
            queryset.filter(region__code__startswith=region.code_prefix)
            if region
            else (queryset.none())
        )


class TargetFilter(django_filters.FilterSet):
    indicator = django_filters.ChoiceFilter(choices=IndicatorCode.choices)
    region = django_filters.CharFilter(field_name="region__code", label="region code (exact)")
    province_wide = django_filters.BooleanFilter(field_name="region", lookup_expr="isnull")

    class Meta:
        model = Target
        fields = ["indicator", "region", "year", "province_wide"]
