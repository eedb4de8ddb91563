"""Region pages and API lists stay within a fixed number of queries as rows grow."""

import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import TownshipFactory, VillageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_townships(tree):
    for n in range(30):
        town = TownshipFactory(county=tree["hunchun"], code=f"222404{150 + n:03d}000")
        VillageFactory(parent=town, code=f"{town.code[:9]}201")
        VillageFactory(parent=town, code=f"{town.code[:9]}202")


@pytest.mark.parametrize("role", [Role.PROVINCIAL_ADMIN, Role.COUNTY_OFFICER])
def test_region_page_query_count_is_bounded(
    client, users, many_townships, role, django_assert_max_num_queries
):
    client.force_login(users[role])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("region-detail", args=["222404000000"]))
    assert response.status_code == 200
    assert len(response.context["children"]) == 32
    assert sum(child.village_count for child in response.context["children"]) == 62


def test_dashboard_and_home_query_counts_are_bounded(
    client, users, many_townships, django_assert_max_num_queries
):
    client.force_login(users[Role.PREFECTURE_OFFICER])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboard")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_api_region_list_query_count_is_bounded(
    client, users, many_townships, django_assert_max_num_queries
):
    client.force_login(users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/regions/?page_size=200")
    assert response.json()["count"] == 1 + 32 + 62
