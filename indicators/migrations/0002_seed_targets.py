"""The seeds' targets (design.md section 5; seeds 000, 002, 003, 004)."""

from decimal import Decimal

from django.db import migrations

PROVINCE = "220000000000"
# (indicator, province only?, year, value, note)
TARGETS = [
    ("visit_rate", False, 2023, "100", "8类重点人员月访率达到100%（2023年底，此后保持）"),
    ("archive_rate", False, 2023, "100", "8类重点居家老年人信息采集率11月底达到100%"),
    ("nursing_bed_ratio_public", False, 2025, "60", "公办养老机构护理型床位占比不低于60%"),
    ("dementia_beds", True, 2025, "5000", "全省失智老年人照护床位不少于5000张"),
    ("dementia_beds_rural", True, 2025, "1000", "全省农村失智老年人照护床位不少于1000张"),
    ("embedded_coverage", False, 2025, "60", "综合嵌入式中心乡镇（街道）覆盖率达到60%"),
    ("embedded_coverage", False, 2027, "70", "综合嵌入式中心乡镇（街道）覆盖率达到70%"),
    ("county_facility_coverage", False, 2023, "100", "每个县（市、区）至少一所县级养老机构"),
    ("village_service_coverage", False, 2025, "100", "有需求的行政村农村养老服务全覆盖"),
    ("concentrated_care", False, 2023, "60", "生活不能自理特困农村老年人集中供养率60%以上"),
    ("renovations", True, 2025, "40000", "特殊困难老年人家庭适老化改造不少于4万户"),
]


def seed(apps, schema_editor):
    Target = apps.get_model("indicators", "Target")
    Region = apps.get_model("core", "Region")
    province = Region.objects.filter(code=PROVINCE).first()
    for indicator, province_only, year, value, note in TARGETS:
        if province_only and province is None:
            continue
        Target.objects.update_or_create(
            indicator=indicator,
            region=province if province_only else None,
            year=year,
            defaults={"value": Decimal(value), "comparison": "at_least", "note": note},
        )


def unseed(apps, schema_editor):
    apps.get_model("indicators", "Target").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("core", "0002_load_jilin_regions"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
