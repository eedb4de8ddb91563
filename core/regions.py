"""The 12-digit statistical division code (统计用区划代码) and what its structure tells.

Layout: 2 province + 2 prefecture + 2 county + 3 township + 3 village digits. A region's
descendants share its significant prefix, so a subtree is a `code__startswith` query.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 12


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village")


LEVEL_ORDER = [
    RegionLevel.PROVINCE,
    RegionLevel.PREFECTURE,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
    RegionLevel.VILLAGE,
]

# How many leading digits are significant at each level.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.PREFECTURE: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class InvalidRegionCode(ValueError):
    pass


SEGMENTS = [(0, 2), (2, 4), (4, 6), (6, 9), (9, 12)]


def level_of_code(code: str) -> RegionLevel:
    """The level a code stands for: its last non-zero part, with every part above non-zero."""
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise InvalidRegionCode(_("a region code has exactly 12 digits"))
    nonzero = [set(code[start:end]) != {"0"} for start, end in SEGMENTS]
    if not nonzero[0]:
        raise InvalidRegionCode(_("the province part of a region code cannot be zero"))
    last = max(index for index, flag in enumerate(nonzero) if flag)
    if not all(nonzero[: last + 1]):
        raise InvalidRegionCode(_("a region code cannot have a zero part above a non-zero part"))
    return LEVEL_ORDER[last]


def prefix_of(code: str, level: str) -> str:
    return code[: PREFIX_LENGTH[RegionLevel(level)]]


def parent_level(level: str) -> RegionLevel | None:
    index = LEVEL_ORDER.index(RegionLevel(level))
    return LEVEL_ORDER[index - 1] if index else None


def expected_parent_code(code: str, level: str) -> str | None:
    """The code of the parent implied by a code's structure (None for a province)."""
    parent = parent_level(level)
    if parent is None:
        return None
    prefix = prefix_of(code, parent)
    return prefix + "0" * (CODE_LENGTH - len(prefix))


def ancestor_codes(code: str, level: str, include_self: bool = False) -> list[str]:
    """Codes of a region's ancestors from the province down, read off its own code."""
    index = LEVEL_ORDER.index(RegionLevel(level)) + (1 if include_self else 0)
    return [code[: PREFIX_LENGTH[lv]].ljust(CODE_LENGTH, "0") for lv in LEVEL_ORDER[:index]]
