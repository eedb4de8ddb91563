"""The inspection result form preselects nothing: a result is a decision, not a default."""

import datetime

import pytest
from django.urls import reverse

from core.roles import Role
from facilities.models import Inspection
from tests.factories import FacilityFactory, InspectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(tree):
    return Inspection.objects.create(
        facility=FacilityFactory(region=tree["hc_town"]),
        inspector=InspectorFactory(region=tree["hunchun"]),
        planned_date=datetime.date(2023, 6, 1),
    )


def test_no_result_is_preselected_and_an_empty_choice_is_refused(client, users, inspection):
    client.force_login(users[Role.COUNTY_OFFICER])
    url = reverse("facilities:inspection-record", args=[inspection.pk])
    html = client.get(url).content.decode()
    assert 'value="" selected' in html
    assert 'value="passed" selected' not in html
    response = client.post(url, {"inspected_on": "2023-06-02", "result": ""})
    assert response.status_code == 200
    assert "result" in response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.result == ""


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
