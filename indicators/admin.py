from django.contrib import admin

from indicators.models import IndicatorValue, KeyElderBaseline, RollupRun, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "region", "year", "comparison", "value", "note"]
    list_filter = ["indicator", "year"]
    autocomplete_fields = ["region"]


@admin.register(KeyElderBaseline)
class KeyElderBaselineAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "count"]
    list_filter = ["year"]
    autocomplete_fields = ["region"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Read only: values are written by the roll-up, never by hand."""

    list_display = ["indicator", "region", "month", "numerator", "denominator", "value", "met"]
    list_filter = ["indicator", "month", "region__level"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    list_display = ["month", "status", "steps_done", "steps_total", "rows_written", "created_at"]
    readonly_fields = [f.name for f in RollupRun._meta.fields]

    def has_add_permission(self, request):
        return False
