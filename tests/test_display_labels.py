"""What staff read: grades as 四级, regions with their parent, in the list, filter and form."""

import pytest
from django.urls import reverse

from core.roles import Role
from facilities.forms import FacilityForm
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def test_facility_grade_reads_as_a_chinese_grade(client, users, tree):
    facility = FacilityFactory(name="四级院", grade=4, graded_on="2023-01-01")
    client.force_login(users[Role.COUNTY_OFFICER])
    listing = client.get(reverse("facilities:index")).content.decode()
    assert "四级" in listing
    assert ">四级</option>" in listing  # the grade filter
    detail = client.get(reverse("facilities:detail", args=[facility.pk])).content.decode()
    assert "四级" in detail


def test_region_choices_are_labelled_with_their_parent(users, tree):
    form = FacilityForm(user=users[Role.COUNTY_OFFICER])
    labels = {label for _value, label in form.fields["region"].choices}
    assert "春化镇（珲春市）" in labels
    assert "东阿拉村（春化镇）" in labels


def test_region_labels_cost_one_query(users, tree, django_assert_max_num_queries):
    form = FacilityForm(user=users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(2):
        list(form.fields["region"].choices)


def test_names_read_family_name_first_and_fall_back_to_the_username():
    from core.models import User

    assert User(username="zs", first_name="三", last_name="张").display_name == "张三"
    assert User(username="zs").display_name == "zs"


def test_facility_list_totals_sum_every_filtered_row_not_just_the_page(client, users, tree):
    for _ in range(30):  # more than a page
        FacilityFactory(total_beds=10, nursing_beds=6, residents=4)
    FacilityFactory(region=tree["gongzhuling"], total_beds=999)  # outside the officer's county
    client.force_login(users[Role.COUNTY_OFFICER])
    totals = client.get(reverse("facilities:index")).context["totals"]
    assert totals == {
        "count": 30,
        "total_beds": 300,
        "nursing_beds": 180,
        "dementia_beds": 0,
        "residents": 120,
    }


def test_the_portal_says_xunfang_not_tanfang(client, users):
    """The province's term for home visits is 巡访 (巡访关爱); 探访 appears nowhere."""
    from pathlib import Path

    catalog = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"
    assert "探访" not in catalog.read_text(encoding="utf-8")
