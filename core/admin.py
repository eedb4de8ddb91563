from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.forms import PortalUserChangeForm, PortalUserCreationForm
from core.models import AuditEntry, DatasetGrant, Region, User

admin.site.site_header = _("Jilin elderly-care service network")
admin.site.site_title = _("Jilin elderly-care service network")
admin.site.index_title = _("Administration")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_border", "is_urban")
    list_filter = ("level", "is_border", "is_urban")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class DatasetGrantInline(admin.TabularInline):
    model = DatasetGrant
    extra = 0


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("username", "full_name", "role", "region", "is_active")
    list_filter = ("role", "is_active", "region__level")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)
    inlines = [DatasetGrantInline]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Role and region"), {"fields": ("role", "region", "phone")}),
    )

    @admin.display(description=_("full name"))
    def full_name(self, user):
        return user.get_full_name()

    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Role and region"), {"fields": ("role", "region")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is read, never written, changed or deleted here (not even by a
    superuser); the portal page /audit/ filters and exports it."""

    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor__username", "request_id")
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
