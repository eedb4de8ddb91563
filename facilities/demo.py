"""A realistic care network in every demo county, proportioned like the seeds.

Seeds: 1,549-1,558 institutions, 27% public; 144.8k beds of which 58% nursing-type; 71k
residents (occupancy about 49%); 4,671 courtyards, 135 mutual-aid stations, 2,009 community
stations, 2,005 day-care centres, 136 canteens; an embedded centre in some streets.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.models import Region
from core.regions import RegionLevel
from facilities.choices import (
    CareFunction,
    FacilityKind,
    FacilityStatus,
    InspectionResult,
    OperatingModel,
    Ownership,
    SixHelps,
)
from facilities.models import Facility, Inspection, Inspector
from facilities.services import (
    JILIN_LATITUDE,
    JILIN_LONGITUDE,
    facilities_bulk_create,
    inspection_draw,
)

PUBLIC_SHARE = Decimal("0.27")
TOWNSHIP_CENTER_SHARE = 0.39  # (420 public institutions - 60 county centres) / ~934 townships
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ["建国", "秀英", "玉兰", "志强", "淑珍", "海燕", "国华", "春梅", "立新", "凤琴"]
PRIVATE_NAMES = ["康乐", "福寿", "夕阳红", "颐和", "安康", "松鹤", "长青", "温馨", "仁爱", "金秋"]


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"


def _beds(rng, low, high):
    total = rng.randint(low, high)
    nursing = round(total * rng.uniform(0.42, 0.74))
    dementia = min(total - nursing, rng.randint(5, 30)) if rng.random() < 0.2 else 0
    residents = round(total * rng.uniform(0.3, 0.68))
    return {
        "total_beds": total,
        "nursing_beds": nursing,
        "dementia_beds": dementia,
        "residents": residents,
    }


def _place(rng, region):
    """Near the region's point, and inside Jilin's bounding box (the facility rule)."""
    lon = float(region.longitude or 126) + rng.uniform(-0.02, 0.02)
    lat = float(region.latitude or 43.5) + rng.uniform(-0.02, 0.02)
    lon = min(max(lon, float(JILIN_LONGITUDE[0]) + 0.01), float(JILIN_LONGITUDE[1]) - 0.01)
    lat = min(max(lat, float(JILIN_LATITUDE[0]) + 0.01), float(JILIN_LATITUDE[1]) - 0.01)
    return {"longitude": Decimal(f"{lon:.6f}"), "latitude": Decimal(f"{lat:.6f}")}


def _facility(rng, *, kind, region, ownership, model, name, beds=None, **extra):
    opened = datetime.date(rng.randint(2012, 2022), rng.randint(1, 12), 1)
    capacity = beds or {"total_beds": 0, "nursing_beds": 0, "dementia_beds": 0, "residents": 0}
    graded = rng.random() < 0.4 and capacity["total_beds"] > 0
    return Facility(
        name=name,
        kind=kind,
        region=region,
        ownership=ownership,
        operating_model=model,
        status=FacilityStatus.OPERATING,
        status_since=opened,
        grade=rng.randint(1, 5) if graded else None,
        graded_on=datetime.date(2022, rng.randint(1, 12), 15) if graded else None,
        staff_count=max(1, capacity["total_beds"] // 6),
        caregiver_count=max(1, capacity["total_beds"] // 10),
        manager=_person(rng),
        manager_phone=_phone(rng),
        address=f"{region.parent.name if region.parent else ''}{region.name}",
        has_bathing_equipment=rng.random() < 0.5,
        helps_offered=rng.sample(SixHelps.values, rng.randint(1, 4)),
        **capacity,
        **_place(rng, region),
        **extra,
    )


def _history(rng, facility: Facility) -> list[dict]:
    """An earlier, smaller capacity before a 2023 expansion, for half the facilities with beds."""
    if not facility.total_beds or rng.random() < 0.5:
        return []
    earlier_total = max(1, round(facility.total_beds * 0.8))
    return [
        {
            "effective_date": facility.status_since,
            "status": FacilityStatus.OPERATING,
            "total_beds": earlier_total,
            "nursing_beds": min(earlier_total, round(facility.nursing_beds * 0.6)),
            "dementia_beds": min(earlier_total, facility.dementia_beds),
            "residents": min(earlier_total, round(facility.residents * 0.8)),
        }
    ]


def _network(rng, counties, townships_by_county, villages_by_township) -> list[Facility]:
    facilities: list[Facility] = []
    public_institutions = 0
    for county in counties:
        facilities.append(
            _facility(
                rng,
                kind=FacilityKind.COUNTY_WELFARE_CENTER,
                region=county,
                ownership=Ownership.PUBLIC,
                model=OperatingModel.PUBLIC_OPERATED,
                name=f"{county.name}社会福利中心",
                beds=_beds(rng, 80, 260),
                medical_partner=f"{county.name}人民医院",
                medical_partnership_signed_on=datetime.date(2021, 6, 1),
            )
        )
        public_institutions += 1
        for township in townships_by_county.get(county.id, []):
            if township.is_urban:
                area = Decimal(rng.randint(450, 1500))
                facilities.append(
                    _facility(
                        rng,
                        kind=FacilityKind.EMBEDDED_COMMUNITY_CENTER,
                        region=township,
                        ownership=Ownership.PUBLIC,
                        model=OperatingModel.PUBLIC_BUILT_PRIVATE_OPERATED,
                        name=f"{township.name}综合嵌入式社区居家养老服务中心",
                        beds=_beds(rng, 10, 40),
                        floor_area=area,
                        in_existing_public_building=rng.random() < 0.9,
                        has_dining_room=rng.random() < 0.85,
                        care_functions=rng.sample(CareFunction.values, rng.randint(5, 9)),
                    )
                )
            elif rng.random() < TOWNSHIP_CENTER_SHARE:
                facilities.append(
                    _facility(
                        rng,
                        kind=FacilityKind.TOWNSHIP_WELFARE_CENTER,
                        region=township,
                        ownership=Ownership.PUBLIC,
                        model=rng.choice(
                            [
                                OperatingModel.PUBLIC_OPERATED,
                                OperatingModel.PUBLIC_BUILT_PRIVATE_OPERATED,
                            ]
                        ),
                        name=f"{township.name}敬老院",
                        beds=_beds(rng, 30, 120),
                    )
                )
                public_institutions += 1
            for village in villages_by_township.get(township.id, []):
                if village.is_urban:
                    kind = rng.choice(
                        [FacilityKind.COMMUNITY_STATION, FacilityKind.DAY_CARE_CENTER]
                    )
                    label = (
                        "社区养老服务站"
                        if kind == FacilityKind.COMMUNITY_STATION
                        else "日间照料中心"
                    )
                    facilities.append(
                        _facility(
                            rng,
                            kind=kind,
                            region=village,
                            ownership=Ownership.PUBLIC,
                            model=OperatingModel.PUBLIC_BUILT_PRIVATE_OPERATED,
                            name=f"{village.name}{label}",
                        )
                    )
                    continue
                if rng.random() < 0.5:
                    facilities.append(
                        _facility(
                            rng,
                            kind=FacilityKind.ELDERLY_CARE_COURTYARD,
                            region=village,
                            ownership=Ownership.PUBLIC,
                            model=OperatingModel.VILLAGE_COLLECTIVE,
                            name=f"{village.name}农村养老大院",
                        )
                    )
                elif rng.random() < 0.1:
                    facilities.append(
                        _facility(
                            rng,
                            kind=FacilityKind.MUTUAL_AID_STATION,
                            region=village,
                            ownership=Ownership.PUBLIC,
                            model=OperatingModel.VILLAGE_COLLECTIVE,
                            name=f"{village.name}互助养老站",
                            beds=_beds(rng, 4, 12),
                            monthly_fee=Decimal(rng.choice([300, 350, 400])),
                        )
                    )
                elif rng.random() < 0.1:
                    facilities.append(
                        _facility(
                            rng,
                            kind=FacilityKind.COMMUNITY_CANTEEN,
                            region=village,
                            ownership=Ownership.PUBLIC,
                            model=OperatingModel.PUBLIC_BUILT_PRIVATE_OPERATED,
                            name=f"{village.name}农村老年食堂",
                        )
                    )
    # Private institutions: 73% of all institutions, spread over the counties' townships.
    private_count = round(public_institutions * (1 - PUBLIC_SHARE) / PUBLIC_SHARE)
    all_townships = [t for county in counties for t in townships_by_county.get(county.id, [])]
    for n in range(private_count):
        region = (
            rng.choice(all_townships)
            if all_townships and rng.random() < 0.7
            else rng.choice(counties)
        )
        facilities.append(
            _facility(
                rng,
                kind=FacilityKind.INSTITUTION,
                region=region,
                ownership=Ownership.PRIVATE,
                model=rng.choice(
                    [OperatingModel.PRIVATE_OPERATED, OperatingModel.PRIVATE_SUBSIDIZED]
                ),
                name=f"{region.name}{rng.choice(PRIVATE_NAMES)}养老院{n + 1}号",
                beds=_beds(rng, 20, 160),
                monthly_fee=Decimal(rng.randrange(1500, 4500, 100)),
            )
        )
    return facilities


def _draw(rng, county, *, planned, today, pending=0.0) -> int:
    """One published draw in a county; results dated between the plan and today."""
    result = inspection_draw(
        user=None, region=county, seed=rng.randint(1, 10**6), count=3, planned_date=planned
    )
    done = []
    for inspection in result.inspections:
        if rng.random() < pending:
            continue
        span = max(0, min((today - planned).days, 15))
        inspected = planned + datetime.timedelta(days=rng.randint(0, span))
        outcome = rng.choice(
            [InspectionResult.PASSED, InspectionResult.PASSED, InspectionResult.RECTIFY]
        )
        inspection.inspected_on = inspected
        inspection.result = outcome
        inspection.is_published = True
        if outcome == InspectionResult.RECTIFY:
            inspection.findings = rng.choice(
                ["消防通道堆放杂物", "护理员持证比例不足", "食品留样记录不全"]
            )
            inspection.rectification_deadline = inspected + datetime.timedelta(days=45)
            fixed = inspected + datetime.timedelta(days=rng.randint(10, 40))
            if rng.random() < 0.5 and fixed <= today:
                inspection.rectified_on = fixed
        done.append(inspection)
    Inspection.objects.bulk_update(
        done,
        [
            "inspected_on",
            "result",
            "findings",
            "rectification_deadline",
            "rectified_on",
            "is_published",
        ],
    )
    return len(result.inspections)


def _inspections(rng, counties) -> int:
    """A pool of three inspectors per county and one past draw in a few counties."""
    Inspector.objects.bulk_create(
        [
            Inspector(
                name=_person(rng),
                region=county,
                organisation=f"{county.name}民政局",
                phone=_phone(rng),
            )
            for county in counties
            for _ in range(3)
        ]
    )
    drawn = 0
    today = timezone.localdate()
    for county in rng.sample(counties, min(6, len(counties))):
        drawn += _draw(rng, county, planned=datetime.date(2023, 5, 10), today=today)
    # This year's round: drawn about six weeks ago, most inspected since, a few still to do.
    for county in rng.sample(counties, min(8, len(counties))):
        planned = max(today.replace(month=1, day=1), today - datetime.timedelta(days=42))
        drawn += _draw(rng, county, planned=planned, today=today, pending=0.3)
    return drawn


def generate(*, scale: float, rng, stdout) -> None:
    if Facility.objects.exists():
        stdout.write("  facilities: already present, left as they are")
        return
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent"))
    townships_by_county: dict[int, list[Region]] = {}
    villages_by_township: dict[int, list[Region]] = {}
    for region in (
        Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
        .select_related("parent")
        .order_by("code")
    ):
        bucket = (
            townships_by_county if region.level == RegionLevel.TOWNSHIP else villages_by_township
        )
        bucket.setdefault(region.parent_id, []).append(region)
    facilities = _network(rng, counties, townships_by_county, villages_by_township)
    history = {position: _history(rng, f) for position, f in enumerate(facilities)}
    facilities_bulk_create(facilities=facilities, history=history)
    inspections = _inspections(rng, counties)
    stdout.write(f"  facilities: {len(facilities)} created; {inspections} inspections drawn")
