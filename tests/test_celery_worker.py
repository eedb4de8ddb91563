"""A real task through a real Celery worker on the Redis broker (not eager)."""

import time

import pytest
from celery import Celery

from tests.conftest import REDIS_URL


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_region_counts_task_round_trip_through_a_real_worker(worker, tree):
    # given a client app that talks to the same Redis broker, not eager
    client = Celery("client", broker=REDIS_URL, backend=REDIS_URL)
    client.conf.task_serializer = "json"
    # when the task is sent by name and the worker runs it against the test database
    started = time.monotonic()
    result = client.send_task("core.region_level_counts", args=["222404000000"])
    try:
        counts = result.get(timeout=60)
    except Exception:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
        raise AssertionError(f"worker did not answer; its log:\n{output}") from None
    # then it saw the committed rows of the test database
    assert counts == {"province": 0, "prefecture": 0, "county": 1, "township": 2, "village": 2}
    assert time.monotonic() - started < 60
