"""Every indicator of design.md section 5, each defined once.

An indicator's `compute(period)` returns, for every region prefix of the levels it is stored
for, the pair (numerator, denominator), from a few aggregate queries grouped by the code prefix
(`Substr(code, 1, n)`: 2 digits province, 4 prefecture, 6 county, 9 township, 12 village).
Nothing iterates over people, visits or facilities in Python. Facility figures read the
capacity history as of the period's end (`facilities.selectors.capacity_records_as_of`).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr

from core.models import Region
from core.regions import PREFIX_LENGTH, RegionLevel
from facilities.choices import FacilityKind, FacilityStatus, Ownership
from facilities.models import Facility
from facilities.selectors import capacity_records_as_of
from funding.models import Renovation
from indicators.choices import IndicatorCode, Unit
from visits.models import Elder, Residence, Visit, month_bounds

P, PF, C, T, V = (
    RegionLevel.PROVINCE,
    RegionLevel.PREFECTURE,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
    RegionLevel.VILLAGE,
)
# Beds are counted in institutions (养老机构): the county and township welfare centres and the
# other institutions; courtyards, stations, canteens and day-care centres are not institutions.
INSTITUTION_KINDS = (
    FacilityKind.COUNTY_WELFARE_CENTER,
    FacilityKind.TOWNSHIP_WELFARE_CENTER,
    FacilityKind.INSTITUTION,
)
VILLAGE_SERVICE_KINDS = (FacilityKind.ELDERLY_CARE_COURTYARD, FacilityKind.MUTUAL_AID_STATION)

Counts = dict[str, tuple[int, int | None]]


@dataclass(frozen=True)
class Period:
    """A month, and the day its figures are read on (its last day, or today for this month)."""

    start: datetime.date
    end: datetime.date
    as_of: datetime.date

    @classmethod
    def of(cls, month: datetime.date, today: datetime.date) -> "Period":
        start, end = month_bounds(month.year, month.month)
        return cls(start=start, end=end, as_of=min(end, max(today, start)))


def by_prefix(queryset, code_field: str, levels, **aggregates) -> dict[str, dict]:
    """`aggregates` per code prefix of each level: one GROUP BY query per level."""
    found: dict[str, dict] = {}
    for level in levels:
        rows = (
            queryset.order_by()
            .annotate(prefix_=Substr(code_field, 1, PREFIX_LENGTH[level]))
            .values("prefix_")
            .annotate(**aggregates)
        )
        for row in rows:
            found[row.pop("prefix_")] = row
    return found


def pairs(rows: dict[str, dict], numerator: str = "num", denominator: str | None = "den") -> Counts:
    return {
        prefix: (row[numerator] or 0, (row[denominator] or 0) if denominator else None)
        for prefix, row in rows.items()
    }


def operating_records(period: Period):
    """Capacity records that held at the period's end, of facilities operating then."""
    return capacity_records_as_of(facilities=Facility.objects.all(), on=period.as_of).filter(
        status=FacilityStatus.OPERATING
    )


# --- older people -------------------------------------------------------------------------


def key_elders(period: Period):
    return Elder.objects.key_in_month(period.start.year, period.start.month)


def visit_rate(period: Period, levels) -> Counts:
    """Key elders with at least one visit in the month / the month's key elders."""
    visited = Exists(
        Visit.objects.filter(elder=OuterRef("pk"), visited_on__range=(period.start, period.end))
    )
    rows = by_prefix(
        key_elders(period).annotate(visited=visited),
        "village__code",
        levels,
        num=Count("id", filter=Q(visited=True)),
        den=Count("id"),
    )
    return pairs(rows)


def archive_rate(period: Period, levels) -> Counts:
    """Key elders archived by the month's end / the baseline count of key elders (per county,
    the latest baseline of the month's year or before)."""
    from indicators.models import KeyElderBaseline

    archived = pairs(
        by_prefix(key_elders(period), "village__code", levels, num=Count("id")), "num", None
    )
    baselines: dict[str, int] = {}
    latest_year: dict[str, int] = {}
    rows = KeyElderBaseline.objects.filter(year__lte=period.start.year).values_list(
        "region__code", "year", "count"
    )
    for code, year, count in rows:  # at most one row per county and year
        if year >= latest_year.get(code, 0):
            latest_year[code], baselines[code] = year, count
    denominators: dict[str, int] = {}
    for code, count in baselines.items():
        for level in levels:
            prefix = code[: PREFIX_LENGTH[level]]
            denominators[prefix] = denominators.get(prefix, 0) + count
    prefixes = set(archived) | set(denominators)
    return {p: (archived.get(p, (0, None))[0], denominators.get(p, 0)) for p in prefixes}


