"""This month's work list: key elders not yet visited, longest without a visit first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from visits.models import Visit
from visits.selectors import work_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(tree):
    today = timezone.localdate()
    visitor = VisitorFactory(region=tree["hc_village"])
    month_start = today.replace(day=1)

    def visit(elder, on):
        Visit.objects.create(
            elder=elder,
            visitor=visitor,
            visited_on=on,
            method="in_person",
            health="normal",
            finances="normal",
            safety="normal",
            needs="normal",
        )

    ElderFactory(name="从未巡访")
    long_ago = ElderFactory(name="三个月前")
    visit(long_ago, month_start - datetime.timedelta(days=80))
    last_month = ElderFactory(name="上个月")
    visit(last_month, month_start - datetime.timedelta(days=3))
    done = ElderFactory(name="本月已访")
    visit(done, month_start)
    ElderFactory(name="非重点", is_living_alone=False)
    ElderFactory(
        name="已去世",
        residence="deceased",
        residence_since=month_start - datetime.timedelta(days=40),
    )
    ElderFactory(name="别的乡镇", village=tree["hc_village2"])
    ElderFactory(name="别的县", village=tree["gz_village"])
    return today


def names(queryset):
    return [e.name for e in queryset]


def test_order_and_membership(users, village):
    rows = work_list(user=users[Role.COUNTY_OFFICER], today=village)
    assert names(rows) == ["从未巡访", "别的乡镇", "三个月前", "上个月"]


def test_scope_of_township_staff_and_visitor(users, village):
    assert names(work_list(user=users[Role.TOWNSHIP_STAFF], today=village)) == [
        "从未巡访",
        "三个月前",
        "上个月",
    ]
    assert "别的县" in names(work_list(user=users[Role.PROVINCIAL_ADMIN], today=village))


@pytest.mark.parametrize("extra", [0, 40])
def test_work_list_page_query_count_is_bounded(
    client, users, village, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        ElderFactory()
    client.force_login(users[Role.VISITOR])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("visits:worklist"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 3 + extra
