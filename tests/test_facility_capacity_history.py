"""Every change of beds, residents or status is kept with its date; past months can be read."""

import datetime

import pytest

from core.roles import Role
from facilities.models import Facility
from facilities.selectors import capacity_totals_as_of
from facilities.services import facility_create, facility_update

pytestmark = pytest.mark.django_db
D = datetime.date


def test_capacity_as_of_any_date(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    # given a centre opened in January 2023 with 40 beds ...
    a = facility_create(
        user=officer,
        effective_date=D(2023, 1, 1),
        name="A",
        kind="township_welfare_center",
        region=tree["hc_town"],
        ownership="public",
        operating_model="public_operated",
        status="operating",
        total_beds=40,
        nursing_beds=20,
        residents=30,
    )
    # ... that grew to 60 beds in June and was suspended in October
    facility_update(
        facility=a, user=officer, effective_date=D(2023, 6, 1), total_beds=60, nursing_beds=36
    )
    facility_update(facility=a, user=officer, effective_date=D(2023, 10, 1), status="suspended")
    # and a second facility opened in March
    facility_create(
        user=officer,
        effective_date=D(2023, 3, 1),
        name="B",
        kind="institution",
        region=tree["hc_village"],
        ownership="private",
        operating_model="private_operated",
        status="operating",
        total_beds=100,
        nursing_beds=50,
        dementia_beds=10,
        residents=70,
    )
    facilities = Facility.objects.all()
    # then each month's figures are what held then
    assert capacity_totals_as_of(facilities=facilities, on=D(2022, 12, 31))["total_beds"] == 0
    feb = capacity_totals_as_of(facilities=facilities, on=D(2023, 2, 28))
    assert (feb["facilities"], feb["total_beds"], feb["nursing_beds"]) == (1, 40, 20)
    may = capacity_totals_as_of(facilities=facilities, on=D(2023, 5, 31))
    assert (may["total_beds"], may["nursing_beds"], may["dementia_beds"]) == (140, 70, 10)
    july = capacity_totals_as_of(facilities=facilities, on=D(2023, 7, 31))
    assert (july["total_beds"], july["nursing_beds"], july["residents"]) == (160, 86, 100)
    # a suspended facility's beds do not count from October
    assert capacity_totals_as_of(facilities=facilities, on=D(2023, 10, 31))["total_beds"] == 100
    everything = capacity_totals_as_of(
        facilities=facilities, on=D(2023, 10, 31), operating_only=False
    )
    assert everything["total_beds"] == 160
    # and the status date follows the change
    a.refresh_from_db()
    assert (a.status, a.status_since) == ("suspended", D(2023, 10, 1))
    assert a.capacity_records.count() == 3


def test_a_change_that_touches_no_capacity_field_writes_no_history(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    facility = facility_create(
        user=officer,
        name="C",
        kind="county_welfare_center",
        region=tree["hunchun"],
        ownership="public",
        operating_model="public_operated",
        status="operating",
        total_beds=10,
        nursing_beds=5,
        residents=5,
    )
    facility_update(facility=facility, user=officer, manager="王建国")
    assert facility.capacity_records.count() == 1


def test_as_of_totals_cost_one_query(users, tree, django_assert_num_queries):
    from tests.factories import FacilityFactory

    for _ in range(20):
        FacilityFactory()
    from facilities.models import CapacityRecord

    CapacityRecord.objects.bulk_create(
        [
            CapacityRecord(
                facility=f,
                effective_date=D(2022, 1, 1),
                status="operating",
                total_beds=100,
                nursing_beds=60,
                dementia_beds=0,
                residents=50,
            )
            for f in Facility.objects.all()
        ]
    )
    with django_assert_num_queries(1):
        totals = capacity_totals_as_of(facilities=Facility.objects.all(), on=D(2023, 1, 1))
    assert totals["total_beds"] == 2000
