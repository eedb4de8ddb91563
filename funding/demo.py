"""Programs, budgets and allocations that reproduce the seeds' published figures.

- 2022 provincial total 170M yuan; 2023 210M (+40M, +23.5%);
- 2022 embedded community centres: 56 projects, 49.78M yuan at 1,000 yuan/m² (cap 1M);
- seed 001's 2023 border plan: embedded centres 9.23M, canteens 2.0M, courtyards 2.39M;
- welfare-lottery share above 55% both years; 15,632 home renovations done.
All of it goes through the funding services (rules, budgets, audit trail).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from core.models import Region, User
from core.regions import RegionLevel
from facilities.models import Facility
from funding.models import Budget, Program, ProgramKind, Renovation, Source
from funding.services import allocation_advance, allocation_create

PROGRAMS = [
    (
        "EMB",
        "综合嵌入式社区居家养老服务中心建设",
        "Embedded community centre construction",
        ProgramKind.CONSTRUCTION,
        "1000",
        "1000000",
        "embedded_community_center",
    ),
    ("CANTEEN", "老年食堂建设", "Elder canteens", ProgramKind.PILOT, None, None, ""),
    (
        "COURTYARD",
        "农村养老大院提升",
        "Rural elderly-care courtyards",
        ProgramKind.PILOT,
        None,
        None,
        "",
    ),
    (
        "OPS",
        "养老机构运营补贴（补人头）",
        "Operating subsidy per resident",
        ProgramKind.PER_PERSON,
        "1000",
        None,
        "",
    ),
    (
        "VISIT",
        "居家老年人巡访关爱服务购买",
        "Home-visit service purchasing",
        ProgramKind.SERVICE_PURCHASE,
        None,
        None,
        "",
    ),
    (
        "RENO",
        "特殊困难老年人家庭适老化改造",
        "Home ageing-adaptation renovation",
        ProgramKind.RENOVATION,
        "3000",
        None,
        "",
    ),
    (
        "OTHER",
        "其他养老服务补助",
        "Other elderly-care subsidies",
        ProgramKind.OTHER,
        None,
        None,
        "",
    ),
]
RENOVATIONS_DONE = 15_632


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """Exact shares to the cent that add up to the total."""
    share = (total / parts).quantize(Decimal("0.01"))
    shares = [share] * (parts - 1)
    return [*shares, total - sum(shares)]


def _embedded(admin, year, source, count_and_areas, regions, facilities, purpose):
    created = []
    for index, (area, amount) in enumerate(count_and_areas):
        facility = facilities[index % len(facilities)] if facilities else None
        region = facility.region if facility else regions[index % len(regions)]
        created.append(
            allocation_create(
                user=admin,
                program=Program.objects.get(code="EMB"),
                year=year,
                source=source,
                region=region,
                facility=facility,
                amount=amount,
                floor_area=Decimal(area),
                document_number=f"吉民发〔{year}〕{10 + index}号",
                purpose=purpose,
                on=_planned_on(year),
            )
        )
    return created


def _planned_on(year: int) -> datetime.date:
    """Past years' plans are made in January (the year's steps follow from March)."""
    return datetime.date(year, 1, 10)


# This year's budgets (program, source, budget, share approved so far, share still planned):
# money left in every one, so each role has its daily task (county officers plan, the province
# approves and disburses, counties settle).
CURRENT_YEAR = [
    ("CANTEEN", Source.LOTTERY, Decimal("5000000"), Decimal("0.2"), Decimal("0.1")),
    ("COURTYARD", Source.LOTTERY, Decimal("6000000"), Decimal("0.3"), Decimal("0.1")),
    ("EMB", Source.LOTTERY, Decimal("50000000"), Decimal("0"), Decimal("0")),
    ("OPS", Source.PROVINCIAL, Decimal("60000000"), Decimal("0.2"), Decimal("0.1")),
    ("OTHER", Source.CENTRAL, Decimal("30000000"), Decimal("0"), Decimal("0.1")),
    ("RENO", Source.CENTRAL, Decimal("30000000"), Decimal("0"), Decimal("0")),
    ("VISIT", Source.LOTTERY, Decimal("70000000"), Decimal("0.4"), Decimal("0.1")),
]


def _current_year(admin, rng, counties) -> int:
    """Budgets of the year the demo runs in, partly allocated; dates from 1 January to today."""
    today = timezone.localdate()
    start = datetime.date(today.year, 1, 1)
    span = (today - start).days

    def day(fraction: float) -> datetime.date:
        return start + datetime.timedelta(days=int(span * fraction))

    created = 0
    for code, source, budget, approved_share, planned_share in CURRENT_YEAR:
        program = Program.objects.get(code=code)
        Budget.objects.get_or_create(
            program=program, year=today.year, source=source, defaults={"amount": budget}
        )
        for share, steps in ((approved_share, (1, 2)), (planned_share, (0,))):
            if not share:
                continue
            for index, (region, amount) in enumerate(
                zip(counties, _split(budget * share, len(counties)), strict=True)
            ):
                extra = {}
                if program.kind == ProgramKind.PER_PERSON:
                    extra["persons_served"] = int(amount / program.rate) + 1
                allocation = allocation_create(
                    user=admin,
                    program=program,
                    year=today.year,
                    source=source,
                    region=region,
                    amount=amount,
                    document_number=f"吉民发〔{today.year}〕{200 + index}号",
                    purpose=f"{today.year}年{program.name_zh}",
                    on=day(0.1) if steps != (0,) else day(0.8),
                    **extra,
                )
                created += 1
                for step in range(rng.choice(steps)):
                    allocation = allocation_advance(
                        user=admin, allocation=allocation, on=day(0.3 + 0.3 * step)
                    )
    return created


def generate(*, scale: float, rng, stdout) -> None:
    if Program.objects.exists():
        stdout.write("  funding: already present, left as it is")
        return
    admin = User.objects.get(username="admin")
    for code, zh, en, kind, rate, cap, facility_kind in PROGRAMS:
        Program.objects.create(
            code=code,
            name_zh=zh,
            name_en=en,
            kind=kind,
            rate=Decimal(rate) if rate else None,
            cap_per_project=Decimal(cap) if cap else None,
            facility_kind=facility_kind,
        )
    plan = {
        # (program, year, source): amount
        ("EMB", 2022, Source.LOTTERY): Decimal("49780000"),
        ("OPS", 2022, Source.PROVINCIAL): Decimal("50000000"),
        ("VISIT", 2022, Source.LOTTERY): Decimal("45220000"),
        ("OTHER", 2022, Source.CENTRAL): Decimal("25000000"),
        ("EMB", 2023, Source.LOTTERY): Decimal("49230000"),
        ("CANTEEN", 2023, Source.LOTTERY): Decimal("2000000"),
        ("COURTYARD", 2023, Source.LOTTERY): Decimal("2390000"),
        ("OPS", 2023, Source.PROVINCIAL): Decimal("60000000"),
        ("VISIT", 2023, Source.LOTTERY): Decimal("65000000"),
        ("RENO", 2023, Source.CENTRAL): Decimal("31380000"),
    }
    for (code, year, source), amount in plan.items():
        Budget.objects.create(
            program=Program.objects.get(code=code), year=year, source=source, amount=amount
        )
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    border = [c for c in counties if c.is_border]
    townships = list(Region.objects.filter(level=RegionLevel.TOWNSHIP, is_urban=True))
    embedded = list(
        Facility.objects.filter(kind="embedded_community_center").select_related("region")
    )
    border_embedded = [f for f in embedded if f.region.code[:6] in {c.code[:6] for c in border}]
    other_embedded = [f for f in embedded if f not in border_embedded]
    allocations = []
    # 2022 embedded centres: 54 projects of 900 m² and 2 of 590 m², 1,000 yuan/m² = 49.78M.
    projects = [(900, Decimal("900000"))] * 54 + [(590, Decimal("590000"))] * 2
    allocations += _embedded(
        admin,
        2022,
        Source.LOTTERY,
        projects,
        townships or counties,
        other_embedded or embedded,
        "2022年综合嵌入式社区养老服务中心建设",
    )
    # 2023 border plan (seed 001): 9 centres at the 1M cap and one of 230 m² = 9.23M.
    projects = [(1200, Decimal("1000000"))] * 9 + [(230, Decimal("230000"))]
    allocations += _embedded(
        admin,
        2023,
        Source.LOTTERY,
        projects,
        border,
        border_embedded,
        "2023年边境地区综合嵌入式社区养老服务中心",
    )
    # 2023 other embedded centres: 40 at the cap.
    allocations += _embedded(
        admin,
        2023,
        Source.LOTTERY,
        [(1000, Decimal("1000000"))] * 40,
        townships or counties,
        other_embedded or embedded,
        "2023年综合嵌入式社区养老服务中心建设",
    )
    per_county = [
        ("OPS", 2022, Source.PROVINCIAL, counties),
        ("VISIT", 2022, Source.LOTTERY, counties),
        ("OTHER", 2022, Source.CENTRAL, counties),
        ("CANTEEN", 2023, Source.LOTTERY, border),
        ("COURTYARD", 2023, Source.LOTTERY, border),
        ("OPS", 2023, Source.PROVINCIAL, counties),
        ("VISIT", 2023, Source.LOTTERY, counties),
        ("RENO", 2023, Source.CENTRAL, counties),
    ]
    rate_of = dict(Program.objects.values_list("code", "rate"))
    for code, year, source, regions in per_county:
        program = Program.objects.get(code=code)
        for index, (region, amount) in enumerate(
            zip(regions, _split(plan[(code, year, source)], len(regions)), strict=True)
        ):
            extra = {}
            if program.kind == ProgramKind.PER_PERSON:
                extra["persons_served"] = int(amount / rate_of[code]) + 1
            allocations.append(
                allocation_create(
                    user=admin,
                    program=program,
                    year=year,
                    source=source,
                    region=region,
                    amount=amount,
                    document_number=f"吉民发〔{year}〕{100 + index}号",
                    purpose=f"{year}年{program.name_zh}",
                    on=_planned_on(year),
                    **extra,
                )
            )
    # Workflow: 2022 settled; 2023 all approved (the published 210M), mostly disbursed, some
    # settled; each step dated after the one before.
    for allocation in allocations:
        steps = 3 if allocation.year == 2022 else rng.choices([1, 2, 3], [0.15, 0.6, 0.25])[0]
        for step in range(steps):
            allocation = allocation_advance(
                user=admin,
                allocation=allocation,
                on=datetime.date(allocation.year, 3 + 3 * step, 15),
            )
    current = _current_year(admin, rng, counties)
    villages = list(Region.objects.filter(level=RegionLevel.VILLAGE).values_list("id", flat=True))
    Renovation.objects.bulk_create(
        [
            Renovation(
                region_id=villages[n % len(villages)],
                household=f"困难家庭{n + 1}",
                year=2021 + n % 3,
                items=rng.choice(["卫生间扶手、防滑地面", "坡道、扶手", "紧急呼叫器"]),
                amount=Decimal("3000"),
                completed_on=datetime.date(2021 + n % 3, 10, 1),
            )
            for n in range(RENOVATIONS_DONE)
        ],
        batch_size=5000,
    )
    stdout.write(
        f"  funding: {len(PROGRAMS)} programs, {len(allocations)} allocations "
        f"(2022 170M, 2023 210M yuan), {current} allocations this year "
        f"(budgets with room left), {RENOVATIONS_DONE} renovations"
    )
