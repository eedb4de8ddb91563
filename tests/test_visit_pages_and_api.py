"""Visits pages and /api/v1/elders|visits|referrals/: scope per role, filters, writes, queries."""

import datetime

import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from visits.models import Elder, Referral, Visit
from visits.services import visit_record

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def data(tree, users):
    here = ElderFactory(name="本村")
    town2 = ElderFactory(name="敬信", village=tree["hc_village2"])
    far = ElderFactory(name="公主岭", village=tree["gz_village"])
    v_here = VisitorFactory(region=tree["hc_village"])
    v_town2 = VisitorFactory(region=tree["hc_village2"])
    v_far = VisitorFactory(region=tree["gz_village"])
    admin = users[Role.PROVINCIAL_ADMIN]
    for elder, visitor in ((here, v_here), (town2, v_town2), (far, v_far)):
        visit_record(
            user=admin,
            elder=elder,
            visitor=visitor,
            visited_on=D(2023, 6, 5),
            method="in_person",
            needs="urgent",
            needs_note="急需助餐",
        )
    return {"here": here, "town2": town2, "far": far, "visitor": v_here}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROVINCIAL_ADMIN, {"本村", "敬信", "公主岭"}),
        (Role.PROVINCIAL_LEADER, {"本村", "敬信", "公主岭"}),
        (Role.PREFECTURE_OFFICER, {"本村", "敬信"}),
        (Role.COUNTY_OFFICER, {"本村", "敬信"}),
        (Role.TOWNSHIP_STAFF, {"本村"}),
        (Role.VISITOR, {"本村"}),
        (Role.PARTNER, set()),
    ],
)
def test_each_role_reads_only_its_area(client, users, data, role, expected):
    client.force_login(users[role])
    assert {r["name"] for r in client.get("/api/v1/elders/").json()["results"]} == expected
    visits = client.get("/api/v1/visits/").json()["results"]
    assert {Elder.objects.get(pk=v["elder"]).name for v in visits} == expected
    referrals = client.get("/api/v1/referrals/").json()["results"]
    assert {Elder.objects.get(pk=r["elder"]).name for r in referrals} == expected
    if role != Role.PARTNER:
        page = client.get(reverse("visits:index")).context["page"]
        assert {e.name for e in page} == expected


def test_api_filters(client, users, data):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    names = lambda url: {r["name"] for r in client.get(url).json()["results"]}  # noqa: E731
    assert names("/api/v1/elders/?within=222404102000") == {"敬信"}
    assert names("/api/v1/elders/?category=living_alone") == {"本村", "敬信", "公主岭"}
    assert names("/api/v1/elders/?category=extreme_hardship") == set()
    assert names("/api/v1/elders/?month=2023-06") == {"本村", "敬信", "公主岭"}
    assert client.get("/api/v1/elders/?month=2023-13").status_code == 400
    assert client.get("/api/v1/visits/?month=2023-06").json()["count"] == 3
    assert client.get("/api/v1/visits/?month=2023-07").json()["count"] == 0
    assert client.get("/api/v1/referrals/?status=open").json()["count"] == 3
    assert client.get("/api/v1/referrals/?status=closed").json()["count"] == 0


