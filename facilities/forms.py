from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT as DATE
from core.forms import BootstrapFormMixin, RegionChoiceField, ServiceModelForm
from core.models import Region
from core.regions import RegionLevel
from facilities.choices import CareFunction, InspectionResult, SixHelps
from facilities.models import Facility


class FacilityForm(ServiceModelForm):
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("region"))
    care_functions = forms.MultipleChoiceField(
        label=_("functions offered"),
        choices=CareFunction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    helps_offered = forms.MultipleChoiceField(
        label=_("helps offered"),
        choices=SixHelps.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    effective_date = forms.DateField(
        label=_("Changes effective from"),
        initial=timezone.localdate,
        widget=DATE,
        help_text=_("Beds, residents and status changes are kept in the history from this date."),
    )

    class Meta:
        model = Facility
        fields = [
            "name",
            "kind",
            "region",
            "ownership",
            "operating_model",
            "status",
            "grade",
            "graded_on",
            "floor_area",
            "total_beds",
            "nursing_beds",
            "dementia_beds",
            "residents",
            "staff_count",
            "caregiver_count",
            "care_functions",
            "helps_offered",
            "has_bathing_equipment",
            "in_existing_public_building",
            "has_dining_room",
            "medical_partner",
            "medical_partnership_signed_on",
            "monthly_fee",
            "manager",
            "manager_phone",
            "address",
            "longitude",
            "latitude",
        ]
        widgets = {
            "graded_on": DATE,
            "medical_partnership_signed_on": DATE,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(user)
            .filter(level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
            .order_by("code")
        )


class InspectionDrawForm(BootstrapFormMixin, forms.Form):
    region = RegionChoiceField(queryset=Region.objects.none(), label=_("region"))
    percentage = forms.DecimalField(
        label=_("percentage"), required=False, min_value=0, max_value=100
    )
    count = forms.IntegerField(label=_("count"), required=False, min_value=1)
    kind = forms.ChoiceField(label=_("kind"), required=False)
    seed = forms.IntegerField(
        label=_("random seed"),
        help_text=_("Publish the seed: anyone can repeat the draw with it."),
    )
    planned_date = forms.DateField(label=_("planned date"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        from facilities.choices import FacilityKind

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.visible_to(user).exclude(level=RegionLevel.VILLAGE).order_by("code")
        )
        self.fields["kind"].choices = [("", _("All kinds")), *FacilityKind.choices]


class InspectionResultForm(BootstrapFormMixin, forms.Form):
    inspected_on = forms.DateField(label=_("inspected on"), widget=DATE)
    # No result is preselected: the inspector must choose one, never save "passed" by default.
    result = forms.ChoiceField(
        label=_("result"), choices=[("", _("Choose a result")), *InspectionResult.choices]
    )
    findings = forms.CharField(
        label=_("findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectification_deadline = forms.DateField(
        label=_("rectification deadline"), required=False, widget=DATE
    )
    publish = forms.BooleanField(label=_("publish the result"), required=False, initial=True)
