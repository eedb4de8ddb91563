from django.contrib import admin

from core.admin import AuditedAdminMixin
from visits.models import PersonalDataAccess, Visitor


@admin.register(Visitor)
class VisitorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "region", "phone", "user", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "phone", "region__name")
    autocomplete_fields = ("region",)
    raw_id_fields = ("user",)
    list_select_related = ("region", "user")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log is read, never edited."""

    list_display = ("viewed_at", "kind", "user", "elder", "id_number_masked", "ip_address")
    list_filter = ("kind",)
    list_select_related = ("user", "elder")
    search_fields = ("user__username", "elder__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
