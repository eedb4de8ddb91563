"""The same invalid visit through every door (form, API, upload) gets the same answer.

An urgent finding nobody explained is refused everywhere with "请说明紧急情况。"; explained in
its own note or in the visit's notes, it is stored everywhere.
"""

import datetime

import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from tests.upload_files import csv_bytes, row, upload_file
from visits.models import Visit
from visits.services import upload_create

pytestmark = pytest.mark.django_db
MESSAGE = "请说明紧急情况。"
DAY = datetime.date(2023, 6, 5)


@pytest.fixture
def person(tree):
    return ElderFactory(name="金老太"), VisitorFactory(name="崔巡访", region=tree["hc_village"])


def through_form(client, officer, elder, visitor, notes=""):
    client.force_login(officer)
    response = client.post(
        reverse("visits:visit-create", args=[elder.pk]),
        {
            "visitor": visitor.pk,
            "visited_on": DAY.isoformat(),
            "method": "in_person",
            "health": "urgent",
            "finances": "normal",
            "safety": "normal",
            "needs": "normal",
            "notes": notes,
        },
    )
    if response.status_code == 302:
        return None
    return response.context["form"].errors["health_note"][0]


def through_api(client, officer, elder, visitor, notes=""):
    client.force_login(officer)
    response = client.post(
        "/api/v1/visits/",
        {
            "elder": elder.pk,
            "visitor": visitor.pk,
            "visited_on": DAY.isoformat(),
            "method": "in_person",
            "health": "urgent",
            "finances": "normal",
            "safety": "normal",
            "needs": "normal",
            "notes": notes,
        },
        content_type="application/json",
    )
    if response.status_code == 201:
        return None
    assert response.status_code == 400, response.content
    return response.json()["health_note"][0]


def through_upload(client, officer, elder, visitor, notes="", capture=None):
    data = csv_bytes([row(elder, visitor, date=DAY.isoformat(), health="紧急", notes=notes)])
    with capture(execute=True):
        upload = upload_create(user=officer, uploaded_file=upload_file(data, "log.csv"))
    upload.refresh_from_db()
    problems = list(upload.row_errors.values_list("message", flat=True))
    return problems[0] if problems else None


@pytest.mark.parametrize("door", [through_form, through_api, through_upload])
def test_an_unexplained_urgent_finding_is_refused_alike(
    client, users, person, door, django_capture_on_commit_callbacks
):
    extra = {"capture": django_capture_on_commit_callbacks} if door is through_upload else {}
    message = door(client, users[Role.COUNTY_OFFICER], *person, **extra)
    assert message == MESSAGE
    assert not Visit.objects.exists()


@pytest.mark.parametrize("door", [through_form, through_api, through_upload])
def test_an_urgent_finding_explained_in_the_notes_is_accepted_alike(
    client, users, person, door, django_capture_on_commit_callbacks
):
    extra = {"capture": django_capture_on_commit_callbacks} if door is through_upload else {}
    assert door(client, users[Role.COUNTY_OFFICER], *person, notes="胸闷气短", **extra) is None
