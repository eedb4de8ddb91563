"""Funding rules, workflow, adjustments, audit trail, reports, exports, scope, query counts."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEntry, DatasetGrant
from core.roles import Role
from funding import selectors
from funding.models import Allocation, Budget, Program, Renovation
from funding.services import (
    allocation_adjust,
    allocation_advance,
    allocation_create,
    allocation_update,
)
from tests.conftest import require
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programs(db):
    emb = Program.objects.create(
        code="EMB",
        name_zh="嵌入式中心",
        name_en="Embedded",
        kind="construction_per_m2",
        rate=Decimal("1000"),
        cap_per_project=Decimal("1000000"),
        facility_kind="embedded_community_center",
    )
    ops = Program.objects.create(
        code="OPS",
        name_zh="运营补贴",
        name_en="Operating",
        kind="operating_per_person",
        rate=Decimal("1000"),
    )
    other = Program.objects.create(code="OTHER", name_zh="其他", name_en="Other", kind="other")
    for program, year, source, amount in [
        (emb, 2023, "lottery", "3000000"),
        (other, 2022, "lottery", "1000000"),
        (other, 2022, "provincial", "1000000"),
        (other, 2023, "lottery", "2000000"),
        (ops, 2023, "provincial", "1000000"),
    ]:
        Budget.objects.create(program=program, year=year, source=source, amount=Decimal(amount))
    return {"emb": emb, "ops": ops, "other": other}


def plan(
    users,
    programs,
    role=Role.COUNTY_OFFICER,
    region=None,
    program="other",
    year=2023,
    source="lottery",
    amount="100000",
    **extra,
):
    return allocation_create(
        user=users[role],
        program=programs[program],
        year=year,
        source=source,
        region=region or users[Role.COUNTY_OFFICER].region,
        amount=amount,
        **extra,
    )


def test_the_budget_ceiling(users, programs):
    plan(users, programs, amount="1500000.00")
    with pytest.raises(ValidationError) as error:
        plan(users, programs, amount="500000.01")
    assert "500000.00" in error.value.message_dict["amount"][0]
    assert plan(users, programs, amount="500000.00").pk
    with pytest.raises(ValidationError, match="预算"):
        plan(users, programs, year=2024)  # no budget that year


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_cannot_both_take_the_last_money(users, programs):
    require(connection.vendor == "postgresql", "row locks are tested on PostgreSQL (CI runs it)")
    plan(users, programs, amount="1400000")  # 600,000 left of 2,000,000
    barrier = threading.Barrier(2)
    outcomes = []

    def allocate():
        from django.db import connections

        try:
            barrier.wait()
            plan(users, programs, amount="600000")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Allocation.objects.filter(year=2023, program__code="OTHER").count() == 2


def test_construction_rate_and_cap(users, programs, tree):
    centre = FacilityFactory(kind="embedded_community_center", region=tree["hc_town"])
    small = {"program": "emb", "facility": centre, "region": tree["hc_town"]}
    with pytest.raises(ValidationError) as error:
        plan(users, programs, amount="480000.01", floor_area=Decimal("480"), **small)
    assert "480000.00" in error.value.message_dict["amount"][0]
    assert plan(users, programs, amount="480000", floor_area=Decimal("480"), **small).pk
    with pytest.raises(ValidationError):  # 1,500 m² would be 1.5M: the cap is 1M
        plan(users, programs, amount="1000000.01", floor_area=Decimal("1500"), **small)
    assert plan(users, programs, amount="1000000", floor_area=Decimal("1500"), **small).pk
    with pytest.raises(ValidationError) as error:
        plan(users, programs, amount="100", **small)
    assert "floor_area" in error.value.message_dict


def test_per_person_subsidy_is_bounded_by_persons_served(users, programs):
    with pytest.raises(ValidationError):
        plan(users, programs, program="ops", source="provincial", amount="50001", persons_served=50)
    assert plan(
        users, programs, program="ops", source="provincial", amount="50000", persons_served=50
    ).pk


def test_the_facility_lies_in_the_region(users, programs, tree):
    outside = FacilityFactory(kind="embedded_community_center", region=tree["hc_town2"])
    with pytest.raises(ValidationError) as error:
        plan(
            users,
            programs,
            program="emb",
            region=tree["hc_town"],
            facility=outside,
            floor_area=Decimal("600"),
            amount="600000",
        )
    assert "facility" in error.value.message_dict


def test_forward_only_workflow_by_role(users, programs):
    allocation = plan(users, programs)
    with pytest.raises(PermissionDenied):  # a county officer cannot approve
        allocation_advance(user=users[Role.COUNTY_OFFICER], allocation=allocation)
    with pytest.raises(PermissionDenied):
        allocation_advance(user=users[Role.PROVINCIAL_LEADER], allocation=allocation)
    admin = users[Role.PROVINCIAL_ADMIN]
    allocation = allocation_advance(user=admin, allocation=allocation)
    assert (allocation.status, allocation.approved_by) == ("approved", admin)
    allocation = allocation_advance(user=admin, allocation=allocation)
    assert allocation.status == "disbursed" and allocation.disbursed_on
    allocation = allocation_advance(user=users[Role.COUNTY_OFFICER], allocation=allocation)
    assert allocation.status == "settled"
    with pytest.raises(ValidationError):
        allocation_advance(user=admin, allocation=allocation)


def test_corrections_after_disbursement_are_adjusting_entries(users, programs):
    admin = users[Role.PROVINCIAL_ADMIN]
    allocation = plan(users, programs, amount="300000")
    allocation_update(user=users[Role.COUNTY_OFFICER], allocation=allocation, amount="250000")
    for _ in range(2):
        allocation = allocation_advance(user=admin, allocation=allocation)
    with pytest.raises(ValidationError):
        allocation_update(user=users[Role.COUNTY_OFFICER], allocation=allocation, amount="1")
    adjustment = allocation_adjust(
        user=users[Role.COUNTY_OFFICER],
        allocation=allocation,
        amount="-50000.50",
        purpose="项目面积核减",
    )
    allocation.refresh_from_db()
    assert allocation.amount == Decimal("250000.00")  # the original never changes
    assert (adjustment.adjusts, adjustment.amount) == (allocation, Decimal("-50000.50"))
    with pytest.raises(ValidationError):
        allocation_adjust(
            user=users[Role.COUNTY_OFFICER],
            allocation=allocation,
            amount="-200000",
            purpose="超额核减",
        )


def test_amounts_are_exact_decimals(users, programs):
    for amount in ("0.10", "0.20"):
        allocation_advance(
            user=users[Role.PROVINCIAL_ADMIN], allocation=plan(users, programs, amount=amount)
        )
    rows = selectors.yearly_totals(user=users[Role.PROVINCIAL_ADMIN])
    assert rows[-1]["total"] == Decimal("0.30")
    with pytest.raises(TypeError):
        plan(users, programs, amount=0.1)


def test_every_change_is_in_the_audit_trail(users, programs):
    allocation = plan(users, programs, amount="100000")
    allocation_update(user=users[Role.COUNTY_OFFICER], allocation=allocation, amount="90000")
    allocation_advance(user=users[Role.PROVINCIAL_ADMIN], allocation=allocation)
    entries = list(AuditEntry.objects.filter(object_id=str(allocation.pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "approved"]
    assert entries[1].before["amount"] == "100000.00" and entries[1].after["amount"] == "90000.00"
    assert entries[2].before["status"] == "planned" and entries[2].after["status"] == "approved"
    assert entries[2].actor == users[Role.PROVINCIAL_ADMIN]


def test_report_figures_on_a_small_dataset(users, programs, tree):
    admin = users[Role.PROVINCIAL_ADMIN]
    # 2022: 100 (lottery, 珲春) + 60 (provincial, 公主岭); 2023: 150 lottery + 50 provincial
    a = plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2022, amount="100")
    plan(
        users,
        programs,
        role=Role.PROVINCIAL_ADMIN,
        year=2022,
        source="provincial",
        region=tree["gongzhuling"],
        amount="60",
    )
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="150")
    plan(
        users,
        programs,
        role=Role.PROVINCIAL_ADMIN,
        program="ops",
        source="provincial",
        amount="50",
        persons_served=1,
    )
    # every allocation approved (only approved money counts); the first one disbursed too
    for allocation in Allocation.objects.exclude(pk=a.pk):
        allocation_advance(user=admin, allocation=allocation)
    for _ in range(2):
        a = allocation_advance(user=admin, allocation=a)
    yearly = selectors.yearly_totals(user=admin)
    assert [(r["year"], r["total"]) for r in yearly] == [
        (2022, Decimal("160.00")),
        (2023, Decimal("200.00")),
    ]
    assert yearly[1]["growth"] == Decimal("0.25")
    assert yearly[0]["lottery_share"] == Decimal("0.625") and yearly[0]["lottery_meets_rule"]
    assert yearly[1]["lottery_share"] == Decimal("0.75")
    pivot = selectors.year_program_prefecture_pivot(user=admin)
    assert pivot[2022]["OTHER"] == {
        "222400000000": Decimal("100.00"),
        "220100000000": Decimal("60.00"),
    }
    progress = {
        r["program__code"]: r for r in selectors.disbursement_progress(user=admin, year=2022)
    }
    assert progress["OTHER"]["disbursed"] == Decimal("100.00")
    assert progress["OTHER"]["share"] == Decimal("0.625")
    FacilityFactory(residents=40, region=tree["hc_town"])
    FacilityFactory(residents=10, region=tree["gz_town"])
    FacilityFactory(residents=99, region=tree["hc_town"], status="closed")
    subsidies = selectors.per_person_subsidies(user=admin, program=programs["ops"])
    assert [(r["prefecture"], r["residents"], r["subsidy"]) for r in subsidies] == [
        ("2201", 10, Decimal("10000.00")),
        ("2224", 40, Decimal("40000.00")),
    ]
    Renovation.objects.create(
        region=tree["hc_village"],
        household="金家",
        year=2023,
        items="扶手",
        completed_on=datetime.date(2023, 9, 1),
    )
    Renovation.objects.create(region=tree["hc_village"], household="朴家", year=2023, items="坡道")
    progress = selectors.renovation_progress(user=admin)
    assert (progress["households"], progress["target"]) == (1, 40000)


def test_reports_page_and_xlsx_export(client, users, programs):
    for year, amount in ((2022, "1700"), (2023, "2100")):
        allocation_advance(
            user=users[Role.PROVINCIAL_ADMIN],
            allocation=plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=year, amount=amount),
        )
    client.force_login(users[Role.PROVINCIAL_LEADER])
    page = client.get(reverse("funding:reports"))
    assert page.status_code == 200 and "23.5%" in page.content.decode()
    response = client.get(reverse("funding:reports"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    yearly = list(workbook["按年度汇总"].iter_rows(values_only=True))
    assert yearly[1][:2] == (2022, 1700) and yearly[2][:2] == (2023, 2100)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROVINCIAL_ADMIN, {"珲春市", "公主岭市"}),
        (Role.PREFECTURE_OFFICER, {"珲春市"}),
        (Role.COUNTY_OFFICER, {"珲春市"}),
        (Role.TOWNSHIP_STAFF, set()),
        (Role.PARTNER, set()),
    ],
)
def test_scope_per_role(client, users, programs, tree, role, expected):
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, amount="10")
    plan(users, programs, role=Role.PROVINCIAL_ADMIN, region=tree["gongzhuling"], amount="10")
    client.force_login(users[role])
    rows = client.get("/api/v1/allocations/").json()["results"]
    names = {a.region.name for a in Allocation.objects.filter(pk__in=[r["id"] for r in rows])}
    assert names == expected


def test_the_finance_department_reads_with_its_grant_and_cannot_write(client, users, programs):
    plan(users, programs, amount="10")
    partner = users[Role.PARTNER]
    DatasetGrant.objects.create(user=partner, dataset="funding")
    client.force_login(partner)
    assert client.get("/api/v1/allocations/?year=2023&program=OTHER").json()["count"] == 1
    assert client.get("/api/v1/programs/").json()["count"] == 3
    response = client.post(
        "/api/v1/allocations/",
        {
            "program": "OTHER",
            "year": 2023,
            "source": "lottery",
            "region": "222404000000",
            "amount": "5",
        },
        content_type="application/json",
    )
    assert response.status_code == 403


def test_api_create_goes_through_the_rules(client, users, programs):
    client.force_login(users[Role.COUNTY_OFFICER])
    payload = {
        "program": "OTHER",
        "year": 2023,
        "source": "lottery",
        "region": "222404000000",
        "amount": "2000000.01",
    }
    response = client.post("/api/v1/allocations/", payload, content_type="application/json")
    assert response.status_code == 400 and "amount" in response.json()
    payload["amount"] = "1999999.99"
    assert (
        client.post("/api/v1/allocations/", payload, content_type="application/json").status_code
        == 201
    )


@pytest.mark.parametrize("rows", [2, 30])
def test_list_query_counts_do_not_grow(
    client, users, programs, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        plan(users, programs, amount="10")
    client.force_login(users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("funding:index")).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/allocations/").status_code == 200
    # (two of them read the province's totals, for the area's share of the province)
    with django_assert_max_num_queries(17):
        assert client.get(reverse("funding:reports")).status_code == 200


def test_renovations_are_recorded_in_the_admin(client, users, tree):
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    response = client.post(
        "/admin/funding/renovation/add/",
        {
            "region": tree["hc_village"].pk,
            "household": "金家",
            "year": "2024",
            "items": "扶手、防滑",
            "amount": "3000.00",
            "completed_on": "2024-05-01",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert Renovation.objects.get().household == "金家"
