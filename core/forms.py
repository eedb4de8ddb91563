from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm, UserCreationForm
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from core.login_throttle import is_locked_out
from core.models import User


class PortalUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "role", "region")


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class LoginForm(AuthenticationForm):
    """The portal's login: says so when too many failures locked the account or address out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed logins. Logging in is blocked for %(minutes)s minutes; "
            "try again later or ask your administrator."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if is_locked_out(username, self.request):
            self.locked_out = True
            raise forms.ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        return super().clean()


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    """Regions labelled with their parent ("靠山镇（珲春市）"): many townships share a name."""

    def _set_queryset(self, queryset):
        if queryset is not None:
            queryset = queryset.select_related("parent")
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, region):
        if region.parent_id is None:
            return region.name
        return f"{region.name}（{region.parent.name}）"


def add_service_errors(form, error, *, skip_failed: bool = False) -> None:
    """Put a service's ValidationError on the form fields it names (else on the form).

    With `skip_failed`, a field that already has an error keeps only its own (the service saw
    the stored value in its place, so its message would be about something else).
    """
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            if skip_failed and target is not None and target in form.errors:
                continue
            for message in messages:
                if message not in list(form.errors.get(target or NON_FIELD_ERRORS, [])):
                    form.add_error(target, message)
    else:
        for message in error.messages:
            if message not in list(form.non_field_errors()):
                form.add_error(None, message)


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, so templates render fields with one include."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ServiceModelForm(BootstrapFormMixin, forms.ModelForm):
    """A ModelForm that validates fields but leaves the instance and the rules to a service.

    Field validators still run, on a throwaway copy; `self.instance` is not touched, so the
    service sees the stored values next to the new ones (the facility service keeps a history
    of what changed), and the rules and constraints are reported by the service with messages
    that name the field instead of the constraint.

    Every error at once: after the field rules, `service_validate(probe)` runs the service's
    own rules on the probe even when some fields failed (those keep their stored or empty
    value in the probe, and the service's messages about them are dropped), so one submit
    shows every problem, each on its field.
    """

    def service_validate(self, probe) -> None:
        """Override: raise the service's ValidationError for the probe (no writes)."""

    def _post_clean(self):
        probe = type(self.instance)()
        probe.__dict__.update(
            {key: value for key, value in self.instance.__dict__.items() if key != "_state"}
        )
        probe._state.adding = self.instance._state.adding
        try:
            construct_instance(self, probe, self._meta.fields, self._meta.exclude)
            probe.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except forms.ValidationError as error:
            self._update_errors(error)
        try:
            self.service_validate(probe)
        except forms.ValidationError as error:
            add_service_errors(self, error, skip_failed=True)
        except (ObjectDoesNotExist, TypeError, ValueError):
            # A value the service needs failed its field rule; that error is already shown.
            if not self.errors:
                raise

    def model_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }
