from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, RegionChoiceField, ServiceModelForm
from core.models import Region
from core.regions import RegionLevel
from facilities.models import Facility
from funding import services
from funding.models import Allocation
from funding.selectors import funding_years


class AllocationForm(ServiceModelForm):
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("region"))

    class Meta:
        model = Allocation
        fields = [
            "program",
            "year",
            "source",
            "region",
            "facility",
            "amount",
            "floor_area",
            "persons_served",
            "document_number",
            "purpose",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(user).exclude(level=RegionLevel.VILLAGE).order_by("code")
        )
        self.fields["facility"].queryset = Facility.objects.visible_to(user).order_by("name")
        self.fields["year"].initial = timezone.localdate().year  # this year's budgets
        # A year picker of the years with budgets (and this one), not free text.
        self.fields["year"].widget = forms.Select(
            choices=[(year, year) for year in funding_years(user=user)],
            attrs={"class": "form-select"},
        )

    def service_validate(self, probe) -> None:
        services.allocation_validate(probe)


class AdjustmentForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("adjustment (yuan, negative to reduce)"), max_digits=16, decimal_places=2
    )
    purpose = forms.CharField(label=_("reason"), max_length=300)
