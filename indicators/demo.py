"""Demo figures: a key-elder baseline per county (the archive rate's denominator, about 83% of
it collected as in seed 004), then the roll-up of the months the demo has visits for."""

from django.db.models import Count
from django.utils import timezone

from core.models import Region
from core.regions import RegionLevel
from indicators import services
from indicators.models import KeyElderBaseline
from visits.models import Elder


def generate(*, scale, rng, stdout):
    today = timezone.localdate()
    archived = dict(
        Elder.objects.key_in_month(today.year, today.month)
        .values_list("village__parent__parent__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    counties = Region.objects.filter(level=RegionLevel.COUNTY).values_list("id", "code")
    for county_id, code in counties:
        count = archived.get(code, 0)
        if not count:
            continue
        KeyElderBaseline.objects.update_or_create(
            region_id=county_id,
            year=today.year,
            defaults={"count": max(count, round(count / rng.uniform(0.75, 0.92)))},
        )
    months = services.data_months(today=today)
    rows = services.rollup_months(months=months, today=today)
    stdout.write(f"  indicators: {len(months)} months rolled up, {rows} values")
