"""Reads and reports of the subsidy money: all sums computed by the database."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Substr

from core.audit_trail import audit_trail_rows
from core.models import AuditEntry, Region
from core.regions import RegionLevel
from facilities.models import Facility
from funding.models import Allocation, AllocationStatus, Program, ProgramKind, Renovation, Source
from funding.services import sum_yuan

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
RENOVATION_TARGET = 40_000
LOTTERY_SHARE_TARGET = Decimal("0.55")


def allocation_list(*, user):
    return Allocation.objects.visible_to(user).select_related(
        "program", "region", "region__parent", "facility"
    )


def year_program_prefecture_pivot(*, user) -> dict:
    """{year: {program code: {prefecture code: amount}}} plus names, one GROUP BY."""
    rows = (
        Allocation.objects.visible_to(user)
        .annotate(prefecture=Substr("region__code", 1, 4))
        .values("year", "program__code", "prefecture")
        .annotate(total=Sum("amount"))
        .order_by("year", "program__code", "prefecture")
    )
    pivot: dict = {}
    for row in rows:
        pivot.setdefault(row["year"], {}).setdefault(row["program__code"], {})[
            row["prefecture"] + "00000000"
        ] = sum_yuan(row["total"])
    return pivot


def prefecture_names() -> dict[str, str]:
    return dict(Region.objects.filter(level=RegionLevel.PREFECTURE).values_list("code", "name"))


def yearly_totals(*, user) -> list[dict]:
    """Total per year with growth on the year before, and the welfare-lottery share."""
    rows = list(
        Allocation.objects.visible_to(user)
        .values("year")
        .annotate(
            total=Sum("amount"),
            lottery=Coalesce(Sum("amount", filter=Q(source=Source.LOTTERY)), ZERO),
        )
        .order_by("year")
    )
    previous = None
    for row in rows:
        row["total"], row["lottery"] = sum_yuan(row["total"]), sum_yuan(row["lottery"])
        row["growth"] = (row["total"] - previous) / previous if previous else None
        row["lottery_share"] = row["lottery"] / row["total"] if row["total"] else None
        row["lottery_meets_rule"] = (
            (row["lottery_share"] is not None and row["lottery_share"] >= LOTTERY_SHARE_TARGET)
            if row["year"] >= 2022
            else None
        )
        previous = row["total"]
    return rows


def disbursement_progress(*, user, year: int | None = None) -> list[dict]:
    """Per program: allocated, disbursed (disbursed or settled) and the share."""
    queryset = Allocation.objects.visible_to(user)
    if year:
        queryset = queryset.filter(year=year)
    rows = list(
        queryset.values("program__code", "program__name_zh")
        .annotate(
            allocated=Sum("amount"),
            disbursed=Coalesce(
                Sum(
                    "amount",
                    filter=Q(status__in=[AllocationStatus.DISBURSED, AllocationStatus.SETTLED]),
                ),
                ZERO,
            ),
        )
        .order_by("program__code")
    )
    for row in rows:
        row["allocated"], row["disbursed"] = sum_yuan(row["allocated"]), sum_yuan(row["disbursed"])
        row["share"] = row["disbursed"] / row["allocated"] if row["allocated"] else None
    return rows


def per_person_subsidies(*, user, program: Program) -> list[dict]:
    """补人头: residents served × the program's rate, per prefecture, from the facilities."""
    if program.kind != ProgramKind.PER_PERSON or not program.rate:
        return []
    facilities = Facility.objects.visible_to(user).filter(status="operating")
    if program.facility_kind:
        facilities = facilities.filter(kind=program.facility_kind)
    rows = list(
        facilities.annotate(prefecture=Substr("region__code", 1, 4))
        .values("prefecture")
        .annotate(facilities=Count("id"), residents=Sum("residents"))
        .order_by("prefecture")
    )
    names = prefecture_names()
    for row in rows:
        row["prefecture_name"] = names.get(row["prefecture"] + "00000000", row["prefecture"])
        row["subsidy"] = (program.rate * row["residents"]).quantize(Decimal("0.01"))
    return rows


def renovation_progress(*, user) -> dict:
    done = Renovation.objects.visible_to(user).filter(completed_on__isnull=False)
    totals = done.aggregate(households=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    by_year = list(done.values("year").annotate(households=Count("id")).order_by("year"))
    households = totals["households"]
    return {
        "households": households,
        "amount": totals["amount"],
        "target": RENOVATION_TARGET,
        "share": households / RENOVATION_TARGET,
        "by_year": by_year,
    }


def allocation_trail(*, allocation: Allocation) -> list:
    """The allocation's audit trail, readable (labels, names, amounts), newest first: its own
    entries and its adjustments', each correction an entry of its own, linked."""
    ids = [str(allocation.pk)]
    ids += [str(pk) for pk in allocation.adjustments.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        object_type=allocation._meta.label_lower, object_id__in=ids
    ).select_related("actor")
    return audit_trail_rows(entries, subject=allocation)
