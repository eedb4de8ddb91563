"""The vocabulary of the roll-ups: which indicators there are and how a target compares."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorCode(models.TextChoices):
    VISIT_RATE = "visit_rate", _("Monthly visit rate")
    ARCHIVE_RATE = "archive_rate", _("Archive collection rate")
    NURSING_BED_RATIO = "nursing_bed_ratio", _("Nursing-bed ratio (institutions)")
    NURSING_BED_RATIO_PUBLIC = "nursing_bed_ratio_public", _("Nursing-bed ratio (public)")
    DEMENTIA_BEDS = "dementia_beds", _("Dementia-care beds")
    DEMENTIA_BEDS_RURAL = "dementia_beds_rural", _("Dementia-care beds (rural)")
    OCCUPANCY = "occupancy", _("Occupancy")
    EMBEDDED_COVERAGE = "embedded_coverage", _("Embedded-centre coverage")
    COUNTY_FACILITY_COVERAGE = "county_facility_coverage", _("County facility coverage")
    VILLAGE_SERVICE_COVERAGE = "village_service_coverage", _("Village service coverage")
    CONCENTRATED_CARE = "concentrated_care", _("Concentrated care rate")
    RENOVATIONS = "renovations", _("Home renovations (cumulative)")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Unit(models.TextChoices):
    PERCENT = "percent", _("percent")
    COUNT = "count", _("count")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
