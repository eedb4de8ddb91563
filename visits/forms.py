from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import RegionCodeField
from core.forms import DATE_INPUT, BootstrapFormMixin, RegionChoiceField, ServiceModelForm
from core.models import Region
from core.regions import RegionLevel, ancestor_codes
from facilities.choices import SixHelps
from facilities.models import Facility
from visits.models import (
    DIMENSIONS,
    Assessment,
    Elder,
    Method,
    ReferralKind,
    ReferralStatus,
    Visitor,
)
from visits.rules import urgent_note_message, urgent_without_note


class ElderForm(ServiceModelForm):
    village = RegionChoiceField(queryset=Region.objects.none(), label=_("village"))

    class Meta:
        model = Elder
        fields = [
            "id_number",
            "name",
            "village",
            "household_address",
            "phone",
            "emergency_contact",
            "emergency_phone",
            "is_living_alone",
            "is_empty_nest",
            "is_left_behind",
            "is_extreme_hardship",
            "is_incapacitated",
            "has_dementia",
            "is_severely_disabled",
            "is_family_planning_special",
            "residence",
            "residence_since",
            "institution",
            "assigned_visitor",
            "archived_on",
        ]
        widgets = {"residence_since": DATE_INPUT, "archived_on": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["village"].queryset = (
            Region.objects.visible_to(user).filter(level=RegionLevel.VILLAGE).order_by("code")
        )
        self.fields["institution"].queryset = Facility.objects.visible_to(user).order_by("name")
        self.fields["assigned_visitor"].queryset = Visitor.objects.visible_to(user).filter(
            is_active=True
        )
        if self.instance.pk:
            # The ID number identifies the archive: it is not edited, only shown masked.
            del self.fields["id_number"]

    def service_validate(self, probe) -> None:
        from visits.services import elder_validate

        elder_validate(probe, user=self.user)


class AssessmentWidget(forms.RadioSelect):
    template_name = "visits/widgets/assessment.html"


class VisitForm(BootstrapFormMixin, forms.Form):
    """The quick visit entry: big touch targets, sensible defaults (today, in person, normal)."""

    visited_on = forms.DateField(
        label=_("visit date"), widget=DATE_INPUT, initial=timezone.localdate
    )
    visitor = forms.ModelChoiceField(label=_("visitor"), queryset=Visitor.objects.none())
    method = forms.ChoiceField(
        label=_("method"),
        choices=Method.choices,
        initial=Method.IN_PERSON,
        widget=AssessmentWidget,
    )
    helps_needed = forms.MultipleChoiceField(
        label=_("helps needed"),
        choices=SixHelps.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, elder: Elder, **kwargs):
        super().__init__(*args, **kwargs)
        # Visitors whose area (the village itself, or a township or county above it) covers it.
        covering = ancestor_codes(elder.village.code, elder.village.level, include_self=True)
        self.fields["visitor"].queryset = Visitor.objects.visible_to(user).filter(
            is_active=True, region__code__in=covering
        )
        own = getattr(user, "visitor_profile", None)
        if own is not None:
            self.fields["visitor"].initial = own.pk
        elif elder.assigned_visitor_id:
            self.fields["visitor"].initial = elder.assigned_visitor_id
        for name, label in DIMENSIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=Assessment.choices,
                initial=Assessment.NORMAL,
                widget=AssessmentWidget,
            )
            self.fields[f"{name}_note"] = forms.CharField(
                label=_("note"),
                required=False,
                max_length=300,
                widget=forms.TextInput(
                    attrs={"placeholder": _("note (required when urgent)"), "class": "form-control"}
                ),
            )
        for name in DIMENSIONS:
            self.fields[name].widget.attrs.pop("class", None)
        self.fields["method"].widget.attrs.pop("class", None)

    def clean(self):
        data = super().clean()
        for name in urgent_without_note(
            assessments={name: data.get(name) for name in DIMENSIONS},
            notes={name: data.get(f"{name}_note", "") for name in DIMENSIONS},
            general_note=data.get("notes", ""),
        ):
            self.add_error(f"{name}_note", urgent_note_message())
        return data

    def dimension_rows(self):
        return [(self[name], self[f"{name}_note"]) for name in DIMENSIONS]


class ReferralForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ReferralKind.choices)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("due date"), widget=DATE_INPUT, required=False)


class ReferralUpdateForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=ReferralStatus.choices)
    outcome = forms.CharField(
        label=_("outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ElderSearchForm(forms.Form):
    q = forms.CharField(required=False)
    village = forms.CharField(required=False)
    category = forms.CharField(required=False)


class WorkListFilterForm(forms.Form):
    """The work list's one filter: an area (a region code) in the user's scope."""

    within = RegionCodeField(label=_("Area"), required=False)
