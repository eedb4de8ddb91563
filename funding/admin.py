from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.templatetags.money import yuan
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
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "rate", "cap_per_project")


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    """With what is planned, approved, disbursed and left of each budget (SQL subqueries)."""

    list_display = ("program", "year", "source", "amount", *BUDGET_FIGURES)
    list_filter = ("year", "source")
    list_select_related = ("program",)

    planned = _figure("planned", _("planned (yuan)"))
    approved = _figure("approved", _("approved (yuan)"))
    disbursed = _figure("disbursed", _("disbursed (yuan)"))
    remaining = _figure("remaining", _("remaining (yuan)"))

    def get_queryset(self, request):
        return budget_list(user=request.user)


@admin.register(Renovation)
class RenovationAdmin(admin.ModelAdmin):
    """Renovations are recorded by the provincial administrator (or imported)."""

    list_display = ("household", "region", "year", "items", "amount", "completed_on")
    list_filter = ("year",)
    search_fields = ("household", "region__name")
    autocomplete_fields = ("region",)
    raw_id_fields = ("elder",)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("region")
