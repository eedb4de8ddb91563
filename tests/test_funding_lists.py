"""The allocation list: a year picker of the years with money, a totals row over the filters."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from funding.forms import AllocationForm
from tests.test_funding import plan, programs  # noqa: F401 (the fixture)
from tests.test_funding_truth import approve

pytestmark = pytest.mark.django_db


def test_year_picker_and_totals(client, users, programs):  # noqa: F811
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="150"))
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="40")
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    response = client.get(reverse("funding:index"))
    html = response.content.decode()
    this_year = timezone.localdate().year
    assert response.context["years"][0] == this_year and 2023 in response.context["years"]
    assert '<select class="form-select form-select-sm" id="f-year" name="year">' in html
    totals = response.context["totals"]
    assert (totals["count"], str(totals["counted"]), str(totals["planned"])) == (
        2,
        "150.00",
        "40.00",
    )
    assert 'id="allocation-totals"' in html
    filtered = client.get(reverse("funding:index"), {"year": "2023"})
    assert 'value="2023" selected' in filtered.content.decode()


def test_the_allocation_form_picks_a_year(users, programs):  # noqa: F811
    form = AllocationForm(user=users[Role.COUNTY_OFFICER])
    html = str(form["year"])
    assert html.startswith("<select")
    assert f'value="{timezone.localdate().year}"' in html
