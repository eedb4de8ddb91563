"""Whole sections by grant: a partner department sees "未授权" where it has no grant, its menus
offer only what it was granted, and read-only roles are offered no upload."""

import pytest
from django.urls import reverse

from core.models import DatasetGrant
from core.roles import Dataset, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(users):
    partner = users[Role.PARTNER]
    DatasetGrant.objects.create(user=partner, dataset=Dataset.FUNDING)
    return partner


@pytest.mark.parametrize(
    "url", ["/facilities/", "/facilities/map/", "/visits/", "/visits/referrals/", "/dashboard/"]
)
def test_sections_without_a_grant_answer_not_granted(client, partner, url):
    client.force_login(partner)
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "未授权" in html and "补助资金" in html  # says what it was granted


def test_granted_sections_open_and_the_menus_offer_only_them(client, partner):
    client.force_login(partner)
    assert client.get("/funding/").status_code == 200
    home = client.get("/").content.decode()
    assert 'href="/funding/"' in home
    for url in ['href="/facilities/"', 'href="/visits/"', 'href="/dashboard/"']:
        assert url not in home
    assert 'data-testid="granted"' in home


def test_published_inspection_results_stay_public(client, partner):
    client.force_login(partner)
    assert client.get(reverse("facilities:inspections-published")).status_code == 200


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.PROVINCIAL_LEADER, False),
        (Role.COUNTY_OFFICER, True),
        (Role.TOWNSHIP_STAFF, True),
        (Role.VISITOR, False),
    ],
)
def test_upload_tab_only_for_those_who_may_upload(client, users, role, offered):
    client.force_login(users[role])
    html = client.get(reverse("visits:worklist")).content.decode()
    assert (f'href="{reverse("visits:uploads")}"' in html) is offered


def test_an_empty_login_says_what_is_missing(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="username"' in html and 'data-field="password"' in html
    assert "必填" in html
