"""What the roll-ups store: one row per indicator, region and month, with its counts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Region
from core.regions import RegionLevel
from core.roles import Dataset
from core.scope import ScopedQuerySet, scope_for
from indicators.choices import Comparison, IndicatorCode, RunStatus


class TargetQuerySet(ScopedQuerySet):
    dataset = Dataset.INDICATORS

    def visible_to(self, user):
        """Province-wide targets, and the regional ones of the reader's area or above it."""
        scope = scope_for(user)
        if scope.nothing or not scope.allows_dataset(self.dataset):
            return self.none()
        if scope.everything:
            return self.all()
        region = user.region
        from core.regions import ancestor_codes

        above = ancestor_codes(region.code, region.level, include_self=True)
        return self.filter(
            Q(region__isnull=True)
            | Q(region__code__startswith=scope.code_prefix)
            | Q(region__code__in=above)
        )


class Target(models.Model):
    """A policy target (目标): an indicator's value to reach in a year, province-wide or for one
    region. A regional target replaces the province-wide one for that region only."""

    indicator = models.CharField(_("indicator"), max_length=40, choices=IndicatorCode.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every region (province-wide)."),
    )
    year = models.PositiveSmallIntegerField(_("year"), help_text=_("The year it is due by."))
    value = models.DecimalField(
        _("target value"),
        max_digits=14,
        decimal_places=2,
        help_text=_("Percent for rates (100 = 100%), a number for counts."),
    )
    comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year"],
                name="target_unique_per_region_year",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(comparison__in=Comparison.values), name="target_comparison_valid"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_value_not_negative"),
        ]

    def __str__(self):
        where = self.region.name if self.region_id else _("province-wide")
        return f"{self.get_indicator_display()} {self.year} {where}"

    def clean(self):
        from indicators.definitions import INDICATORS

        if self.indicator not in IndicatorCode.values:
            return  # the field's own error says so; nothing more to check without it
        definition = INDICATORS[IndicatorCode(self.indicator)]
        if self.region_id is None and not definition.divisible:
            raise ValidationError(
                {
                    "region": _(
                        "A count target cannot apply to every region: name the region "
                        "(the province for a province-wide count)."
                    )
                }
            )
        if self.value is not None and definition.unit == "percent" and self.value > 100:
            raise ValidationError({"value": _("A rate target is at most 100 (percent).")})

    def is_met(self, value) -> bool | None:
        if value is None:
            return None
        if self.comparison == Comparison.AT_MOST:
            return value <= self.value
        return value >= self.value


class KeyElderBaseline(models.Model):
    """The baseline count of key elders of a county (the archive collection rate's denominator)."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("key elders (baseline)"))

    class Meta:
        verbose_name = _("key-elder baseline")
        verbose_name_plural = _("key-elder baselines")
        ordering = ["region__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="baseline_unique_region_year")
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.count}"

    def clean(self):
        if self.region_id and self.region.level != RegionLevel.COUNTY:
            raise ValidationError({"region": _("Baselines are recorded per county.")})


class IndicatorValueQuerySet(ScopedQuerySet):
    dataset = Dataset.INDICATORS


class IndicatorValue(models.Model):
    """One indicator for one region and month: the counts, the value and the target then."""

    indicator = models.CharField(_("indicator"), max_length=40, choices=IndicatorCode.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    numerator = models.BigIntegerField(_("numerator"))
    denominator = models.BigIntegerField(_("denominator"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    target = models.ForeignKey(
        Target,
        verbose_name=_("target"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target_value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_comparison = models.CharField(
        _("comparison"), max_length=8, choices=Comparison.choices, blank=True
    )
    met = models.BooleanField(_("target met"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["month", "indicator", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "month"], name="indicator_value_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "indicator"], name="indicator_month_idx"),
            models.Index(fields=["region", "indicator", "month"], name="indicator_region_idx"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.region_id} {self.month:%Y-%m}"


class RollupRun(models.Model):
    """One recompute of one month: queued, running (with progress), done or failed."""

    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveSmallIntegerField(_("steps"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    message = models.TextField(_("message"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up run")
        verbose_name_plural = _("roll-up runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.status}"

    @property
    def progress_percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, round(100 * self.steps_done / self.steps_total))
