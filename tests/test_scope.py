"""Each role sees only its own subtree: the QuerySet method, the pages and the API."""

import pytest
from django.urls import reverse

from core.models import DatasetGrant, Region, RegionQuerySet
from core.roles import Dataset, Role
from core.scope import scope_for

pytestmark = pytest.mark.django_db


def visible_codes(user):
    return set(Region.objects.visible_to(user).values_list("code", flat=True))


def test_province_wide_roles_see_everything(users, tree):
    everything = set(Region.objects.values_list("code", flat=True))
    assert visible_codes(users[Role.PROVINCIAL_ADMIN]) == everything
    assert visible_codes(users[Role.PROVINCIAL_LEADER]) == everything


def test_prefecture_officer_sees_only_the_prefecture_subtree(users, tree):
    codes = visible_codes(users[Role.PREFECTURE_OFFICER])
    assert "222400000000" in codes and tree["hc_village"].code in codes
    assert all(code.startswith("2224") for code in codes)
    assert tree["gz_village"].code not in codes
    assert "220000000000" not in codes  # not even the province above


def test_county_officer_sees_only_the_county_subtree(users, tree):
    codes = visible_codes(users[Role.COUNTY_OFFICER])
    assert codes == {"222404000000", "222404101000", "222404101201", "222404102000", "222404102201"}


def test_township_staff_sees_only_the_township(users, tree):
    assert visible_codes(users[Role.TOWNSHIP_STAFF]) == {"222404101000", "222404101201"}


def test_visitor_sees_only_the_village(users, tree):
    assert visible_codes(users[Role.VISITOR]) == {"222404101201"}


def test_anonymous_and_inactive_users_and_users_without_region_see_nothing(users, tree):
    from django.contrib.auth.models import AnonymousUser

    assert visible_codes(AnonymousUser()) == set()
    officer = users[Role.COUNTY_OFFICER]
    officer.is_active = False
    assert visible_codes(officer) == set()
    from tests.factories import UserFactory

    assert visible_codes(UserFactory(username="lost", region=None)) == set()


class FundingRows(RegionQuerySet):
    """A stand-in for a dataset-scoped model's QuerySet (funding), built on regions."""

    dataset = Dataset.FUNDING


def test_partner_department_sees_only_granted_datasets(users, tree):
    partner = users[Role.PARTNER]
    funding_rows = FundingRows(model=Region)
    assert not funding_rows.visible_to(partner).exists()
    DatasetGrant.objects.create(user=partner, dataset=Dataset.FUNDING)
    partner.refresh_from_db()
    partner.__dict__.pop("_eldercare_scope", None)
    assert funding_rows.visible_to(partner).count() == Region.objects.count()
    # reference data (regions) needs no grant
    assert Region.objects.visible_to(partner).count() == Region.objects.count()
    assert scope_for(partner).allows_dataset(Dataset.FUNDING)
    assert not scope_for(partner).allows_dataset(Dataset.VISITS)


@pytest.mark.parametrize(
    ("role", "inside", "outside"),
    [
        (Role.PREFECTURE_OFFICER, "222404000000", "220184000000"),
        (Role.COUNTY_OFFICER, "222404101000", "220184101000"),
        (Role.TOWNSHIP_STAFF, "222404101201", "222404102000"),
        (Role.VISITOR, "222404101201", "222404102201"),
    ],
)
def test_pages_and_api_refuse_regions_outside_the_subtree(client, users, role, inside, outside):
    client.force_login(users[role])
    assert client.get(reverse("region-detail", args=[inside])).status_code == 200
    assert client.get(reverse("region-detail", args=[outside])).status_code == 404
    assert client.get(f"/api/v1/regions/{inside}/").status_code == 200
    assert client.get(f"/api/v1/regions/{outside}/").status_code == 404
    listed = {row["code"] for row in client.get("/api/v1/regions/?page_size=500").json()["results"]}
    assert inside in listed and outside not in listed


def test_api_regions_are_read_only(client, users):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    response = client.post("/api/v1/regions/", {"code": "222404109000", "name": "x"})
    assert response.status_code == 405


def test_api_requires_authentication(client, tree):
    assert client.get("/api/v1/regions/").status_code in (401, 403)


def test_api_token_authentication_for_partner_systems(client, users):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users[Role.PARTNER])
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["role"] == "partner"
    assert response.json()["read_only"] is True


def test_api_filters_by_level_and_subtree(client, users, tree):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    rows = client.get("/api/v1/regions/?within=222400000000&level=county").json()["results"]
    assert len(rows) == 8 and all(row["parent_code"] == "222400000000" for row in rows)
    border = client.get("/api/v1/regions/?is_border=true&page_size=100").json()
    assert border["count"] == 10


def test_breadcrumbs_do_not_reveal_regions_above_the_scope(client, users):
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(reverse("region-detail", args=["222404101000"]))
    assert [r.code for r in response.context["ancestors"]] == ["222404000000"]
    assert "延边朝鲜族自治州" not in response.content.decode()
