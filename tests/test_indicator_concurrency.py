"""A recompute replaces a month atomically: a reader never sees half a month, and two
recomputes of the same month at once are served one after the other (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection, connections

from indicators.models import IndicatorValue
from indicators.services import rollup_month
from tests.factories import ElderFactory, VisitorFactory
from tests.test_indicators import visit

D = datetime.date
OCT = D(2023, 10, 1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_never_see_half_a_month_and_recomputes_queue(tree):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (make test uses it when it answers)")
    village = tree["hc_village"]
    visitor = VisitorFactory(region=village)
    for n in range(4):
        elder = ElderFactory(village=village)
        if n % 2:
            visit(elder, D(2023, 10, 3 + n), visitor)
    full = rollup_month(month=OCT, today=D(2023, 12, 1))
    seen: set[int] = set()
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                seen.add(IndicatorValue.objects.filter(month=OCT).count())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def recompute():
        try:
            for _ in range(3):
                rollup_month(month=OCT, today=D(2023, 12, 1))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    readers = [threading.Thread(target=reader) for _ in range(2)]
    writers = [threading.Thread(target=recompute) for _ in range(2)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    stop.set()
    for thread in readers:
        thread.join(timeout=30)
    assert errors == []
    assert seen == {full}
    assert IndicatorValue.objects.filter(month=OCT).count() == full
