"""Reads for the dashboard and the API: stored values only, scoped to the reader."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from core.regions import RegionLevel
from indicators.choices import Comparison, IndicatorCode
from indicators.definitions import INDICATORS, Indicator
from indicators.models import IndicatorValue, RollupRun, Target
from indicators.services import first_of_month, previous_month

# Levels a map outline exists for: the province (its prefectures) and a prefecture (its counties).
MAP_LEVELS = {RegionLevel.PROVINCE, RegionLevel.PREFECTURE}


def value_list(*, user):
    return IndicatorValue.objects.visible_to(user).select_related("region", "target")


def target_list(*, user):
    return Target.objects.visible_to(user).select_related("region")


def latest_month(*, user, region) -> datetime.date | None:
    return (
        IndicatorValue.objects.visible_to(user)
        .filter(region=region)
        .aggregate(latest=Max("month"))["latest"]
    )


def gap_below_target(row: IndicatorValue) -> Decimal | None:
    """How far a value falls short of its target (positive: short), None without one."""
    if row.value is None or row.target_value is None:
        return None
    if row.target_comparison == Comparison.AT_MOST:
        return row.value - row.target_value
    return row.target_value - row.value


@dataclass
class Card:
    definition: Indicator
    current: IndicatorValue | None
    previous: IndicatorValue | None

    @property
    def change(self) -> Decimal | None:
        if not (self.current and self.previous):
            return None
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "—"
        text = self.definition.format(abs(change))
        if self.definition.unit == "percent":
            text = text.rstrip("%") + " pp"
        sign = "+" if change > 0 else ("−" if change < 0 else "±")
        return f"{sign}{text}"


@dataclass
class Dashboard:
    region: object
    month: datetime.date | None
    indicator: Indicator
    cards: list[Card] = field(default_factory=list)
    areas: list[IndicatorValue] = field(default_factory=list)  # children, chosen indicator
    area_table: list[tuple] = field(default_factory=list)  # (region, {code: row})
    trend: list[IndicatorValue] = field(default_factory=list)
    ranking: list[tuple[IndicatorValue, Decimal]] = field(default_factory=list)


def dashboard(*, user, region, month: datetime.date | None, indicator: IndicatorCode):
    """Everything the dashboard shows for one area and month, in five queries."""
    definition = INDICATORS[indicator]
    month = month or latest_month(user=user, region=region)
    board = Dashboard(region=region, month=month, indicator=definition)
    if month is None:
        return board
    month = first_of_month(month)
    before = previous_month(month)
    values = value_list(user=user)
    own = {
        (row.indicator, row.month): row
        for row in values.filter(region=region, month__in=[month, before])
    }
    board.cards = [
        Card(d, own.get((code, month)), own.get((code, before))) for code, d in INDICATORS.items()
    ]
    children: dict[int, tuple] = {}
    for row in values.filter(region__parent=region, month=month).order_by("region__code"):
        children.setdefault(row.region_id, (row.region, {}))[1][row.indicator] = row
    board.area_table = list(children.values())
    board.areas = [rows[indicator] for _, rows in board.area_table if indicator in rows]
    start = month
    for _ in range(11):
        start = previous_month(start)
    board.trend = list(
        values.filter(region=region, indicator=indicator, month__range=(start, month)).order_by(
            "month"
        )
    )
    short = [(row, gap_below_target(row)) for row in board.areas if row.met is False]
    board.ranking = sorted(short, key=lambda item: item[1], reverse=True)[:10]
    return board


def rollup_runs(*, limit: int = 10):
    return RollupRun.objects.select_related("requested_by")[:limit]
