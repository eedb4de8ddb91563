"""The whole upload path through a real Celery worker on the Redis broker."""

import time

import pytest

from core.roles import Role
from eldercare.celery import app as celery_app
from tests.factories import ElderFactory, VisitorFactory
from tests.test_celery_worker import REDIS_URL, worker  # noqa: F401  (the fixture)
from tests.upload_files import csv_bytes, row, upload_file
from visits.models import Visit, VisitUpload
from visits.services import upload_confirm, upload_create


@pytest.fixture
def broker():
    """Send tasks to Redis instead of running them in-process, for this test only."""
    # The app reads Django's CELERY_* settings: override them under those names.
    keys = ("CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    saved = {key: celery_app.conf.get(key) for key in keys}
    celery_app.conf.update(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=REDIS_URL, CELERY_RESULT_BACKEND=REDIS_URL
    )
    celery_app._pool = None
    assert celery_app.conf.task_always_eager is False
    assert celery_app.conf.broker_url == REDIS_URL
    yield
    celery_app.conf.update(saved)
    celery_app._pool = None


def wait_for(upload_id, status, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        upload = VisitUpload.objects.get(pk=upload_id)
        if upload.status == status:
            return upload
        if upload.status == "failed":
            raise AssertionError(upload.message)
        time.sleep(0.2)
    raise AssertionError(f"upload stayed {upload.status}")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upload_validated_and_imported_by_a_real_worker(users, tree, worker, broker):  # noqa: F811
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    elders = [ElderFactory(name=f"老人{n}") for n in range(5)]
    data = csv_bytes([row(e, visitor) for e in elders] + [row(elders[0], visitor, name="错")])
    officer = users[Role.COUNTY_OFFICER]
    upload = upload_create(user=officer, uploaded_file=upload_file(data, "log.csv"))
    upload = wait_for(upload.pk, "awaiting_confirmation")
    assert (upload.valid_rows, upload.rejected_rows) == (5, 1)
    assert not Visit.objects.exists()
    upload_confirm(user=officer, upload=upload)
    upload = wait_for(upload.pk, "done")
    assert upload.imported_rows == 5
    assert Visit.objects.filter(upload=upload).count() == 5
