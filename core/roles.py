"""Roles (what an account may do) and datasets (what a partner department may be granted)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.regions import RegionLevel


class Role(models.TextChoices):
    PROVINCIAL_ADMIN = "provincial_admin", _("Provincial administrator")
    PROVINCIAL_LEADER = "provincial_leader", _("Provincial leadership")
    PREFECTURE_OFFICER = "prefecture_officer", _("Prefecture officer")
    COUNTY_OFFICER = "county_officer", _("County officer")
    TOWNSHIP_STAFF = "township_staff", _("Township staff")
    VISITOR = "visitor", _("Visitor")
    PARTNER = "partner", _("Partner department")


# The region level(s) an account of each role is attached to.
ROLE_REGION_LEVELS = {
    Role.PROVINCIAL_ADMIN: {RegionLevel.PROVINCE},
    Role.PROVINCIAL_LEADER: {RegionLevel.PROVINCE},
    Role.PREFECTURE_OFFICER: {RegionLevel.PREFECTURE},
    Role.COUNTY_OFFICER: {RegionLevel.COUNTY},
    Role.TOWNSHIP_STAFF: {RegionLevel.TOWNSHIP},
    Role.VISITOR: {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    Role.PARTNER: {RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY},
}
READ_ONLY_ROLES = {Role.PROVINCIAL_LEADER, Role.PARTNER}


class Dataset(models.TextChoices):
    FACILITIES = "facilities", _("Facilities")
    VISITS = "visits", _("Older people and home visits")
    FUNDING = "funding", _("Funding")
    INDICATORS = "indicators", _("Indicators")


# Roles that see the whole province whatever region their account is attached to.
PROVINCE_WIDE_ROLES = {Role.PROVINCIAL_ADMIN, Role.PROVINCIAL_LEADER}
