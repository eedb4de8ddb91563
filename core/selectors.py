"""Reads of the core: region hierarchy within the reader's scope."""

from django.db.models import Count
from django.db.models.functions import Substr
from django.http import Http404

from core.models import Region
from core.regions import LEVEL_ORDER, PREFIX_LENGTH, RegionLevel

IMPORTED_LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)


def region_get_visible(*, user, code: str) -> Region:
    try:
        return Region.objects.visible_to(user).select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None


def region_root_for(*, user) -> Region | None:
    """The top of what the user may see: their own region, or the province."""
    if user.region_id and not Region.objects.visible_to(user).filter(level="province").exists():
        return user.region
    return Region.objects.visible_to(user).filter(level=RegionLevel.PROVINCE).first() or user.region


def region_choices(*, user, levels) -> list[tuple[str, str, str]]:
    """(code, name, level) of the regions a list may be narrowed to, within the user's scope."""
    return list(
        Region.objects.visible_to(user)
        .filter(level__in=levels)
        .order_by("code")
        .values_list("code", "name", "level")
    )


def region_level_counts(*, user, region: Region | None = None) -> dict[str, int]:
    """How many regions of each level the user sees (under `region` if given): one query."""
    queryset = Region.objects.visible_to(user)
    if region is not None:
        queryset = queryset.subtree(region)
    return level_counts(queryset)


def level_counts(queryset) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list("level").annotate(n=Count("id")))
    return {level: counts.get(level, 0) for level in LEVEL_ORDER}


def region_children_with_counts(*, user, region: Region) -> list[Region]:
    """The visible children of a region, each with counts of townships and villages below it.

    Two queries whatever the number of children: the children, then one GROUP BY on the code
    prefix of the child level.
    """
    children = list(Region.objects.visible_to(user).children_of(region))
    if not children:
        return children
    child_level = RegionLevel(children[0].level)
    child_length = PREFIX_LENGTH[child_level]
    below = LEVEL_ORDER[LEVEL_ORDER.index(child_level) + 1 :]
    rows = (
        Region.objects.visible_to(user)
        .subtree(region)
        .filter(level__in=[level for level in below if level in IMPORTED_LEVELS])
        .annotate(child_prefix=Substr("code", 1, child_length))
        .order_by()
        .values_list("child_prefix", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, str], int] = {(prefix, level): n for prefix, level, n in rows}
    for child in children:
        # None where the level is not below the child (a township has no townships under it).
        for level, attribute in (
            (RegionLevel.TOWNSHIP, "township_count"),
            (RegionLevel.VILLAGE, "village_count"),
        ):
            value = counts.get((child.code_prefix, level), 0) if level in below else None
            setattr(child, attribute, value)
    return children


def region_ancestors(*, user, region: Region) -> list[Region]:
    """The ancestors the user may see, from the top down, by their codes (one query)."""
    index = LEVEL_ORDER.index(RegionLevel(region.level))
    codes = [region.code[: PREFIX_LENGTH[level]].ljust(12, "0") for level in LEVEL_ORDER[:index]]
    return list(Region.objects.visible_to(user).filter(code__in=codes).order_by("code"))