def concentrated_care(period: Period, levels) -> Counts:
    """Incapacitated rural elders in extreme hardship living in an institution at the month's
    end / all such elders alive and in the province then (at home or in an institution)."""
    since_ok = Q(residence_since__isnull=True) | Q(residence_since__lte=period.end)
    in_institution = Q(residence=Residence.IN_INSTITUTION) & since_ok
    at_home = (Q(residence=Residence.AT_HOME) & since_ok) | (
        ~Q(residence=Residence.AT_HOME) & Q(residence_since__gt=period.end)
    )
    eligible = Elder.objects.filter(
        is_incapacitated=True,
        is_extreme_hardship=True,
        village__is_urban=False,
        archived_on__lte=period.end,
    ).filter(in_institution | at_home)
    rows = by_prefix(
        eligible, "village__code", levels, num=Count("id", filter=in_institution), den=Count("id")
    )
    return pairs(rows)


# --- facilities ---------------------------------------------------------------------------


def bed_ratio(*, numerator: str, ownership: str | None = None) -> Callable:
    def compute(period: Period, levels) -> Counts:
        records = operating_records(period).filter(facility__kind__in=INSTITUTION_KINDS)
        if ownership:
            records = records.filter(facility__ownership=ownership)
        rows = by_prefix(
            records, "facility__region__code", levels, num=Sum(numerator), den=Sum("total_beds")
        )
        return pairs(rows)

    return compute


def dementia_beds(*, rural_only: bool) -> Callable:
    def compute(period: Period, levels) -> Counts:
        records = operating_records(period)
        if rural_only:
            records = records.filter(facility__region__is_urban=False)
        rows = by_prefix(records, "facility__region__code", levels, num=Sum("dementia_beds"))
        return pairs(rows, "num", None)

    return compute


def coverage(*, kinds, area_level: RegionLevel) -> Callable:
    """Areas of a level with an operating facility of the kinds / all areas of that level."""

    def compute(period: Period, levels) -> Counts:
        served = Exists(
            operating_records(period).filter(
                facility__kind__in=kinds, facility__region=OuterRef("pk")
            )
        )
        areas = Region.objects.filter(level=area_level).annotate(served=served)
        rows = by_prefix(
            areas, "code", levels, num=Count("id", filter=Q(served=True)), den=Count("id")
        )
        return pairs(rows)

    return compute


def village_service_coverage(period: Period, levels) -> Counts:
    """Rural villages with demand (a key elder that month) that have an operating courtyard or
    mutual-aid station / rural villages with demand."""
    demand = Exists(key_elders(period).filter(village=OuterRef("pk")))
    served = Exists(
        operating_records(period).filter(
            facility__kind__in=VILLAGE_SERVICE_KINDS, facility__region=OuterRef("pk")
        )
    )
    villages = (
        Region.objects.filter(level=V, is_urban=False)
        .annotate(demand=demand, served=served)
        .filter(demand=True)
    )
    rows = by_prefix(
        villages, "code", levels, num=Count("id", filter=Q(served=True)), den=Count("id")
    )
    return pairs(rows)


# --- funding ------------------------------------------------------------------------------


def renovations(period: Period, levels) -> Counts:
    """Households renovated, cumulative up to the month's end."""
    done = Renovation.objects.filter(completed_on__lte=period.as_of)
    return pairs(by_prefix(done, "region__code", levels, num=Count("id")), "num", None)


