"""Load Jilin province, its 9 prefecture-level and 60 county-level divisions (core/data)."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "jilin_regions.csv"


def load_regions(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {}
    # Parents come first: province, then prefectures, then counties.
    order = {"province": 0, "prefecture": 1, "county": 2}
    for row in sorted(rows, key=lambda row: (order[row["level"]], row["code"])):
        region, _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent": by_code.get(row["parent_code"]),
                "is_border": row["is_border"] == "1",
                "is_urban": row["is_urban"] == "1",
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
            },
        )
        by_code[region.code] = region


def unload_regions(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    for level in ("village", "township", "county", "prefecture", "province"):
        Region.objects.filter(code__startswith="22", level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load_regions, unload_regions)]
