"""The offline app's server side: who gets it, what goes onto the phone (the visitor's own
area only, masked ID numbers), the service worker's scope and the manifest."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from visits.models import PersonalDataAccess, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(users, tree):
    me = VisitorFactory(name="崔巡访", region=tree["hc_village"], user=users[Role.VISITOR])
    other = VisitorFactory(name="朴巡访", region=tree["hc_village"])
    here = ElderFactory(name="金顺姬", phone="13900000001")
    seen = ElderFactory(name="朴永哲")
    ElderFactory(name="敬信老人", village=tree["hc_village2"])  # same county, other township
    ElderFactory(name="公主岭老人", village=tree["gz_village"])
    today = timezone.localdate()
    Visit.objects.create(
        elder=seen,
        visitor=other,
        visited_on=today,
        method="phone",
        health="urgent",
        health_note="x",
        finances="normal",
        safety="normal",
        needs="normal",
    )
    return {"me": me, "here": here, "seen": seen, "today": today}


def test_the_phone_gets_only_the_visitors_own_area_masked(client, users, area):
    # given the visitor of 东阿拉村
    client.force_login(users[Role.VISITOR])
    # when the phone downloads its list
    response = client.get(reverse("visits:offline-data"))
    # then only the visitor's village is in it, ID numbers masked, nothing cached on the way
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert {e["name"] for e in data["elders"]} == {"金顺姬", "朴永哲"}
    assert data["visitor"] == area["me"].pk and data["user"] == users[Role.VISITOR].pk
    assert area["here"].id_number not in response.content.decode()
    person = next(e for e in data["elders"] if e["name"] == "金顺姬")
    assert person["idMasked"] == area["here"].masked_id_number
    assert person["visitedThisMonth"] is False and person["visits"] == []
    # never visited first, as on the work list; the other visitor's visit travels with its name
    assert data["elders"][0]["name"] == "金顺姬"
    seen = data["elders"][1]
    assert seen["visitedThisMonth"] is True
    assert seen["visits"][0]["visitor"] == "朴巡访" and seen["visits"][0]["urgent"] == ["身体"]
    # and downloading is not a look at the full ID numbers
    assert PersonalDataAccess.objects.count() == 0


def test_the_download_costs_a_fixed_number_of_queries(
    client, users, area, django_assert_max_num_queries
):
    for n in range(20):
        elder = ElderFactory(name=f"加{n}")
        for days in (40, 70, 100, 130):
            Visit.objects.create(
                elder=elder,
                visitor=area["me"],
                visited_on=area["today"] - datetime.timedelta(days=days),
                method="in_person",
                health="normal",
                finances="normal",
                safety="normal",
                needs="normal",
            )
    client.force_login(users[Role.VISITOR])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("visits:offline-data"))
    assert len(response.json()["elders"]) == 22
    assert all(len(e["visits"]) <= 3 for e in response.json()["elders"])


@pytest.mark.parametrize(
    "role",
    [
        Role.PROVINCIAL_ADMIN,
        Role.COUNTY_OFFICER,
        Role.TOWNSHIP_STAFF,
        Role.PROVINCIAL_LEADER,
        Role.PARTNER,
    ],
)
def test_other_roles_get_no_offline_copy(client, users, area, role):
    client.force_login(users[role])
    assert client.get(reverse("visits:offline-data")).status_code == 403
    assert client.get(reverse("visits:offline")).status_code == 403


def test_a_visitor_account_without_a_visitor_profile_gets_none(client, users, tree):
    client.force_login(users[Role.VISITOR])
    assert client.get(reverse("visits:offline-data")).status_code == 403


def test_anonymous_is_sent_to_login(client, area):
    response = client.get(reverse("visits:offline-data"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_shell_carries_no_personal_data(client, users, area):
    client.force_login(users[Role.VISITOR])
    page = client.get(reverse("visits:offline")).content.decode()
    assert "金顺姬" not in page and "13900000001" not in page
    assert 'rel="manifest"' in page and "offline-config" in page
    assert "<script>" not in page  # data in json_script, code in static files


def test_the_work_list_offers_the_offline_app_to_visitors_only(client, users, area):
    client.force_login(users[Role.VISITOR])
    assert "offline-app-link" in client.get(reverse("visits:worklist")).content.decode()
    client.force_login(users[Role.TOWNSHIP_STAFF])
    assert "offline-app-link" not in client.get(reverse("visits:worklist")).content.decode()


def test_the_service_worker_covers_the_visitors_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/visits/"
    body = response.content.decode()
    assert 'const SHELL_URL = "/visits/offline/"' in body
    assert "/static/vendor/dexie/dexie.min.js" in body
    assert "http://" not in body.split("*/", 1)[1] and "https://" not in body


def test_the_manifest_is_chinese_and_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "吉林巡访（离线）" and manifest["short_name"]
    assert manifest["display"] == "standalone" and manifest["scope"] == "/visits/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
