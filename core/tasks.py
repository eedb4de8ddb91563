from celery import shared_task

from core.models import Region
from core.selectors import level_counts


@shared_task(name="core.region_level_counts")
def region_level_counts_task(code: str) -> dict[str, int]:
    """Counts of regions per level under a region code: the smallest real roll-up."""
    region = Region.objects.get(code=code)
    return level_counts(Region.objects.subtree(region))
