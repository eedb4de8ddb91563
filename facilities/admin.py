from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdminMixin
from facilities.models import CapacityRecord, Facility, Inspection, Inspector


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class CapacityRecordInline(admin.TabularInline):
    model = CapacityRecord
    extra = 0
    readonly_fields = [f.name for f in CapacityRecord._meta.fields]
    can_delete = False


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    """Read and search here; create and edit on the portal pages, where the rules apply."""

    list_display = ("name", "kind", "region", "ownership", "status", "total_beds", "nursing_beds")
    list_filter = ("kind", "ownership", "status", "grade")
    search_fields = ("name", "region__name", "region__code")
    list_select_related = ("region",)
    inlines = [CapacityRecordInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inspector)
class InspectorAdmin(AuditedAdminMixin, ScopedAdmin):
    list_display = ("name", "region", "organisation", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)
    list_select_related = ("region",)


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    """Read only: draws and results go through the portal (the rules and the audit trail)."""

    list_display = ("facility", "inspector", "planned_date", "result", "rectification_deadline")
    list_filter = ("result", "is_published")
    list_select_related = ("facility", "inspector")
    raw_id_fields = ("facility", "inspector", "draw")
    readonly_fields = ("portal_page",)

    @admin.display(description=_("record the result"))
    def portal_page(self, inspection):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("facilities:inspection-record", args=[inspection.pk]),
            _("Record or change the result on the portal page"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