def test_api_writes_go_through_the_services(client, users, data, tree):
    client.force_login(users[Role.TOWNSHIP_STAFF])
    # an elder with an invalid ID number is refused with the reason
    response = client.post(
        "/api/v1/elders/",
        {"id_number": "222404194003050134", "name": "x", "village": "222404101201"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "id_number" in response.json()
    response = client.post(
        "/api/v1/elders/",
        {
            "id_number": "222404194003050133",
            "name": "新档案",
            "village": "222404101201",
            "is_living_alone": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    # the birth date itself stays off the API (masking policy): the year and sex are derived
    assert response.json()["birth_year"] == 1940 and response.json()["sex"] == "M"
    assert Elder.objects.get(pk=response.json()["id"]).birth_date == datetime.date(1940, 3, 5)
    elder_id = response.json()["id"]
    # a visit in the future is refused, an urgent one opens a referral
    payload = {
        "elder": elder_id,
        "visitor": data["visitor"].pk,
        "visited_on": "2099-01-01",
        "method": "phone",
        "health": "normal",
        "finances": "normal",
        "safety": "normal",
        "needs": "normal",
    }
    assert (
        client.post("/api/v1/visits/", payload, content_type="application/json").status_code == 400
    )
    payload.update(visited_on="2023-06-06", health="urgent", health_note="卧床不起")
    response = client.post("/api/v1/visits/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Visit.objects.get(pk=response.json()["id"]).source == "api"
    assert Referral.objects.filter(elder_id=elder_id, dimension="health").exists()
    # and nothing can be written for a person outside the area
    payload.update(elder=data["far"].pk, visited_on="2023-06-07")
    assert (
        client.post("/api/v1/visits/", payload, content_type="application/json").status_code == 400
    )


def test_read_only_roles_cannot_write(client, users, data):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    payload = {
        "elder": data["here"].pk,
        "visitor": data["visitor"].pk,
        "visited_on": "2023-06-07",
        "method": "phone",
        "health": "normal",
        "finances": "normal",
        "safety": "normal",
        "needs": "normal",
    }
    assert (
        client.post("/api/v1/visits/", payload, content_type="application/json").status_code == 403
    )
    assert client.get(reverse("visits:visit-create", args=[data["here"].pk])).status_code == 403


def test_referral_board_and_overdue(client, users, data):
    client.force_login(users[Role.COUNTY_OFFICER])
    board = client.get(reverse("visits:referrals"))
    assert board.context["tab"] == "open"
    assert {r.elder.name for r in board.context["page"]} == {"本村", "敬信"}
    overdue = client.get(reverse("visits:referrals"), {"overdue": "true"}).context["page"]
    assert {r.elder.name for r in overdue} == {"本村", "敬信"}  # due 2023-06-08
    assert all(r.is_overdue for r in overdue)
    assert client.get("/api/v1/referrals/?overdue=true").json()["count"] == 2


@pytest.mark.parametrize("extra", [0, 30])
def test_list_query_counts_do_not_grow(client, users, data, extra, django_assert_max_num_queries):
    for _ in range(extra):
        elder = ElderFactory()
        Visit.objects.create(
            elder=elder,
            visitor=data["visitor"],
            visited_on=D(2023, 5, 1),
            method="phone",
            health="normal",
            finances="normal",
            safety="normal",
            needs="urgent",
        )
        Referral.objects.create(elder=elder, kind="meals", due_date=D(2023, 5, 3))
    client.force_login(users[Role.COUNTY_OFFICER])
    for url in ["/api/v1/elders/", "/api/v1/visits/", "/api/v1/referrals/"]:
        with django_assert_max_num_queries(5):
            assert client.get(url).status_code == 200
    for name in ["visits:index", "visits:referrals"]:
        with django_assert_max_num_queries(9):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:elder-detail", args=[data["here"].pk])).status_code == 200


def test_the_visit_form_records_through_the_page(client, users, data):
    client.force_login(users[Role.TOWNSHIP_STAFF])
    url = reverse("visits:visit-create", args=[data["here"].pk])
    page = client.get(url)
    assert page.status_code == 200 and "btn-check" in page.content.decode()
    form = {
        "visited_on": "2023-06-20",
        "visitor": data["visitor"].pk,
        "method": "in_person",
        "health": "normal",
        "finances": "attention",
        "safety": "normal",
        "needs": "normal",
        "finances_note": "低保待续",
    }
    response = client.post(url, form)
    assert response.status_code == 302
    assert Visit.objects.filter(elder=data["here"], visited_on=D(2023, 6, 20)).exists()
    response = client.post(url, {**form, "visited_on": "2099-01-01"})
    assert "巡访日期不能晚于今天" in response.content.decode()
