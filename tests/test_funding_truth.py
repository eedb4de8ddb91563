"""What the funding reports count (approved, disbursed, settled money; planned apart), how they
read for the province and for an area below it, and the budget figures."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.roles import Role
from funding import selectors
from funding.models import Budget, Renovation
from funding.services import allocation_advance
from tests.test_funding import plan, programs  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def approve(users, allocation, steps=1):
    for _ in range(steps):
        allocation = allocation_advance(user=users[Role.PROVINCIAL_ADMIN], allocation=allocation)
    return allocation


def test_planned_money_is_not_counted_but_shown_apart(users, programs):  # noqa: F811
    # given 2023: 150 approved; 2024 has only a planned allocation (no budget: make one)
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="150"))
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="40")
    Budget.objects.create(
        program=programs["other"], year=2024, source="lottery", amount=Decimal("300000")
    )
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2024, amount="200000")
    # when
    yearly = {r["year"]: r for r in selectors.yearly_totals(user=users[Role.PROVINCIAL_ADMIN])}
    # then the 2023 total is the approved money only, the planned 40 shown apart
    assert yearly[2023]["total"] == Decimal("150.00")
    assert yearly[2023]["planned"] == Decimal("40.00")
    # a year with planned money only adds no growth, no lottery share, no rule verdict
    assert yearly[2024]["total"] == Decimal("0.00")
    assert yearly[2024]["planned"] == Decimal("200000.00")
    assert yearly[2024]["growth"] is None
    assert yearly[2024]["lottery_share"] is None
    assert yearly[2024]["lottery_meets_rule"] is None
    pivot = selectors.year_program_prefecture_pivot(user=users[Role.PROVINCIAL_ADMIN])
    assert pivot == {2023: {"OTHER": {"222400000000": Decimal("150.00")}}}
    progress = selectors.disbursement_progress(user=users[Role.PROVINCIAL_ADMIN], year=2023)
    assert progress[0]["allocated"] == Decimal("150.00")
    assert progress[0]["planned"] == Decimal("40.00")


def test_growth_compares_with_the_year_before_only(users, programs):  # noqa: F811
    Budget.objects.create(
        program=programs["other"], year=2020, source="lottery", amount=Decimal("1000")
    )
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2020, amount="100"))
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2022, amount="100"))
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="125"))
    yearly = {r["year"]: r for r in selectors.yearly_totals(user=users[Role.PROVINCIAL_ADMIN])}
    assert yearly[2022]["growth"] is None  # 2021 has nothing to compare with
    assert yearly[2023]["growth"] == Decimal("0.25")


def test_report_for_the_province_and_for_a_county(client, users, programs, tree):  # noqa: F811
    # given 2023: 珲春 100 lottery, 公主岭 300 provincial (province: lottery share 25% < 55%)
    approve(users, plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="100"))
    approve(
        users,
        plan(
            users,
            programs,
            role=Role.PROVINCIAL_ADMIN,
            program="ops",
            source="provincial",
            region=tree["gongzhuling"],
            amount="300",
            persons_served=1,
        ),
    )
    for village, count in ((tree["hc_village"], 3), (tree["gz_village"], 1)):
        for n in range(count):
            Renovation.objects.create(
                region=village, household=f"户{n}", year=2023, items="扶手", completed_on="2023-9-1"
            )
    # when the province reads it
    province = selectors.yearly_totals(user=users[Role.PROVINCIAL_ADMIN])
    assert province[0]["total"] == Decimal("400.00")
    assert province[0]["lottery_share"] == Decimal("0.25")
    assert province[0]["lottery_meets_rule"] is False
    assert province[0]["share_of_province"] is None
    renovations = selectors.renovation_progress(user=users[Role.PROVINCIAL_ADMIN])
    assert renovations["households"] == 4 and renovations["target"] == 40_000
    assert renovations["share_of_province"] is None
    # when the county officer of 珲春 reads it: own figures, no province rule, share of province
    county = selectors.yearly_totals(user=users[Role.COUNTY_OFFICER])
    assert county[0]["total"] == Decimal("100.00")
    assert county[0]["lottery_share"] == Decimal("1")
    assert county[0]["lottery_meets_rule"] is None
    assert county[0]["share_of_province"] == Decimal("0.25")
    renovations = selectors.renovation_progress(user=users[Role.COUNTY_OFFICER])
    assert renovations["households"] == 3
    assert renovations["target"] is None and renovations["share"] is None
    assert renovations["share_of_province"] == Decimal("0.75")
    # and the pages say so
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("funding:reports")).content.decode()
    assert "珲春市年度资金总额" in html
    assert "全省年度资金总额" not in html
    assert "&lt;55%" not in html and "≥55%" not in html
    assert "40000" not in html
    assert "占全省" in html
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    html = client.get(reverse("funding:reports")).content.decode()
    assert "吉林省年度资金总额" in html
    assert "&lt;55%" in html
    assert "4 / 40000" in html


def test_budget_figures(client, users, programs, django_assert_max_num_queries):  # noqa: F811
    # given the 2023 OTHER lottery budget of 2,000,000: 100 planned, 200 approved, 300
    # disbursed, 400 settled (珲春), and 1,000 disbursed in 公主岭
    plan(users, programs, amount="100")
    approve(users, plan(users, programs, amount="200"))
    approve(users, plan(users, programs, amount="300"), steps=2)
    approve(users, plan(users, programs, amount="400"), steps=3)
    approve(
        users,
        plan(
            users,
            programs,
            role=Role.PROVINCIAL_ADMIN,
            region=users[Role.PREFECTURE_OFFICER].region.parent.children.get(code="220100000000"),
            amount="1000",
        ),
        steps=2,
    )
    # when
    with django_assert_max_num_queries(1):
        budgets = {
            (b.program.code, b.year, b.source): b
            for b in selectors.budget_list(user=users[Role.PROVINCIAL_ADMIN])
        }
    budget = budgets[("OTHER", 2023, "lottery")]
    # then approved counts approved and later; disbursed counts disbursed and settled
    assert budget.planned == Decimal("100.00")
    assert budget.approved == Decimal("1900.00")
    assert budget.disbursed == Decimal("1700.00")
    assert budget.remaining == Decimal("2000000.00") - Decimal("2000.00")
    untouched = budgets[("OTHER", 2022, "lottery")]
    assert (untouched.planned, untouched.approved, untouched.remaining) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("1000000.00"),
    )
    # the county officer sees every budget's figures and their own area's share
    county = {
        (b.program.code, b.year, b.source): b
        for b in selectors.budget_list(user=users[Role.COUNTY_OFFICER])
    }
    assert county[("OTHER", 2023, "lottery")].area_allocated == Decimal("1000.00")
    # the pages: list and detail, query count flat
    client.force_login(users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("funding:budgets"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "199.80" in html  # remaining 1,998,000 yuan in 万元
    response = client.get(reverse("funding:budget", args=[budget.pk]))
    assert response.status_code == 200
    # the detail lists the reader's allocations from the budget only
    assert response.context["allocations"].paginator.count == 4


def test_budget_admin_shows_the_figures(client, users, programs):  # noqa: F811
    approve(users, plan(users, programs, amount="300"), steps=2)
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    html = client.get("/admin/funding/budget/").content.decode()
    assert "1,999,700" in html or "1999700" in html
    assert "column-remaining" in html and "column-disbursed" in html


def test_workflow_dates_never_go_back_nor_into_the_future(users, programs):  # noqa: F811
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    admin = users[Role.PROVINCIAL_ADMIN]
    allocation = plan(users, programs, role=Role.PROVINCIAL_ADMIN, on=datetime.date(2023, 2, 1))
    with pytest.raises(ValidationError):
        allocation_advance(user=admin, allocation=allocation, on=datetime.date(2023, 1, 31))
    with pytest.raises(ValidationError):
        allocation_advance(
            user=admin,
            allocation=allocation,
            on=timezone.localdate() + datetime.timedelta(days=1),
        )
    approved = allocation_advance(user=admin, allocation=allocation, on=datetime.date(2023, 2, 1))
    assert approved.approved_on == datetime.date(2023, 2, 1)
    with pytest.raises(ValidationError):
        plan(users, programs, on=timezone.localdate() + datetime.timedelta(days=1))


def test_the_allocation_form_starts_on_this_year(client, users):
    from django.utils import timezone

    client.force_login(users[Role.COUNTY_OFFICER])
    form = client.get(reverse("funding:create")).context["form"]
    assert form["year"].value() == timezone.localdate().year
