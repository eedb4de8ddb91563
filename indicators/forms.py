from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, RegionChoiceField, ServiceModelForm
from core.models import Region
from core.regions import RegionLevel
from indicators.choices import IndicatorCode
from indicators.models import Target


class TargetForm(ServiceModelForm):
    region = RegionChoiceField(
        label=_("region"),
        queryset=Region.objects.filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
        ).order_by("code"),
        required=False,
        empty_label=_("Every region (province-wide)"),
    )

    class Meta:
        model = Target
        fields = ["indicator", "region", "year", "value", "comparison", "note"]


class RecomputeForm(BootstrapFormMixin, forms.Form):
    month = forms.DateField(label=_("month"), input_formats=["%Y-%m"])


class DashboardForm(forms.Form):
    """The dashboard's query parameters (anything else is ignored, never a 500)."""

    region = forms.RegexField(regex=r"^\d{12}$", required=False)
    month = forms.DateField(input_formats=["%Y-%m"], required=False)
    indicator = forms.ChoiceField(choices=IndicatorCode.choices, required=False)
    export = forms.ChoiceField(
        choices=[("summary", "summary"), ("areas", "areas"), ("trend", "trend")], required=False
    )
