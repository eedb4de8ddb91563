"""Writes of the roll-ups: recomputing a month (atomically) and editing targets."""

import datetime
import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.models import Region
from core.regions import PREFIX_LENGTH
from core.roles import Role
from indicators.choices import RunStatus
from indicators.definitions import INDICATORS, Period
from indicators.models import IndicatorValue, RollupRun, Target

logger = logging.getLogger(__name__)
TARGET_EDITORS = {Role.PROVINCIAL_ADMIN}


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str | None) -> datetime.date | None:
    """'2023-10' -> 2023-10-01; None for anything else."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def previous_month(day: datetime.date) -> datetime.date:
    return first_of_month(first_of_month(day) - datetime.timedelta(days=1))


def applicable_target(targets: list[Target], year: int) -> Target | None:
    """The target of the nearest due year on or after `year`; past the last one, the last one
    (a target reached stays the bar: visit rate 100% from 2023 on)."""
    if not targets:
        return None
    ordered = sorted(targets, key=lambda t: t.year)
    for target in ordered:
        if target.year >= year:
            return target
    return ordered[-1]


class TargetBook:
    """All targets loaded once; for an indicator and region, the regional one if there is one,
    else the province-wide one."""

    def __init__(self, targets=None):
        self.by_key: dict[tuple[str, int | None], list[Target]] = {}
        for target in Target.objects.all() if targets is None else targets:
            self.by_key.setdefault((target.indicator, target.region_id), []).append(target)

    def for_region(self, indicator: str, region_id: int, year: int) -> Target | None:
        regional = self.by_key.get((indicator, region_id))
        if regional:
            return applicable_target(regional, year)
        return applicable_target(self.by_key.get((indicator, None), []), year)


def _lock_month(month: datetime.date) -> None:
    """Two recomputes of the same month run one after the other (PostgreSQL advisory lock,
    held until the transaction ends; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [2023_11, month.toordinal()])


def _progress(run: RollupRun | None, **fields) -> None:
    if run is None:
        return
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=list(fields))


def rollup_month(
    *, month: datetime.date, run: RollupRun | None = None, today: datetime.date | None = None
) -> int:
    """Compute every indicator for every region of every level for one month, then replace the
    month's stored rows in one transaction: readers see the old month or the new one, never a
    mix, and running it twice leaves the same rows. Returns the number of rows written."""
    month = first_of_month(month)
    today = today or timezone.localdate()
    period = Period.of(month, today)
    _progress(
        run,
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        steps_total=len(INDICATORS) + 1,
        steps_done=0,
    )
    try:
        regions = {
            level: dict(Region.objects.filter(level=level).values_list("code", "id"))
            for level in {level for d in INDICATORS.values() for level in d.levels}
        }
        book = TargetBook()
        now = timezone.now()
        rows: list[IndicatorValue] = []
        for step, definition in enumerate(INDICATORS.values(), start=1):
            counts = definition.compute(period, definition.levels)
            for level in definition.levels:
                length = PREFIX_LENGTH[level]
                for code, region_id in regions[level].items():
                    numerator, denominator = counts.get(
                        code[:length], (0, None if definition.unit == "count" else 0)
                    )
                    value = definition.value_of(numerator, denominator)
                    target = book.for_region(definition.code, region_id, month.year)
                    rows.append(
                        IndicatorValue(
                            indicator=definition.code,
                            region_id=region_id,
                            month=month,
                            numerator=numerator,
                            denominator=denominator,
                            value=value,
                            target=target,
                            target_value=target.value if target else None,
                            target_comparison=target.comparison if target else "",
                            met=target.is_met(value) if target else None,
                            computed_at=now,
                        )
                    )
            _progress(run, steps_done=step)
        with transaction.atomic():
            _lock_month(month)
            IndicatorValue.objects.filter(month=month).delete()
            IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        _progress(
            run,
            status=RunStatus.DONE,
            steps_done=len(INDICATORS) + 1,
            rows_written=len(rows),
            finished_at=timezone.now(),
        )
        return len(rows)
    except Exception as error:
        logger.exception("roll-up of %s failed", month)
        _progress(run, status=RunStatus.FAILED, message=str(error), finished_at=timezone.now())
        raise


def rollup_months(*, months: list[datetime.date], today: datetime.date | None = None) -> int:
    return sum(rollup_month(month=month, today=today) for month in months)


def data_months(*, today: datetime.date | None = None) -> list[datetime.date]:
    """Every month from the first one with a visit to this month."""
    from visits.models import Visit

    today = today or timezone.localdate()
    current = first_of_month(today)
    first = Visit.objects.order_by("visited_on").values_list("visited_on", flat=True).first()
    month = first_of_month(first) if first and first <= today else current
    months = []
    while month <= current:
        months.append(month)
        month = first_of_month(month + datetime.timedelta(days=32))
    return months


def rollup_request(*, user, month: datetime.date) -> RollupRun:
    """The administrator's recompute button: a run, queued for the worker after commit."""
    if not (user.is_superuser or user.role == Role.PROVINCIAL_ADMIN):
        raise PermissionDenied
    from indicators.tasks import rollup_run

    run = RollupRun.objects.create(month=first_of_month(month), requested_by=user)
    transaction.on_commit(lambda: rollup_run.delay(run.pk))
    return run


def may_edit_targets(user) -> bool:
    return user.is_superuser or (user.role in TARGET_EDITORS and not user.is_read_only)


def _ensure_editor(user) -> None:
    if not may_edit_targets(user):
        raise PermissionDenied


@transaction.atomic
def target_save(*, user, target: Target | None = None, **fields) -> Target:
    """Create or change a target (provincial administrator only)."""
    _ensure_editor(user)
    target = target or Target()
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_delete(*, user, target: Target) -> None:
    _ensure_editor(user)
    target.delete()


def validation_message(error: ValidationError) -> str:
    return "; ".join(error.messages)
