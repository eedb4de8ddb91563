"""/api/v1/facilities/ and /api/v1/inspections/: scoped, filtered, writes through the rules."""

import datetime

import pytest

from core.models import DatasetGrant
from core.roles import Role
from facilities.models import Facility
from facilities.services import inspection_draw
from tests.factories import FacilityFactory, InspectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilities(tree):
    return [
        FacilityFactory(
            name="A", region=tree["hc_town"], total_beds=20, nursing_beds=10, residents=5
        ),
        FacilityFactory(
            name="B", region=tree["hc_village"], total_beds=200, nursing_beds=100, residents=100
        ),
        FacilityFactory(name="C", region=tree["gz_town"]),
    ]


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_scope_and_filters(client, users, facilities):
    client.force_login(users[Role.COUNTY_OFFICER])
    assert names(client.get("/api/v1/facilities/")) == {"A", "B"}
    assert names(client.get("/api/v1/facilities/?min_beds=100")) == {"B"}
    assert names(client.get("/api/v1/facilities/?max_beds=100")) == {"A"}
    assert names(client.get("/api/v1/facilities/?within=222404101000")) == {"A", "B"}
    assert names(client.get("/api/v1/facilities/?region=222404101201")) == {"B"}
    assert names(client.get("/api/v1/facilities/?kind=institution&ownership=private")) == {"A", "B"}
    assert names(client.get("/api/v1/facilities/?updated_since=2100-01-01T00:00:00Z")) == set()
    assert client.get(f"/api/v1/facilities/{facilities[2].pk}/").status_code == 404


def test_partner_needs_the_facilities_grant_and_cannot_write(client, users, facilities):
    partner = users[Role.PARTNER]
    client.force_login(partner)
    assert names(client.get("/api/v1/facilities/")) == set()
    DatasetGrant.objects.create(user=partner, dataset="facilities")
    assert names(client.get("/api/v1/facilities/")) == {"A", "B", "C"}
    response = client.patch(
        f"/api/v1/facilities/{facilities[0].pk}/", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_writes_go_through_the_service_rules(client, users, tree):
    client.force_login(users[Role.COUNTY_OFFICER])
    payload = {
        "name": "API 敬老院",
        "kind": "township_welfare_center",
        "region": "222404101000",
        "ownership": "public",
        "operating_model": "public_operated",
        "status": "operating",
        "total_beds": 30,
        "nursing_beds": 31,
        "residents": 10,
        "effective_date": "2023-05-01",
    }
    response = client.post("/api/v1/facilities/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "nursing_beds" in response.json()
    payload["nursing_beds"] = 20
    response = client.post("/api/v1/facilities/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    facility = Facility.objects.get(name="API 敬老院")
    assert facility.capacity_records.get().effective_date == datetime.date(2023, 5, 1)
    # the tier rule: a township centre cannot sit in a village
    response = client.patch(
        f"/api/v1/facilities/{facility.pk}/",
        {"region": "222404101201"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "region" in response.json()
    # a region outside the county does not even resolve
    response = client.patch(
        f"/api/v1/facilities/{facility.pk}/",
        {"region": "220184101000"},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_township_staff_cannot_write_through_the_api(client, users, facilities):
    client.force_login(users[Role.TOWNSHIP_STAFF])
    response = client.patch(
        f"/api/v1/facilities/{facilities[0].pk}/", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_inspections_api_is_scoped(client, users, tree, facilities):
    for region in (tree["hunchun"], tree["hunchun"], tree["gongzhuling"], tree["gongzhuling"]):
        InspectorFactory(region=region)
    for county in (tree["hunchun"], tree["gongzhuling"]):
        inspection_draw(
            user=None, region=county, seed=1, count=5, planned_date=datetime.date(2023, 6, 1)
        )
    client.force_login(users[Role.COUNTY_OFFICER])
    rows = client.get("/api/v1/inspections/").json()["results"]
    assert {row["facility_name"] for row in rows} == {"A", "B"}


@pytest.mark.parametrize("rows", [3, 40])
def test_list_query_count_does_not_grow(client, users, tree, rows, django_assert_max_num_queries):
    for _ in range(rows):
        FacilityFactory(region=tree["hc_town"])
    client.force_login(users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/facilities/?page_size=100").status_code == 200
