"""The roll-up on a schedule and on demand: beat entries, the tasks' months, the command, and
one run through a real Celery worker on Redis."""

import datetime
import time

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from core.roles import Role
from eldercare.celery import app as celery_app
from indicators.choices import IndicatorCode, RunStatus
from indicators.models import IndicatorValue, RollupRun
from indicators.services import rollup_request
from indicators.tasks import rollup_month_to_date, rollup_previous_month
from tests.factories import ElderFactory, VisitorFactory
from tests.test_indicators import visit

D = datetime.date


def test_beat_runs_the_previous_month_on_the_first_and_the_month_to_date_nightly():
    schedule = settings.CELERY_BEAT_SCHEDULE
    monthly = schedule["indicators-previous-month"]
    nightly = schedule["indicators-month-to-date"]
    assert monthly["task"] == "indicators.rollup_previous_month"
    assert nightly["task"] == "indicators.rollup_month_to_date"
    assert monthly["schedule"] == crontab(minute=30, hour=1, day_of_month=1)
    assert nightly["schedule"] == crontab(minute=0, hour=2)
    # the names are tasks the worker knows
    celery_app.loader.import_default_modules()
    assert {monthly["task"], nightly["task"]} <= set(celery_app.tasks)
    # and the app hands them to beat
    assert celery_app.conf.beat_schedule == schedule


@pytest.mark.django_db
def test_beat_entries_reach_the_database_scheduler():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    # what DatabaseScheduler.setup_schedule does with the app's beat_schedule at beat start
    for name, entry in celery_app.conf.beat_schedule.items():
        ModelEntry.from_entry(name, app=celery_app, **entry)
    monthly = PeriodicTask.objects.get(name="indicators-previous-month")
    assert (monthly.task, monthly.crontab.day_of_month, monthly.crontab.hour) == (
        "indicators.rollup_previous_month",
        "1",
        "1",
    )
    nightly = PeriodicTask.objects.get(name="indicators-month-to-date")
    assert (nightly.crontab.hour, nightly.crontab.minute, nightly.crontab.day_of_month) == (
        "2",
        "0",
        "*",
    )


@pytest.mark.django_db
def test_the_tasks_roll_up_the_right_month(tree):
    assert rollup_previous_month(today="2023-11-01") == "2023-10-01"
    assert rollup_previous_month(today="2024-01-01") == "2023-12-01"
    assert rollup_month_to_date(today="2023-11-20") == "2023-11-01"
    months = set(IndicatorValue.objects.values_list("month", flat=True).distinct())
    assert months == {D(2023, 10, 1), D(2023, 12, 1), D(2023, 11, 1)}
    assert RollupRun.objects.filter(status=RunStatus.DONE).count() == 3


@pytest.mark.django_db
def test_rollup_command_one_month_and_all_months(tree, capsys):
    village = tree["hc_village"]
    elder = ElderFactory(village=village)
    visit(elder, D(2023, 10, 5), VisitorFactory(region=village))
    call_command("rollup", "--month", "2023-10")
    row = IndicatorValue.objects.get(
        indicator=IndicatorCode.VISIT_RATE, region=tree["hunchun"], month=D(2023, 10, 1)
    )
    assert (row.numerator, row.denominator) == (1, 1)
    call_command("rollup", "--month", "2023-10")  # twice: nothing changes
    assert IndicatorValue.objects.filter(month=D(2023, 10, 1)).count() == (
        IndicatorValue.objects.filter(month=D(2023, 10, 1)).values("indicator", "region").count()
    )
    call_command("rollup", "--all-months")
    months = sorted(set(IndicatorValue.objects.values_list("month", flat=True)))
    assert months[0] == D(2023, 10, 1) and months[-1].year >= 2026
    with pytest.raises(Exception, match="2023-10"):
        call_command("rollup", "--month", "October")


def wait_for(run_id, seconds=90):
    deadline = time.monotonic() + seconds
    seen = set()
    while time.monotonic() < deadline:
        run = RollupRun.objects.get(pk=run_id)
        seen.add(run.steps_done)
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run, seen
        time.sleep(0.05)
    raise AssertionError(f"run stayed {run.status}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_recompute_button_runs_through_a_real_worker(users, tree, worker, broker):
    village = tree["hc_village"]
    visitor = VisitorFactory(region=village)
    for n in range(3):
        elder = ElderFactory(village=village)
        if n:
            visit(elder, D(2023, 10, 5 + n), visitor)
    # when the administrator asks for October (queued for the worker after commit)
    run = rollup_request(user=users[Role.PROVINCIAL_ADMIN], month=D(2023, 10, 1))
    try:
        run, seen = wait_for(run.pk)
    except AssertionError:
        worker.terminate()
        log = worker.communicate(timeout=20)[0]
        raise AssertionError(f"worker did not finish; log:\n{log}") from None
    # then the worker computed it against the test database
    assert run.status == RunStatus.DONE, run.message
    assert run.steps_done == run.steps_total and run.rows_written > 0
    row = IndicatorValue.objects.get(
        indicator=IndicatorCode.VISIT_RATE, region=tree["hunchun"], month=D(2023, 10, 1)
    )
    assert (row.numerator, row.denominator, str(row.value)) == (2, 3, "66.6667")
