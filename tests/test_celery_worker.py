"""A real task through a real Celery worker on the Redis broker (not eager)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def database_url_for_the_worker() -> str:
    """The test database the test runs against, as a DATABASE_URL the worker can use."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return ""  # the worker's settings fall back to the same SQLite file (TEST NAME)
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def worker(transactional_db):
    require(redis_answers(), "Redis is not reachable on 127.0.0.1:6379")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CELERY_BROKER_URL=REDIS_URL, CELERY_RESULT_BACKEND=REDIS_URL, DJANGO_DEBUG="1")
    database_url = database_url_for_the_worker()
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        # SQLite: point the worker's main database at the test database file.
        env["DJANGO_SQLITE_PATH"] = str(connection.settings_dict["NAME"])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "eldercare",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
