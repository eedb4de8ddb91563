from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from core.admin_i18n import PortalGroupAdmin, TranslatedPermissionsMixin
from core.forms import PortalUserChangeForm, PortalUserCreationForm
from core.models import DatasetGrant, Region, User

admin.site.site_header = _("Jilin elderly-care service network")
admin.site.site_title = _("Jilin elderly-care service network")
admin.site.index_title = _("Administration")
admin.site.unregister(Group)
admin.site.register(Group, PortalGroupAdmin)


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
class PortalUserAdmin(TranslatedPermissionsMixin, UserAdmin):
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
