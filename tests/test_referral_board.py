"""The referral board: tabs by state with counts, area/kind/overdue filters, pages of 25."""

import datetime

import pytest
from django.urls import reverse

from core.roles import Role
from tests.factories import ElderFactory
from visits.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def referrals(tree):
    here = ElderFactory(name="本村")
    town2 = ElderFactory(name="敬信", village=tree["hc_village2"])
    far = ElderFactory(name="公主岭", village=tree["gz_village"])
    make = Referral.objects.create
    make(elder=here, kind="meals", due_date=D(2020, 1, 1))  # overdue
    make(elder=town2, kind="medical_treatment", due_date=D(2099, 1, 1))
    make(elder=here, kind="meals", due_date=D(2020, 1, 1), status=ReferralStatus.IN_PROGRESS)
    make(elder=town2, kind="meals", due_date=D(2020, 1, 1), status=ReferralStatus.RESOLVED)
    make(elder=here, kind="meals", due_date=D(2020, 1, 1), status=ReferralStatus.CLOSED)
    make(elder=far, kind="meals", due_date=D(2020, 1, 1))
    return here


def names(response):
    return sorted(r.elder.name for r in response.context["page"])


def test_tabs_count_and_list_each_state(client, users, referrals):
    client.force_login(users[Role.COUNTY_OFFICER])
    url = reverse("visits:referrals")
    response = client.get(url)
    assert response.context["counts"] == {"open": 2, "in_progress": 1, "done": 2}
    assert names(response) == ["敬信", "本村"]
    assert response.context["page"][0].is_overdue  # overdue first
    assert names(client.get(url, {"tab": "in_progress"})) == ["本村"]
    done = client.get(url, {"tab": "done"})
    assert names(done) == ["敬信", "本村"]
    assert "公主岭" not in done.content.decode()


def test_filters_narrow_tabs_and_counts(client, users, tree, referrals):
    client.force_login(users[Role.COUNTY_OFFICER])
    url = reverse("visits:referrals")
    by_area = client.get(url, {"within": tree["hc_town2"].code})
    assert names(by_area) == ["敬信"]
    assert by_area.context["counts"] == {"open": 1, "in_progress": 0, "done": 1}
    assert names(client.get(url, {"kind": "meals"})) == ["本村"]
    assert names(client.get(url, {"overdue": "true"})) == ["本村"]
    # the tab links keep the filters
    assert "kind=meals" in client.get(url, {"kind": "meals"}).context["tab_query"]


def test_a_bad_filter_is_an_error_on_the_page_not_a_500(client, users, referrals):
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(reverse("visits:referrals"), {"kind": "nonsense", "tab": "zzz"})
    assert response.status_code == 200
    assert response.context["tab"] == "open"
    assert list(response.context["page"]) == []
    assert response.context["filters"].errors


def test_the_board_pages(client, users, referrals):
    for n in range(30):
        Referral.objects.create(elder=referrals, kind="meals", due_date=D(2099, 1, 1 + n % 28))
    client.force_login(users[Role.COUNTY_OFFICER])
    first = client.get(reverse("visits:referrals"))
    assert len(first.context["page"]) == 25
    second = client.get(reverse("visits:referrals"), {"page": 2})
    assert len(second.context["page"]) == 7


def test_read_only_roles_see_no_update_links(client, users, referrals):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    response = client.get(reverse("visits:referrals"))
    assert response.status_code == 200
    assert not response.context["can_update"]
    html = response.content.decode()
    for referral in response.context["page"]:
        assert reverse("visits:referral-update", args=[referral.pk]) not in html
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("visits:referrals")).content.decode()
    assert reverse("visits:referral-update", args=[response.context["page"][0].pk]) in html
