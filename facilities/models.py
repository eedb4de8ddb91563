from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Region
from core.roles import Dataset
from core.scope import ScopedQuerySet
from facilities.choices import (
    FacilityGrade,
    FacilityKind,
    FacilityStatus,
    InspectionResult,
    OperatingModel,
    Ownership,
)

EMBEDDED_CENTER_MIN_AREA = 500  # m2, one of the "six musts"


class FacilityQuerySet(ScopedQuerySet):
    dataset = Dataset.FACILITIES

    def with_region(self):
        return self.select_related("region", "region__parent")


class Facility(models.Model):
    """A care facility of the county / township / village network (养老服务设施)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=FacilityKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="facilities"
    )
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices)
    operating_model = models.CharField(
        _("operating model"), max_length=40, choices=OperatingModel.choices
    )
    status = models.CharField(
        _("status"), max_length=24, choices=FacilityStatus.choices, default=FacilityStatus.PLANNED
    )
    status_since = models.DateField(_("status since"))
    grade = models.PositiveSmallIntegerField(
        _("grade"),
        null=True,
        blank=True,
        choices=FacilityGrade.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Rating 1-5 (等级评定)"),
    )
    graded_on = models.DateField(_("date rated"), null=True, blank=True)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    total_beds = models.PositiveIntegerField(_("total beds"), default=0)
    nursing_beds = models.PositiveIntegerField(_("nursing-type beds"), default=0)
    dementia_beds = models.PositiveIntegerField(_("dementia-care beds"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    caregiver_count = models.PositiveIntegerField(_("caregivers"), default=0)
    care_functions = models.JSONField(_("functions offered"), default=list, blank=True)
    helps_offered = models.JSONField(_("helps offered"), default=list, blank=True)
    has_bathing_equipment = models.BooleanField(_("bathing equipment"), default=False)
    medical_partner = models.CharField(
        _("medical-care partner institution"), max_length=200, blank=True
    )
    medical_partnership_signed_on = models.DateField(
        _("medical-care partnership signed on"), null=True, blank=True
    )
    in_existing_public_building = models.BooleanField(
        _("in an existing public-owned building"), default=False
    )
    has_dining_room = models.BooleanField(_("elder dining room"), default=False)
    monthly_fee = models.DecimalField(
        _("monthly fee (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    manager = models.CharField(_("manager"), max_length=100, blank=True)
    manager_phone = models.CharField(_("manager phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["region__code", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nursing_beds__lte=F("total_beds")),
                name="facility_nursing_beds_within_total",
            ),
            models.CheckConstraint(
                condition=Q(dementia_beds__lte=F("total_beds")),
                name="facility_dementia_beds_within_total",
            ),
            models.CheckConstraint(
                condition=Q(residents__lte=F("total_beds")) | Q(total_beds=0),
                name="facility_residents_within_beds",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=5),
                name="facility_grade_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=FacilityKind.values), name="facility_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="facility_kind_status_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("facilities:detail", args=[self.pk])

    def six_musts(self) -> list[tuple[str, bool]]:
        """The six conditions an embedded community centre must meet, each with whether it does."""
        return [
            (_("Existing public-owned building"), self.in_existing_public_building),
            (
                _("Floor area above 500 m²"),
                bool(self.floor_area and self.floor_area > EMBEDDED_CENTER_MIN_AREA),
            ),
            (_("Elder dining room"), self.has_dining_room),
            (_("Care beds"), self.total_beds > 0),
            (
                _("Public-built, private-operated"),
                self.operating_model == OperatingModel.PUBLIC_BUILT_PRIVATE_OPERATED,
            ),
            (_("In use"), self.status == FacilityStatus.OPERATING),
        ]

    @property
    def is_embedded_center(self) -> bool:
        return self.kind == FacilityKind.EMBEDDED_COMMUNITY_CENTER

    @property
    def nursing_bed_ratio(self):
        return self.nursing_beds / self.total_beds if self.total_beds else None


class CapacityRecordQuerySet(ScopedQuerySet):
    region_lookup = "facility__region"
    dataset = Dataset.FACILITIES


class CapacityRecord(models.Model):
    """Beds, residents and status of a facility from an effective date on (容量历史).

    A new record is written whenever one of them changes, so any past month's figures can be
    computed: the latest record on or before that date is what held then.
    """

    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        related_name="capacity_records",
    )
    effective_date = models.DateField(_("effective date"))
    status = models.CharField(_("status"), max_length=24, choices=FacilityStatus.choices)
    total_beds = models.PositiveIntegerField(_("total beds"))
    nursing_beds = models.PositiveIntegerField(_("nursing-type beds"))
    dementia_beds = models.PositiveIntegerField(_("dementia-care beds"))
    residents = models.PositiveIntegerField(_("residents"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = CapacityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("capacity record")
        verbose_name_plural = _("capacity history")
        ordering = ["facility", "-effective_date", "-id"]
        indexes = [
            models.Index(
                fields=["facility", "effective_date", "id"], name="capacity_facility_date_idx"
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.effective_date:%Y-%m-%d}"


class InspectorQuerySet(ScopedQuerySet):
    dataset = Dataset.FACILITIES


class Inspector(models.Model):
    """A member of a region's pool of inspectors for random inspections."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="inspectors"
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = InspectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        ordering = ["region__code", "name", "id"]

    def __str__(self):
        return self.name


class InspectionDraw(models.Model):
    """One draw of 双随机一公开: which facilities, which inspectors, from which seed."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    seed = models.BigIntegerField(_("random seed"))
    percentage = models.DecimalField(
        _("percentage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=FacilityKind.choices, blank=True)
    planned_date = models.DateField(_("planned date"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection draw")
        verbose_name_plural = _("inspection draws")
        ordering = ["-drawn_at"]

    def __str__(self):
        return f"{self.region} {self.planned_date:%Y-%m-%d} #{self.seed}"

    def get_absolute_url(self):
        return f"{reverse('facilities:inspections')}?draw={self.pk}"


class InspectionQuerySet(ScopedQuerySet):
    region_lookup = "facility__region"
    dataset = Dataset.FACILITIES

    def overdue(self, today):
        return self.filter(
            result=InspectionResult.RECTIFY,
            rectified_on__isnull=True,
            rectification_deadline__lt=today,
        )


class Inspection(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspector = models.ForeignKey(
        Inspector, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    draw = models.ForeignKey(
        InspectionDraw,
        verbose_name=_("draw"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
    )
    planned_date = models.DateField(_("planned date"))
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    findings = models.TextField(_("findings"), blank=True)
    rectification_deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(result=InspectionResult.RECTIFY)
                | Q(rectification_deadline__isnull=False),
                name="inspection_rectify_needs_deadline",
            )
        ]

    def __str__(self):
        return f"{self.facility} {self.planned_date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("facilities:detail", args=[self.facility_id])
