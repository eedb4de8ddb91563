from django.contrib import admin

from funding.models import Budget, Program, Renovation


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "rate", "cap_per_project")


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("program", "year", "source", "amount")
    list_filter = ("year", "source")
    list_select_related = ("program",)


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
