"""Forms report every error at once: field rules and service rules together, each on its field;
the facility form's bounds (coordinates in Jilin, phone numbers, no future effective date)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from facilities.models import Facility
from facilities.selectors import facility_capacity_history
from facilities.services import facility_update
from tests.factories import FacilityFactory
from tests.test_funding import programs  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def facility_data(tree, **changes):
    data = {
        "name": "春化镇新敬老院",
        "kind": "township_welfare_center",
        "region": tree["hc_town"].pk,
        "ownership": "public",
        "operating_model": "public_operated",
        "status": "operating",
        "total_beds": "30",
        "nursing_beds": "20",
        "dementia_beds": "0",
        "residents": "10",
        "staff_count": "3",
        "caregiver_count": "2",
        "effective_date": "2023-06-01",
    }
    data.update(changes)
    return data


def test_facility_form_reports_field_and_service_errors_together(client, users, tree):
    # given a field error (staff count not a number) and a service rule broken (nursing > total)
    client.force_login(users[Role.COUNTY_OFFICER])
    data = facility_data(tree, staff_count="many", nursing_beds="40", grade="3")
    # when
    response = client.post(reverse("facilities:create"), data)
    # then both are reported in one answer, each on its field
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert set(errors) >= {"staff_count", "nursing_beds", "graded_on"}
    assert not Facility.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("longitude", "116.40"),  # Beijing
        ("longitude", "132.5"),
        ("latitude", "39.9"),
        ("latitude", "47.0"),
        ("manager_phone", "12345"),
        ("manager_phone", "2345678901"),
        ("manager_phone", "1234567890123"),
    ],
)
def test_facility_form_refuses_values_outside_jilin(client, users, tree, field, value):
    client.force_login(users[Role.COUNTY_OFFICER])
    data = facility_data(tree, **{"longitude": "130.36", "latitude": "42.86", field: value})
    response = client.post(reverse("facilities:create"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Facility.objects.exists()


@pytest.mark.parametrize("phone", ["13912345678", "0433-7512345", "04337512345", "0431-8888888"])
def test_facility_form_accepts_mobile_and_landline_numbers(client, users, tree, phone):
    client.force_login(users[Role.COUNTY_OFFICER])
    data = facility_data(tree, longitude="130.36", latitude="42.86", manager_phone=phone)
    response = client.post(reverse("facilities:create"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Facility.objects.get().manager_phone == phone


def test_facility_effective_date_cannot_be_in_the_future(client, users, tree):
    client.force_login(users[Role.COUNTY_OFFICER])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = facility_data(tree, effective_date=tomorrow.isoformat(), nursing_beds="40")
    response = client.post(reverse("facilities:create"), data)
    errors = response.context["form"].errors
    assert {"effective_date", "nursing_beds"} <= set(errors)
    assert not Facility.objects.exists()


def test_a_back_dated_change_keeps_history_and_header_consistent(client, users, tree):
    # given a facility recorded from 2023-01-01, enlarged from 2024-06-01
    facility = FacilityFactory(region=tree["hc_town"], total_beds=30, nursing_beds=10, residents=5)
    facility.capacity_records.update(effective_date=datetime.date(2023, 1, 1))
    facility.refresh_from_db()
    officer = users[Role.COUNTY_OFFICER]
    facility = facility_update(
        facility=facility, user=officer, effective_date=datetime.date(2024, 6, 1), total_beds=50
    )
    # when a change is back-dated before the latest record
    client.force_login(officer)
    response = client.post(
        reverse("facilities:edit", args=[facility.pk]),
        facility_data(
            tree,
            name=facility.name,
            kind=facility.kind,
            ownership=facility.ownership,
            operating_model=facility.operating_model,
            total_beds="50",
            nursing_beds="10",
            residents="20",
            effective_date="2024-01-01",
        ),
    )
    # then the facility's current figures equal the latest capacity record by date
    facility.refresh_from_db()
    latest = facility_capacity_history(facility=facility).first()
    assert (latest.total_beds, latest.residents) == (facility.total_beds, facility.residents)
    assert response.status_code == 200
    assert "effective_date" in response.context["form"].errors
    # a change dated on the latest record's day or later is kept and shown
    response = client.post(
        reverse("facilities:edit", args=[facility.pk]),
        facility_data(
            tree,
            name=facility.name,
            kind=facility.kind,
            ownership=facility.ownership,
            operating_model=facility.operating_model,
            total_beds="50",
            nursing_beds="10",
            residents="20",
            effective_date="2024-07-01",
        ),
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    latest = facility_capacity_history(facility=facility).first()
    assert latest.effective_date == datetime.date(2024, 7, 1)
    assert (latest.residents, facility.residents) == (20, 20)


def test_allocation_form_reports_field_and_service_errors_together(client, users, programs):  # noqa: F811
    # given a bad document number length (a field rule) and a per-person allocation without
    # persons served (a service rule)
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.post(
        reverse("funding:create"),
        {
            "program": programs["ops"].pk,
            "year": "2023",
            "source": "provincial",
            "region": users[Role.COUNTY_OFFICER].region.pk,
            "amount": "500",
            "document_number": "号" * 101,
        },
    )
    errors = response.context["form"].errors
    assert {"document_number", "persons_served"} <= set(errors)


def test_elder_form_reports_field_and_service_errors_together(client, users, tree):
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.post(
        reverse("visits:elder-create"),
        {
            "id_number": "222404194501011235",  # bad check character
            "name": "",
            "village": tree["hc_village"].pk,
            "residence": "at_home",
            "archived_on": "2023-01-01",
        },
    )
    errors = response.context["form"].errors
    assert {"id_number", "name"} <= set(errors)
