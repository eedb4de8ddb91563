import re

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IntegerFilter, RegionSubtreeFilter
from visits import services
from visits.models import (
    RECORDED_CATEGORIES,
    Category,
    Elder,
    Referral,
    ReferralStatus,
    Residence,
    Visit,
    eightieth_birthday_cutoff,
    looks_like_id_number,
    month_bounds,
)

ID_NUMBER_LENGTH = 18

MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})\Z")  # ASCII digits: \d would take ９


def parse_month(value: str) -> tuple[int, int]:
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2100:
        raise forms.ValidationError(_("Give the month as YYYY-MM."))
    return int(match.group(1)), int(match.group(2))


class MonthField(forms.CharField):
    """YYYY-MM, checked while the filter form validates (a bad month is a form error)."""

    def validate(self, value):
        super().validate(value)
        if value:
            parse_month(value)


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField

    def filter(self, queryset, value):
        if not value:
            return queryset
        year, month = parse_month(value)
        return self.apply(queryset, year, month)


class KeyElderMonthFilter(MonthFilter):
    def apply(self, queryset, year, month):
        return queryset.key_in_month(year, month)


class VisitMonthFilter(MonthFilter):
    def apply(self, queryset, year, month):
        return queryset.in_month(year, month)


class ElderFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter(label=_("Region (code, with everything below)"))
    category = django_filters.ChoiceFilter(
        choices=Category.choices, method="filter_category", label=_("Category")
    )
    month = KeyElderMonthFilter(label=_("Key elders of a month (YYYY-MM)"))
    residence = django_filters.ChoiceFilter(choices=Residence.choices, label=_("residence"))
    q = django_filters.CharFilter(
        method="filter_search", label=_("Name, or the complete ID number")
    )

    class Meta:
        model = Elder
        fields = []

    def filter_category(self, queryset, name, value):
        if value == Category.ADVANCED_AGE:
            # 80 by the end of this month, as key elders are counted: a list that changed on
            # the day would give birthdays away (the masking policy).
            today = timezone.localdate()
            month_end = month_bounds(today.year, today.month)[1]
            return queryset.filter(birth_date__lte=eightieth_birthday_cutoff(month_end))
        if value in {c.value for c in RECORDED_CATEGORIES}:
            return queryset.filter(**{f"is_{value}": True})
        return queryset

    def filter_search(self, queryset, name, value):
        """A name, or a complete valid ID number (found or not, the search is logged)."""
        text = (value or "").strip()
        if len(text) == ID_NUMBER_LENGTH and looks_like_id_number(text) and self.request:
            return services.elder_search_by_id_number(
                user=self.request.user,
                queryset=queryset,
                id_number=text,
                ip_address=self.request.META.get("REMOTE_ADDR"),
            )
        return queryset.search(text)


class VisitFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter(label=_("Region (code, with everything below)"))
    month = VisitMonthFilter(label=_("Month (YYYY-MM)"))
    elder = IntegerFilter(field_name="elder_id")
    visitor = IntegerFilter(field_name="visitor_id")

    class Meta:
        model = Visit
        fields = []


class ReferralFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter(label=_("Region (code, with everything below)"))
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label=_("status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    elder = IntegerFilter(field_name="elder_id")

    class Meta:
        model = Referral
        fields = ["kind"]

    def filter_overdue(self, queryset, name, value):
        overdue = queryset.overdue(timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ReferralBoardFilter(ReferralFilter):
    """The board's filters: the state is its tab, so it takes no `status`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
        self.filters.pop("elder", None)
