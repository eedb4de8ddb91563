"""Roll-up tasks: beat runs the previous month on the 1st and the month to date every night
(schedule: CELERY_BEAT_SCHEDULE in eldercare/settings.py); the administrator's button queues one
run. Tasks take ids or nothing, load, and call the service."""

import datetime

from celery import shared_task
from django.utils import timezone

from indicators import services
from indicators.models import RollupRun


def _today(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="indicators.rollup_run")
def rollup_run(run_id: int) -> int:
    run = RollupRun.objects.get(pk=run_id)
    return services.rollup_month(month=run.month, run=run)


@shared_task(name="indicators.rollup_previous_month")
def rollup_previous_month(today: str | None = None) -> str:
    """On the 1st: the month that just ended, with its final figures."""
    day = _today(today)
    month = services.previous_month(day)
    run = RollupRun.objects.create(month=month)
    services.rollup_month(month=month, run=run, today=day)
    return month.isoformat()


@shared_task(name="indicators.rollup_month_to_date")
def rollup_month_to_date(today: str | None = None) -> str:
    """Every night: this month so far."""
    day = _today(today)
    month = services.first_of_month(day)
    run = RollupRun.objects.create(month=month)
    services.rollup_month(month=month, run=run, today=day)
    return month.isoformat()
