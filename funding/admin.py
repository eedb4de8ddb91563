from django.contrib import admin

from funding.models import Budget, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "kind", "rate", "cap_per_project")


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("program", "year", "source", "amount")
    list_filter = ("year", "source")
    list_select_related = ("program",)
