"""The full ID number only on the logged detail page of a user whose scope covers the person."""

import pytest
from django.urls import reverse

from core.models import DatasetGrant
from core.roles import Role
from tests.factories import ElderFactory
from visits.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder(tree):
    return ElderFactory(name="朴老汉")


def test_lists_show_the_masked_number_only(client, users, elder):
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("visits:index")).content.decode()
    assert elder.masked_id_number in html and elder.id_number not in html
    html = client.get(reverse("visits:worklist")).content.decode()
    assert elder.id_number not in html
    assert not PersonalDataAccess.objects.exists()


def test_the_api_masks_even_for_the_province(client, users, elder):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    row = client.get("/api/v1/elders/").json()["results"][0]
    assert row["id_number_masked"] == elder.masked_id_number
    assert elder.id_number not in client.get(f"/api/v1/elders/{elder.pk}/").content.decode()


def test_partner_departments_see_masked_data_with_a_grant(client, users, elder):
    partner = users[Role.PARTNER]
    client.force_login(partner)
    assert client.get("/api/v1/elders/").json()["count"] == 0
    DatasetGrant.objects.create(user=partner, dataset="visits")
    body = client.get("/api/v1/elders/").content.decode()
    assert elder.masked_id_number in body and elder.id_number not in body
    assert client.get(reverse("visits:elder-detail", args=[elder.pk])).status_code == 403


def test_the_detail_page_shows_it_and_logs_who_when_whom(client, users, elder):
    client.force_login(users[Role.TOWNSHIP_STAFF])
    html = client.get(reverse("visits:elder-detail", args=[elder.pk])).content.decode()
    assert elder.id_number in html
    access = PersonalDataAccess.objects.get()
    assert (access.user.username, access.elder, access.ip_address) == (
        "township",
        elder,
        "127.0.0.1",
    )
    assert access.viewed_at is not None


def test_outside_the_scope_there_is_no_detail_and_no_log(client, users, tree):
    stranger = ElderFactory(village=tree["gz_village"])
    client.force_login(users[Role.COUNTY_OFFICER])
    assert client.get(reverse("visits:elder-detail", args=[stranger.pk])).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_search_by_name_full_id_number_and_village(client, users, elder, tree):
    ElderFactory(name="李大娘", village=tree["hc_village2"])
    client.force_login(users[Role.COUNTY_OFFICER])

    def names(**params):
        page = client.get(reverse("visits:index"), params).context["page"]
        return {e.name for e in page}

    assert names(q="朴") == {"朴老汉"}
    # the last digits no longer find anyone (an ID oracle, issue 9): the whole number does
    assert names(q=elder.id_number[-4:].lower()) == set()
    assert names(q=elder.id_number.lower()) == {"朴老汉"}
    assert names(within="222404102000") == {"李大娘"}
