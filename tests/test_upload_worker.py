"""The whole upload path through a real Celery worker on the Redis broker."""

import time

import pytest

from core import audit
from core.models import AuditEntry
from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from tests.upload_files import csv_bytes, row, upload_file
from visits.models import Visit, VisitUpload
from visits.services import upload_confirm, upload_create


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
def test_upload_validated_and_imported_by_a_real_worker(users, tree, worker, broker):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    elders = [ElderFactory(name=f"老人{n}") for n in range(5)]
    data = csv_bytes([row(e, visitor) for e in elders] + [row(elders[0], visitor, name="错")])
    officer, admin = users[Role.COUNTY_OFFICER], users[Role.PROVINCIAL_ADMIN]
    # uploaded in one request, confirmed by the administrator in another
    token = audit.bind(audit.AuditContext(request_id="req-upload", client_address="198.51.100.7"))
    try:
        upload = upload_create(user=officer, uploaded_file=upload_file(data, "log.csv"))
    finally:
        audit.unbind(token)
    upload = wait_for(upload.pk, "awaiting_confirmation")
    assert (upload.valid_rows, upload.rejected_rows) == (5, 1)
    assert not Visit.objects.exists()
    token = audit.bind(audit.AuditContext(request_id="req-confirm", client_address="198.51.100.8"))
    try:
        upload_confirm(user=admin, upload=upload)
    finally:
        audit.unbind(token)
    upload = wait_for(upload.pk, "done")
    assert upload.imported_rows == 5
    assert Visit.objects.filter(upload=upload).count() == 5
    # the worker's audit rows name who started each task and carry that request's id
    trail = AuditEntry.objects.filter(object_type="visits.visitupload", object_id=str(upload.pk))
    assert [(e.action, e.actor, e.request_id, e.client_address) for e in trail.order_by("id")] == [
        ("upload", officer, "req-upload", "198.51.100.7"),
        ("validate", officer, "req-upload", "198.51.100.7"),
        ("confirm", admin, "req-confirm", "198.51.100.8"),
        ("import", admin, "req-confirm", "198.51.100.8"),
    ]
