from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from core.admin_i18n import PortalGroupAdmin, TranslatedPermissionsMixin
from core.forms import PortalUserChangeForm, PortalUserCreationForm
from core.models import AuditEntry, DatasetGrant, Region, User
from core.services import audit_changes, audit_record, audit_snapshot

admin.site.site_header = _("Jilin elderly-care service network")
admin.site.site_title = _("Jilin elderly-care service network")
admin.site.index_title = _("Administration")
admin.site.unregister(Group)
admin.site.register(Group, PortalGroupAdmin)


class AuditedAdminMixin:
    """For models the admin edits directly (no portal service): every save and deletion writes
    an audit row, in the admin's own transaction (the change form and delete views are atomic)."""

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        after = audit_snapshot(obj)
        before = None
        if stored is not None:
            before, after = audit_changes(audit_snapshot(stored), after)
        audit_record(
            actor=request.user,
            action="admin_change" if change else "admin_create",
            obj=obj,
            before=before,
            after=after,
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="admin_delete", obj=obj, before=audit_snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(
                actor=request.user, action="admin_delete", obj=obj, before=audit_snapshot(obj)
            )
        super().delete_queryset(request, queryset)


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
class PortalUserAdmin(AuditedAdminMixin, TranslatedPermissionsMixin, UserAdmin):
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

    def save_related(self, request, form, formsets, change):
        """Dataset grants given or taken in the inline are audited with the account."""
        user = form.instance
        before = sorted(user.dataset_grants.values_list("dataset", flat=True))
        super().save_related(request, form, formsets, change)
        after = sorted(user.dataset_grants.values_list("dataset", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action="admin_change",
                obj=user,
                before={"datasets": before},
                after={"datasets": after},
            )

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
