from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Region
from core.roles import Dataset
from core.scope import ScopedQuerySet, scope_for
from facilities.choices import FacilityKind
from facilities.models import Facility

YUAN = {"max_digits": 16, "decimal_places": 2}


class Source(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    PROVINCIAL = "provincial", _("Provincial finance")
    LOTTERY = "lottery", _("Welfare lottery fund")
    LOCAL = "local", _("Local finance")


class ProgramKind(models.TextChoices):
    CONSTRUCTION = "construction_per_m2", _("Construction, per m²")
    PER_PERSON = "operating_per_person", _("Operating subsidy, per person served")
    RENOVATION = "renovation_per_household", _("Renovation, per household")
    SERVICE_PURCHASE = "service_purchasing", _("Service purchasing")
    PILOT = "pilot_grant", _("Pilot grant")
    OTHER = "other", _("Other")


class Program(models.Model):
    """A subsidy program with its rule parameters (养老服务补助项目)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=ProgramKind.choices)
    rate = models.DecimalField(
        _("rate (yuan per m², person or household)"), null=True, blank=True, **YUAN
    )
    cap_per_project = models.DecimalField(
        _("cap per project (yuan)"), null=True, blank=True, **YUAN
    )
    facility_kind = models.CharField(
        _("facility kind funded"), max_length=40, choices=FacilityKind.choices, blank=True
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["code"]

    def __str__(self):
        return self.name_zh


class BudgetQuerySet(ScopedQuerySet):
    """A budget is the province's (program, year, source), not a region's: anyone who may read
    funding sees every budget, since everyone allocates from them."""

    dataset = Dataset.FUNDING

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.nothing or not scope.allows_dataset(self.dataset):
            return self.none()
        return self.all()


class Budget(models.Model):
    """How much a program may allocate in a year from a source."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    amount = models.DecimalField(_("amount (yuan)"), validators=[MinValueValidator(0)], **YUAN)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "source"], name="budget_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.program} {self.year} {self.get_source_display()}"


class AllocationStatus(models.TextChoices):
    PLANNED = "planned", _("In the plan")
    APPROVED = "approved", _("Approved")
    DISBURSED = "disbursed", _("Disbursed")
    SETTLED = "settled", _("Settled")


STATUS_ORDER = [s.value for s in AllocationStatus]


class AllocationQuerySet(ScopedQuerySet):
    dataset = Dataset.FUNDING


class Allocation(models.Model):
    """Money of a program and year, from a source, to a region (and optionally a facility)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="allocations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="allocations"
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    amount = models.DecimalField(_("amount (yuan)"), **YUAN)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    persons_served = models.PositiveIntegerField(_("persons served"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    adjusts = models.ForeignKey(
        "self",
        verbose_name=_("adjusts"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        help_text=_("A correction after disbursement is a new entry that adjusts the original."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AllocationStatus.choices,
        default=AllocationStatus.PLANNED,
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("disbursed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-year", "program__code", "region__code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(adjusts__isnull=False),
                name="allocation_positive_unless_adjusting",
            ),
            models.CheckConstraint(
                condition=Q(status__in=STATUS_ORDER), name="allocation_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["program", "year", "source"], name="allocation_budget_idx")]

    def __str__(self):
        return f"{self.program} {self.year} {self.region} {self.amount}"

    def get_absolute_url(self):
        return reverse("funding:detail", args=[self.pk])

    @property
    def next_status(self) -> str | None:
        index = STATUS_ORDER.index(self.status)
        return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


class RenovationQuerySet(ScopedQuerySet):
    dataset = Dataset.FUNDING


class Renovation(models.Model):
    """A household ageing-adaptation renovation (适老化改造)."""

    region = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="renovations"
    )
    elder = models.ForeignKey(
        "visits.Elder",
        verbose_name=_("older person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renovations",
    )
    household = models.CharField(_("household"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    items = models.CharField(_("items"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), default=Decimal("0"), **YUAN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = RenovationQuerySet.as_manager()

    class Meta:
        verbose_name = _("home renovation")
        verbose_name_plural = _("home renovations")
        ordering = ["-year", "region__code", "id"]

    def __str__(self):
        return f"{self.household} {self.year}"
