from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_INPUT as DATE
from core.forms import BootstrapFormMixin, RegionChoiceField, ServiceModelForm
from core.models import Region
from core.regions import RegionLevel
from facilities import services
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

    def service_validate(self, probe) -> None:
        """The facility service's rules and the effective date, reported all together."""
        errors = {}
        effective_date = self.cleaned_data.get("effective_date")
        if probe.status_since is None:  # the service dates a new facility by the change
            probe.status_since = effective_date or timezone.localdate()
        for check in (
            lambda: services.facility_validate(probe),
            lambda: services.facility_effective_date_validate(
                facility=self.instance,
                effective_date=effective_date,
                changes_capacity=services.capacity_changes(probe, self.instance),
            ),
        ):
            try:
                check()
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)


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
