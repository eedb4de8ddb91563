"""The vocabulary of the care network (design.md section 2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.regions import RegionLevel


class FacilityKind(models.TextChoices):
    COUNTY_WELFARE_CENTER = "county_welfare_center", _("County welfare centre")
    TOWNSHIP_WELFARE_CENTER = "township_welfare_center", _("Township welfare centre")
    MUTUAL_AID_STATION = "mutual_aid_station", _("Village mutual-aid station")
    ELDERLY_CARE_COURTYARD = "elderly_care_courtyard", _("Elderly-care courtyard")
    EMBEDDED_COMMUNITY_CENTER = "embedded_community_center", _("Embedded community centre")
    COMMUNITY_CANTEEN = "community_canteen", _("Community canteen")
    COMMUNITY_STATION = "community_station", _("Community station")
    DAY_CARE_CENTER = "day_care_center", _("Day-care centre")
    INSTITUTION = "institution", _("Other institution")


# Which region level a facility of each kind is attached to.
KIND_REGION_LEVELS = {
    FacilityKind.COUNTY_WELFARE_CENTER: {RegionLevel.COUNTY},
    FacilityKind.TOWNSHIP_WELFARE_CENTER: {RegionLevel.TOWNSHIP},
    FacilityKind.MUTUAL_AID_STATION: {RegionLevel.VILLAGE},
    FacilityKind.ELDERLY_CARE_COURTYARD: {RegionLevel.VILLAGE},
    FacilityKind.EMBEDDED_COMMUNITY_CENTER: {RegionLevel.TOWNSHIP},
    FacilityKind.COMMUNITY_CANTEEN: {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    FacilityKind.COMMUNITY_STATION: {RegionLevel.VILLAGE},
    FacilityKind.DAY_CARE_CENTER: {RegionLevel.VILLAGE},
    FacilityKind.INSTITUTION: {RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
}


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class OperatingModel(models.TextChoices):
    PUBLIC_OPERATED = "public_operated", _("Public-built, public-operated")
    PUBLIC_BUILT_PRIVATE_OPERATED = (
        "public_built_private_operated",
        _("Public-built, private-operated"),
    )
    PRIVATE_SUBSIDIZED = "private_subsidized", _("Private with public subsidy")
    PRIVATE_OPERATED = "private_operated", _("Private-built, private-operated")
    VILLAGE_COLLECTIVE = "village_collective", _("Run by the village collective")


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class CareFunction(models.TextChoices):
    """The nine functions of an embedded community centre."""

    LONG_TERM_CARE = "long_term_care", _("Long-term care")
    SHORT_TERM_CARE = "short_term_care", _("Short-term care")
    DAY_CARE = "day_care", _("Day care")
    CANTEEN = "canteen", _("Canteen")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    SKILLS_TRAINING = "skills_training", _("Skills training")
    ASSESSMENT = "assessment", _("Assessment")
    RECREATION = "recreation", _("Recreation")
    HOME_SERVICES = "home_services", _("Home services")


class SixHelps(models.TextChoices):
    """六助: the six helps offered to older people at home."""

    CLEANING = "cleaning", _("Cleaning help")
    MEALS = "meals", _("Meal help")
    BATHING = "bathing", _("Bathing help")
    MEDICAL = "medical", _("Medical help")
    MOBILITY = "mobility", _("Mobility help")
    EMERGENCY = "emergency", _("Emergency help")


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    RECTIFY = "rectify", _("Rectification required")
    FAILED = "failed", _("Failed")


class FacilityGrade(models.IntegerChoices):
    """Star-like rating of an institution (等级评定), shown as 一级 ... 五级."""

    ONE = 1, _("Grade one")
    TWO = 2, _("Grade two")
    THREE = 3, _("Grade three")
    FOUR = 4, _("Grade four")
    FIVE = 5, _("Grade five")