# --- the registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: IndicatorCode
    unit: str
    levels: tuple
    compute: Callable[[Period, tuple], Counts]
    decimals: int = 1
    numerator_label: str = ""
    denominator_label: str = ""
    # The facility-list query that names the facilities behind a figure (None: not facilities).
    facility_query: dict | None = None

    @property
    def label(self):
        return self.code.label

    @property
    def divisible(self) -> bool:
        """A rate applies to every region; a count target only to the region it names."""
        return self.unit == Unit.PERCENT

    def value_of(self, numerator: int, denominator: int | None) -> Decimal | None:
        if self.unit == Unit.COUNT:
            return Decimal(numerator)
        if not denominator:
            return None
        return (Decimal(100) * numerator / denominator).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    def format(self, value) -> str:
        """How the portal prints a value: 82.64%, 57.5%, 5,000; an em dash when there is none."""
        if value is None or value == "":
            return "—"
        value = Decimal(value)
        if self.unit == Unit.COUNT:
            return f"{int(value):,}"
        quantum = Decimal(1).scaleb(-self.decimals)
        return f"{value.quantize(quantum, ROUND_HALF_UP)}%"


def _definitions() -> list[Indicator]:
    from django.utils.translation import gettext_lazy as _

    return [
        Indicator(
            IndicatorCode.VISIT_RATE, Unit.PERCENT, (P, PF, C, T, V), visit_rate,
            numerator_label=_("key elders visited"), denominator_label=_("key elders"),
        ),
        Indicator(
            IndicatorCode.ARCHIVE_RATE, Unit.PERCENT, (P, PF, C), archive_rate, decimals=2,
            numerator_label=_("key elders archived"), denominator_label=_("baseline"),
        ),
        Indicator(
            IndicatorCode.NURSING_BED_RATIO, Unit.PERCENT, (P, PF, C, T),
            bed_ratio(numerator="nursing_beds"),
            numerator_label=_("nursing-type beds"), denominator_label=_("beds"),
            facility_query={"status": "operating"},
        ),
        Indicator(
            IndicatorCode.NURSING_BED_RATIO_PUBLIC, Unit.PERCENT, (P, PF, C, T),
            bed_ratio(numerator="nursing_beds", ownership=Ownership.PUBLIC),
            numerator_label=_("nursing-type beds"), denominator_label=_("beds"),
            facility_query={"status": "operating", "ownership": "public"},
        ),
        Indicator(
            IndicatorCode.DEMENTIA_BEDS, Unit.COUNT, (P, PF, C, T),
            dementia_beds(rural_only=False), numerator_label=_("beds"),
            facility_query={"status": "operating", "has_dementia_beds": "true"},
        ),
        Indicator(
            IndicatorCode.DEMENTIA_BEDS_RURAL, Unit.COUNT, (P, PF, C, T),
            dementia_beds(rural_only=True), numerator_label=_("beds"),
            facility_query={"status": "operating", "has_dementia_beds": "true"},
        ),
        Indicator(
            IndicatorCode.OCCUPANCY, Unit.PERCENT, (P, PF, C, T),
            bed_ratio(numerator="residents"),
            numerator_label=_("residents"), denominator_label=_("beds"),
            facility_query={"status": "operating"},
        ),
        Indicator(
            IndicatorCode.EMBEDDED_COVERAGE, Unit.PERCENT, (P, PF, C, T),
            coverage(kinds=[FacilityKind.EMBEDDED_COMMUNITY_CENTER], area_level=T),
            numerator_label=_("townships with a centre"), denominator_label=_("townships"),
            facility_query={"status": "operating", "kind": "embedded_community_center"},
        ),
        Indicator(
            IndicatorCode.COUNTY_FACILITY_COVERAGE, Unit.PERCENT, (P, PF, C),
            coverage(kinds=[FacilityKind.COUNTY_WELFARE_CENTER], area_level=C),
            numerator_label=_("counties with a centre"), denominator_label=_("counties"),
            facility_query={"status": "operating", "kind": "county_welfare_center"},
        ),
        Indicator(
            IndicatorCode.VILLAGE_SERVICE_COVERAGE, Unit.PERCENT, (P, PF, C, T),
            village_service_coverage,
            numerator_label=_("villages served"), denominator_label=_("villages with demand"),
            facility_query={"status": "operating", "kind": "elderly_care_courtyard"},
        ),
        Indicator(
            IndicatorCode.CONCENTRATED_CARE, Unit.PERCENT, (P, PF, C, T), concentrated_care,
            numerator_label=_("in an institution"),
            denominator_label=_("incapacitated in extreme hardship"),
        ),
        Indicator(
            IndicatorCode.RENOVATIONS, Unit.COUNT, (P, PF, C), renovations,
            numerator_label=_("households"),
        ),
    ]  # fmt: skip


INDICATORS: dict[IndicatorCode, Indicator] = {d.code: d for d in _definitions()}
