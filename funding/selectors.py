"""Reads and reports of the subsidy money: all sums computed by the database.

What the reports count: money approved by the department's party group, disbursed or settled
(`COUNTED`). Planned allocations are promises, not money: they are shown apart, labelled, and
never enter a total, a growth rate, a share or a rule. The province-wide rules (the welfare-lottery
share, the renovation target) are judged only for a reader who sees the whole province; a reader
below sees their area's share of the province instead.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from core.audit_trail import audit_trail_rows
from core.models import AuditEntry, Region
from core.regions import RegionLevel
from core.scope import scope_for
from facilities.models import Facility
from funding.models import (
    Allocation,
    AllocationStatus,
    Budget,
    Program,
    ProgramKind,
    Renovation,
    Source,
)
from funding.services import sum_yuan

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
RENOVATION_TARGET = 40_000
LOTTERY_SHARE_TARGET = Decimal("0.55")
COUNTED = [AllocationStatus.APPROVED, AllocationStatus.DISBURSED, AllocationStatus.SETTLED]
PAID = [AllocationStatus.DISBURSED, AllocationStatus.SETTLED]
# An adjusting entry corrects disbursed money: it counts (and is paid) with its original.
IS_COUNTED = Q(status__in=COUNTED) | Q(adjusts__isnull=False)
IS_PAID = Q(status__in=PAID) | Q(adjusts__isnull=False)
IS_PLANNED = Q(status=AllocationStatus.PLANNED, adjusts__isnull=True)


def reads_whole_province(user) -> bool:
    """Whether the reader sees the whole province (then the province's rules apply)."""
    return scope_for(user).everything


def reader_area(user) -> Region:
    """The region whose figures the reader sees: the province, or their own area."""
    if reads_whole_province(user) or user.region_id is None:
        return Region.objects.get(level=RegionLevel.PROVINCE)
    return user.region


def allocation_list(*, user):
    return Allocation.objects.visible_to(user).select_related(
        "program", "region", "region__parent", "facility"
    )


def year_program_prefecture_pivot(*, user) -> dict:
    """{year: {program code: {prefecture code: amount}}} plus names, one GROUP BY."""
    rows = (
        Allocation.objects.visible_to(user)
        .filter(IS_COUNTED)
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


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return part / whole if whole else None


def _by_year(queryset):
    return (
        queryset.values("year")
        .annotate(
            total=Coalesce(Sum("amount", filter=IS_COUNTED), ZERO),
            lottery=Coalesce(Sum("amount", filter=IS_COUNTED & Q(source=Source.LOTTERY)), ZERO),
            planned=Coalesce(Sum("amount", filter=IS_PLANNED), ZERO),
        )
        .order_by("year")
    )


def yearly_totals(*, user) -> list[dict]:
    """Per year: the money counted (approved and later), growth on the year before, the
    welfare-lottery share, and the planned money apart. For the province the lottery share is
    judged against the 55% rule; for an area below, its share of the province is given."""
    rows = list(_by_year(Allocation.objects.visible_to(user)))
    province = reads_whole_province(user)
    province_totals = (
        {}
        if province
        else {r["year"]: sum_yuan(r["total"]) for r in _by_year(Allocation.objects.all())}
    )
    previous: dict[int, Decimal] = {}
    for row in rows:
        for key in ("total", "lottery", "planned"):
            row[key] = sum_yuan(row[key])
        before = previous.get(row["year"] - 1)
        row["growth"] = (row["total"] - before) / before if before and row["total"] else None
        row["lottery_share"] = _share(row["lottery"], row["total"])
        row["lottery_meets_rule"] = (
            row["lottery_share"] >= LOTTERY_SHARE_TARGET
            if province and row["year"] >= 2022 and row["lottery_share"] is not None
            else None
        )
        row["share_of_province"] = (
            None
            if province or not row["total"]
            else _share(row["total"], province_totals.get(row["year"], Decimal(0)))
        )
        previous[row["year"]] = row["total"]
    return rows


def disbursement_progress(*, user, year: int | None = None) -> list[dict]:
    """Per program: allocated (approved and later), disbursed (disbursed or settled), the share,
    and the planned money apart."""
    queryset = Allocation.objects.visible_to(user)
    if year:
        queryset = queryset.filter(year=year)
    rows = list(
        queryset.values("program__code", "program__name_zh")
        .annotate(
            allocated=Coalesce(Sum("amount", filter=IS_COUNTED), ZERO),
            disbursed=Coalesce(Sum("amount", filter=IS_PAID), ZERO),
            planned=Coalesce(Sum("amount", filter=IS_PLANNED), ZERO),
        )
        .order_by("program__code")
    )
    for row in rows:
        for key in ("allocated", "disbursed", "planned"):
            row[key] = sum_yuan(row[key])
        row["share"] = _share(row["disbursed"], row["allocated"])
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
    """Households renovated; the 40,000 target is the province's: a reader below sees their
    area's share of the province's renovations instead."""
    done = Renovation.objects.filter(completed_on__isnull=False)
    mine = Renovation.objects.visible_to(user).filter(completed_on__isnull=False)
    totals = mine.aggregate(households=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
    by_year = list(mine.values("year").annotate(households=Count("id")).order_by("year"))
    households = totals["households"]
    if reads_whole_province(user):
        return {
            "households": households,
            "amount": totals["amount"],
            "target": RENOVATION_TARGET,
            "share": Decimal(households) / RENOVATION_TARGET,
            "share_of_province": None,
            "by_year": by_year,
        }
    province = done.count()
    return {
        "households": households,
        "amount": totals["amount"],
        "target": None,
        "share": None,
        "share_of_province": Decimal(households) / province if province else None,
        "by_year": by_year,
    }


# --- Budgets -----------------------------------------------------------------------------------


def _budget_sum(condition: Q, *, within: str | None = None):
    """A correlated subquery: the amount of the budget's allocations matching a condition."""
    allocations = Allocation.objects.filter(
        condition, program=OuterRef("program"), year=OuterRef("year"), source=OuterRef("source")
    )
    if within is not None:
        allocations = allocations.filter(region__code__startswith=within)
    total = allocations.order_by().values("program").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def budget_list(*, user):
    """Budgets with planned, approved (approved and later), disbursed (disbursed and settled)
    and remaining (the budget less every allocation, planned ones included, as the budget rule
    counts them), each one SQL subquery; for a reader below the province also what their area
    holds (planned or later) of each budget."""
    scope = scope_for(user)
    queryset = (
        Budget.objects.visible_to(user)
        .select_related("program")
        .annotate(
            planned=_budget_sum(IS_PLANNED),
            approved=_budget_sum(IS_COUNTED),
            disbursed=_budget_sum(IS_PAID),
            used=_budget_sum(Q()),
        )
        .annotate(remaining=F("amount") - F("used"))
        .order_by("-year", "program__code", "source")
    )
    if not scope.everything and scope.code_prefix is not None:
        queryset = queryset.annotate(area_allocated=_budget_sum(Q(), within=scope.code_prefix))
    return queryset


def budget_allocations(*, user, budget: Budget):
    return allocation_list(user=user).filter(
        program=budget.program_id, year=budget.year, source=budget.source
    )


def allocation_trail(*, allocation: Allocation) -> list:
    """The allocation's audit trail, readable (labels, names, amounts), newest first: its own
    entries and its adjustments', each correction an entry of its own, linked."""
    ids = [str(allocation.pk)]
    ids += [str(pk) for pk in allocation.adjustments.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        object_type=allocation._meta.label_lower, object_id__in=ids
    ).select_related("actor")
    return audit_trail_rows(entries, subject=allocation)


def funding_years(*, user) -> list[int]:
    """The years a list can be narrowed to: those with budgets or allocations, and this one."""
    budgets = Budget.objects.visible_to(user).order_by().values_list("year", flat=True)
    allocations = Allocation.objects.visible_to(user).order_by().values_list("year", flat=True)
    years = set(budgets.union(allocations))  # one query
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def allocation_totals(*, allocations) -> dict:
    """Count and amounts of every allocation the filters leave (one query); what counts in the
    reports (approved and later) apart from what is only planned."""
    return allocations.order_by().aggregate(
        count=Count("id"),
        counted=Coalesce(Sum("amount", filter=IS_COUNTED), ZERO),
        planned=Coalesce(Sum("amount", filter=IS_PLANNED), ZERO),
    )
