from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdminMixin
from core.templatetags.money import yuan
from funding import services
from funding.models import Budget, Program, Renovation
from funding.selectors import budget_list

BUDGET_FIGURES = ("planned", "approved", "disbursed", "remaining")


def _figure(name, label):
    @admin.display(description=label, ordering=name)
    def show(self, obj):
        return yuan(getattr(obj, name))

    show.__name__ = name
    return show


@admin.register(Program)
class ProgramAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "rate", "cap_per_project")


class BudgetAdminForm(forms.ModelForm):
    """The budget rules are checked on the form, so the admin reports them by field."""

    class Meta:
        model = Budget
        fields = ["program", "year", "source", "amount"]

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in self._meta.fields):
            probe = Budget(**{name: data[name] for name in self._meta.fields})
            try:
                services.budget_check(probe)
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    """Saved through funding.services (the rules and the audit trail); never deleted here. With
    what is planned, approved, disbursed and left of each budget (SQL subqueries)."""

    form = BudgetAdminForm
    list_display = ("program", "year", "source", "amount", *BUDGET_FIGURES)
    list_filter = ("year", "source")
    list_select_related = ("program",)

    planned = _figure("planned", _("planned (yuan)"))
    approved = _figure("approved", _("approved (yuan)"))
    disbursed = _figure("disbursed", _("disbursed (yuan)"))
    remaining = _figure("remaining", _("remaining (yuan)"))

    def get_queryset(self, request):
        return budget_list(user=request.user)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            saved = services.budget_update(user=request.user, budget=obj, **fields)
        else:
            saved = services.budget_create(user=request.user, **fields)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Renovation)
class RenovationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Renovations are recorded by the provincial administrator (or imported)."""

    list_display = ("household", "region", "year", "items", "amount", "completed_on")
    list_filter = ("year",)
    search_fields = ("household", "region__name")
    autocomplete_fields = ("region",)
    raw_id_fields = ("elder",)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("region")
