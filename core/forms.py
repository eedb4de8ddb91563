from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm, UserCreationForm
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
    def label_from_instance(self, region):
        return f"{region.code} {region.name}"


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError on the form fields it names (else on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


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
    """

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

    def model_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data
        }
