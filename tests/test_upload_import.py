"""Preview then confirm, idempotent re-upload, all-or-nothing import, urgent rows, the API."""

import pytest
from django.core.exceptions import ValidationError

from core.models import Notification
from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from tests.upload_files import csv_bytes, row, upload_file
from visits import services
from visits.models import Referral, Visit, VisitUpload
from visits.services import upload_cancel, upload_confirm, upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    return [ElderFactory(name=f"老人{n}") for n in range(4)], visitor


@pytest.fixture
def officer(users):
    return users[Role.COUNTY_OFFICER]


@pytest.fixture
def go(officer, django_capture_on_commit_callbacks):
    class Go:
        def upload(self, data, name="log.csv"):
            with django_capture_on_commit_callbacks(execute=True):
                upload = upload_create(user=officer, uploaded_file=upload_file(data, name))
            upload.refresh_from_db()
            return upload

        def confirm(self, upload):
            with django_capture_on_commit_callbacks(execute=True):
                upload_confirm(user=officer, upload=upload)
            upload.refresh_from_db()
            return upload

    return Go()


def test_preview_then_confirm(people, go):
    elders, visitor = people
    rows = [row(e, visitor) for e in elders] + [row(elders[0], visitor, name="错名")]
    upload = go.upload(csv_bytes(rows))
    assert (upload.status, upload.total_rows, upload.valid_rows, upload.rejected_rows) == (
        "awaiting_confirmation",
        5,
        4,
        1,
    )
    assert not Visit.objects.exists()
    upload = go.confirm(upload)
    assert (upload.status, upload.imported_rows, upload.duplicate_rows) == ("done", 4, 0)
    assert Visit.objects.filter(upload=upload, source="upload").count() == 4
    with pytest.raises(ValidationError):
        upload_confirm(user=upload.uploader, upload=upload)  # done: not twice


def test_cancel(people, go, officer):
    elders, visitor = people
    upload = upload_cancel(user=officer, upload=go.upload(csv_bytes([row(elders[0], visitor)])))
    assert upload.status == "cancelled"
    with pytest.raises(ValidationError):
        upload_confirm(user=officer, upload=upload)
    assert not Visit.objects.exists()


def test_reuploading_the_same_or_an_overlapping_file_adds_nothing_twice(people, go):
    elders, visitor = people
    first = go.confirm(go.upload(csv_bytes([row(e, visitor) for e in elders[:3]])))
    assert first.imported_rows == 3
    again = go.confirm(go.upload(csv_bytes([row(e, visitor) for e in elders[:3]])))
    assert (again.imported_rows, again.duplicate_rows) == (0, 3)
    overlap = go.confirm(
        go.upload(
            csv_bytes(
                [row(e, visitor) for e in elders[2:]]
                + [row(elders[3], visitor)]  # and a repeat within
            )
        )
    )
    assert (overlap.imported_rows, overlap.duplicate_rows) == (1, 2)
    assert Visit.objects.count() == 4


def test_a_failure_midway_imports_nothing_and_the_upload_can_be_retried(
    people, go, monkeypatch, settings
):
    elders, visitor = people
    rows = [row(e, visitor) for e in elders]
    rows[2] = row(elders[2], visitor, health="紧急", notes="摔倒")
    upload = go.upload(csv_bytes(rows))
    real = services._open_urgent_referrals

    def dies(*args, **kwargs):  # the worker dies after the visits were written
        raise RuntimeError("worker lost")

    monkeypatch.setattr(services, "_open_urgent_referrals", dies)
    with pytest.raises(RuntimeError):
        go.confirm(upload)
    upload.refresh_from_db()
    assert upload.status == "failed" and "未导入任何记录" in upload.message
    assert not Visit.objects.exists() and not Referral.objects.exists()
    monkeypatch.setattr(services, "_open_urgent_referrals", real)
    upload = go.confirm(upload)
    assert (upload.status, upload.imported_rows) == ("done", 4)
    assert Referral.objects.get().visit.elder == elders[2]


def test_urgent_rows_open_referrals_and_notify_as_a_form_entry_does(people, go, officer):
    elders, visitor = people
    rows = [
        row(elders[0], visitor, health="紧急", safety="紧急", notes="独居摔倒"),
        row(elders[1], visitor, needs="关注"),
    ]
    go.confirm(go.upload(csv_bytes(rows)))
    referrals = Referral.objects.order_by("dimension")
    assert [(r.dimension, r.kind, r.assignee) for r in referrals] == [
        ("health", "medical_treatment", officer),
        ("safety", "emergency", officer),
    ]
    assert referrals[0].description == "独居摔倒"
    assert Notification.objects.filter(user=officer).count() == 1


def test_the_api_flow(client, people, officer, django_capture_on_commit_callbacks):
    elders, visitor = people
    client.force_login(officer)
    data = csv_bytes([row(e, visitor) for e in elders] + [row(elders[0], visitor, method="?")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/uploads/", {"file": upload_file(data, "log.csv")})
    assert response.status_code == 201, response.content
    upload_id = response.json()["id"]
    status = client.get(f"/api/v1/uploads/{upload_id}/").json()
    assert (status["status"], status["valid_rows"], status["rejected_rows"]) == (
        "awaiting_confirmation",
        4,
        1,
    )
    report = client.get(f"/api/v1/uploads/{upload_id}/errors/?format=csv")
    assert report.status_code == 200 and "巡访方式" in report.content.decode("utf-8-sig")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/uploads/{upload_id}/confirm/")
    assert response.status_code == 202
    status = client.get(f"/api/v1/uploads/{upload_id}/").json()
    assert (status["status"], status["imported_rows"]) == ("done", 4)
    bad = client.post("/api/v1/uploads/", {"file": upload_file(b"%PDF", "x.pdf")})
    assert bad.status_code == 400 and "file" in bad.json()
    assert VisitUpload.objects.count() == 1


def test_uploads_are_scoped(client, people, users, go):
    elders, visitor = people
    upload = go.upload(csv_bytes([row(elders[0], visitor)]))
    client.force_login(users[Role.TOWNSHIP_STAFF])
    assert client.get(f"/api/v1/uploads/{upload.pk}/").status_code == 404
    assert client.get(f"/visits/uploads/{upload.pk}/").status_code == 404
    client.force_login(users[Role.PREFECTURE_OFFICER])
    assert client.get(f"/api/v1/uploads/{upload.pk}/").status_code == 200
