from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.deferred import render as render_deferred
from core.regions import (
    PREFIX_LENGTH,
    InvalidRegionCode,
    RegionLevel,
    expected_parent_code,
    level_of_code,
)
from core.roles import READ_ONLY_ROLES, ROLE_REGION_LEVELS, Dataset, Role
from core.scope import ScopedQuerySet


class RegionQuerySet(ScopedQuerySet):
    region_lookup = ""  # a region is scoped by its own code

    def subtree(self, region: "Region"):
        """The region and all its descendants, by code prefix (index-friendly, no recursion)."""
        return self.within(region)

    def children_of(self, region: "Region"):
        return self.filter(parent=region)


class Region(models.Model):
    """A node of the administrative hierarchy (行政区划), identified by its 12-digit code."""

    code = models.CharField(
        _("statistical division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("Enter the 12-digit division code."))],
        help_text=_("12 digits: 6 county + 3 township + 3 village"),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_border = models.BooleanField(_("border county"), default=False)
    is_urban = models.BooleanField(_("urban (street / community)"), default=False)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=RegionLevel.values), name="region_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level=RegionLevel.PROVINCE) | models.Q(parent__isnull=False),
                name="region_parent_required_below_province",
            ),
        ]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code_idx")]

    def __str__(self):
        return self.name

    @property
    def code_prefix(self) -> str:
        return self.code[: PREFIX_LENGTH[RegionLevel(self.level)]]

    def is_within(self, other: "Region") -> bool:
        return self.code.startswith(other.code_prefix)

    def clean(self):
        try:
            level = level_of_code(self.code)
        except InvalidRegionCode as error:
            raise ValidationError({"code": str(error)}) from error
        if self.level and self.level != level:
            raise ValidationError(
                {
                    "level": _("The code %(code)s is a %(level)s code.")
                    % {"code": self.code, "level": RegionLevel(level).label}
                }
            )
        expected = expected_parent_code(self.code, level)
        if expected and (self.parent is None or self.parent.code != expected):
            raise ValidationError(
                {
                    "parent": _("The parent of %(code)s must be the region %(parent)s.")
                    % {"code": self.code, "parent": expected}
                }
            )


class User(AbstractUser):
    """A portal account: what it may do is its role, where it may look is its region."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.VISITOR)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid")
        ]

    def get_full_name(self) -> str:
        """Chinese order, family name first and no space (张三), as staff write names."""
        return f"{self.last_name}{self.first_name}".strip()

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES and not self.is_superuser

    def clean(self):
        super().clean()
        if self.is_superuser and self.region_id is None:
            return
        if self.region_id is None:
            raise ValidationError({"region": _("Every account needs a region.")})
        allowed = ROLE_REGION_LEVELS[Role(self.role)]
        if self.region.level not in allowed:
            raise ValidationError(
                {
                    "region": _("A %(role)s account must be attached to a %(levels)s.")
                    % {
                        "role": Role(self.role).label,
                        "levels": " / ".join(str(RegionLevel(level).label) for level in allowed),
                    }
                }
            )


class DatasetGrant(models.Model):
    """A dataset a partner department's account may read (within its region)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="dataset_grants"
    )
    dataset = models.CharField(_("dataset"), max_length=32, choices=Dataset.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dataset grant")
        verbose_name_plural = _("dataset grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "dataset"], name="dataset_grant_unique")
        ]

    def __str__(self):
        return f"{self.user} - {self.get_dataset_display()}"


class Notification(models.Model):
    """An in-portal message to one user (urgent findings, overdue work ...)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # The same texts untranslated (core.deferred), rendered in the reader's language.
    title_spec = models.JSONField(_("title (untranslated)"), null=True, blank=True)
    body_spec = models.JSONField(_("message (untranslated)"), null=True, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title

    @property
    def display_title(self) -> str:
        return render_deferred(self.title_spec, self.title)

    @property
    def display_body(self) -> str:
        return render_deferred(self.body_spec, self.body)


class AuditEntry(models.Model):
    """A state change, written by the service in the same transaction: who, when, from where
    (request id, client address), what object, the action, and the values before and after."""

    actor = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, db_index=True, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.action} {self.object_type}#{self.object_id}"
