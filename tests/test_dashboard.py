"""The leadership dashboard and the indicator API: stored values, scope per role, exports, the
way from a visit rate to the people not visited, targets edited by the administrator only."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import DatasetGrant
from core.roles import Dataset, Role
from indicators.choices import IndicatorCode, RunStatus
from indicators.models import IndicatorValue, RollupRun, Target
from indicators.services import rollup_month
from tests.factories import ElderFactory, TownshipFactory, VillageFactory, VisitorFactory
from tests.test_indicators import visit

pytestmark = pytest.mark.django_db
D = datetime.date
OCT, SEP = D(2023, 10, 1), D(2023, 9, 1)


@pytest.fixture
def rolled(tree):
    """Four key elders in 东阿拉村 (one visited in October), one in 大房村 (visited); rolled up
    for September and October."""
    village = tree["hc_village"]
    visitor = VisitorFactory(region=village, name="王巡访")
    elders = [ElderFactory(name=n, village=village, assigned_visitor=visitor) for n in "甲乙丙丁"]
    visit(elders[0], D(2023, 10, 5), visitor)
    for elder in elders[:3]:
        visit(elder, D(2023, 9, 5), visitor)
    gz = ElderFactory(name="戊", village=tree["gz_village"])
    visit(gz, D(2023, 10, 9), VisitorFactory(region=tree["gz_village"]))
    for month in (SEP, OCT):
        rollup_month(month=month, today=D(2023, 12, 1))
    return elders


def test_leader_sees_the_province_against_its_targets(client, users, rolled):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    board = response.context["board"]
    # the latest stored month by default, the province's own figures
    assert board.month == OCT and board.region.code == "220000000000"
    card = next(c for c in board.cards if c.definition.code == IndicatorCode.VISIT_RATE)
    assert (card.current.numerator, card.current.denominator) == (2, 5)
    assert 'data-testid="value-visit_rate">40.0%<' in html
    # September: 3 of 5 visited (60%): down 20 points
    assert card.change_text == "−20.0 pp"
    assert "未达标" in html  # 40% against 100%
    # the bar chart gets the prefectures with figures, each linking one level down
    areas = response.context["chart"]["areas"]
    assert {a["name"] for a in areas} >= {"延边朝鲜族自治州", "长春市"}
    yanbian = next(a for a in areas if a["name"] == "延边朝鲜族自治州")
    assert yanbian["value"] == 25.0 and "region=222400000000" in yanbian["url"]
    assert response.context["chart"]["map"].endswith("vendor/echarts-maps/jilin/220000.json")
    # facility figures name their facilities: the facility list, filtered the same way
    assert (
        'href="/facilities/?within=220000000000&amp;status=operating&amp;kind=embedded_community_center"'
        in html
    )
    # the ranking lists the prefectures furthest below target first
    ranking = [row.region.name for row, _gap in board.ranking]
    assert ranking[0] == "延边朝鲜族自治州"
    assert "长春市" not in ranking  # 100%: met
    # no inline script or style for the CSP: data through json_script only
    assert "style=" not in html.split("<main")[1]
    assert '<script id="dashboard-data" type="application/json">' in html


def test_drill_down_to_a_county_and_its_townships(client, users, rolled, tree):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    response = client.get(reverse("dashboard"), {"region": "222404000000", "month": "2023-10"})
    board = response.context["board"]
    assert board.region == tree["hunchun"]
    assert [row.region.name for row in board.areas] == ["春化镇", "敬信镇"]
    assert response.context["chart"]["map"] is None  # no outlines below county level
    assert [a.name for a in response.context["ancestors"]] == ["吉林省", "延边朝鲜族自治州"]


def test_from_the_visit_rate_to_the_people_not_visited_and_their_visitors(
    client, users, rolled, tree
):
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(reverse("dashboard"), {"month": "2023-10"})
    url = response.context["worklist_url"]
    assert url == "/visits/worklist/?within=222404000000&month=2023-10"
    assert 'data-testid="not-visited-link"' in response.content.decode()
    listing = client.get(url)
    names = [e.name for e in listing.context["page"]]
    assert sorted(names) == ["丁", "丙", "乙"]  # 甲 was visited in October
    html = listing.content.decode()
    assert "王巡访" in html and "2023-10" in html


@pytest.mark.parametrize(
    ("role", "root", "hidden"),
    [
        (Role.PREFECTURE_OFFICER, "222400000000", "220184000000"),
        (Role.COUNTY_OFFICER, "222404000000", "220184000000"),
        (Role.TOWNSHIP_STAFF, "222404101000", "222404102000"),
    ],
)
def test_each_role_sees_its_own_subtree_only(client, users, rolled, role, root, hidden):
    client.force_login(users[role])
    response = client.get(reverse("dashboard"))
    assert response.context["board"].region.code == root
    assert client.get(reverse("dashboard"), {"region": hidden}).status_code == 404
    assert client.get(reverse("dashboard"), {"region": "220000000000"}).status_code == 404


def test_partners_need_the_indicators_grant(client, users, rolled):
    partner = users[Role.PARTNER]
    client.force_login(partner)
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get("/api/v1/indicators/").json()["count"] == 0
    DatasetGrant.objects.create(user=partner, dataset=Dataset.INDICATORS)
    partner.refresh_from_db()
    client.force_login(partner)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    # without the visits grant, no way to the named people
    assert 'data-testid="not-visited-link"' not in response.content.decode()
    assert client.get("/api/v1/indicators/").json()["count"] > 0


def test_dashboard_query_count_is_bounded(
    client, users, rolled, tree, django_assert_max_num_queries
):
    for n in range(30):
        town = TownshipFactory(county=tree["hunchun"], code=f"222404{150 + n:03d}000")
        VillageFactory(parent=town, code=f"{town.code[:9]}201")
    rollup_month(month=OCT, today=D(2023, 12, 1))
    for role, region in ((Role.PROVINCIAL_LEADER, "222404000000"), (Role.COUNTY_OFFICER, "")):
        client.force_login(users[role])
        with django_assert_max_num_queries(12):
            response = client.get(reverse("dashboard"), {"region": region, "month": "2023-10"})
        assert len(response.context["board"].areas) == 32


def test_every_table_exports_as_xlsx(client, users, rolled):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    for table, first_row_cells in (
        ("summary", {"月巡访率", "吉林省", "2023-10", 2, 5, "40.0%", "100.0%", "未达标"}),
        ("areas", {"222400000000", "延边朝鲜族自治州", "25.0%"}),
        ("trend", {"2023-09", "60.0%"}),
    ):
        response = client.get(
            reverse("dashboard"),
            {"month": "2023-10", "indicator": "visit_rate", "export": table, "format": "xlsx"},
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        cells = {cell for row in rows[1:] for cell in row}
        assert first_row_cells <= cells, (table, rows)


def test_administrator_recomputes_a_month_and_sees_the_progress(
    client, users, rolled, django_capture_on_commit_callbacks
):
    admin = users[Role.PROVINCIAL_ADMIN]
    client.force_login(admin)
    assert 'data-testid="recompute"' in client.get(reverse("dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard-recompute"), {"month": "2023-10"})
    run = RollupRun.objects.get(requested_by=admin)
    assert response.url == reverse("dashboard-run", args=[run.pk])
    assert (run.status, run.progress_percent, run.rows_written) == (
        RunStatus.DONE,
        100,
        run.rows_written,
    )
    assert run.rows_written == IndicatorValue.objects.filter(month=OCT).count()
    status = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="run-progress">100%' in status and "hx-trigger" not in status
    # a queued run polls
    queued = RollupRun.objects.create(month=OCT)
    assert "hx-trigger" in client.get(reverse("dashboard-run", args=[queued.pk])).content.decode()
    # the leader may not press it
    client.force_login(users[Role.PROVINCIAL_LEADER])
    assert client.post(reverse("dashboard-recompute"), {"month": "2023-10"}).status_code == 403
    assert 'data-testid="recompute"' not in client.get(reverse("dashboard")).content.decode()


def test_targets_are_edited_by_the_provincial_administrator_only(client, users, tree):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    page = client.get(reverse("targets")).content.decode()
    assert "50000" not in page and "40000" in page  # the seeds' renovation target
    assert client.get(reverse("target-create")).status_code == 403
    assert client.post(reverse("target-create"), {}).status_code == 403
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    form = {"indicator": "visit_rate", "region": tree["hunchun"].pk, "year": 2024, "value": "95",
            "comparison": "at_least", "note": "珲春市2024"}  # fmt: skip
    assert client.post(reverse("target-create"), form).status_code == 302
    target = Target.objects.get(note="珲春市2024")
    assert (target.region, target.value) == (tree["hunchun"], Decimal("95"))
    # a count target must name its region
    bad = {**form, "indicator": "renovations", "region": "", "note": "x"}
    response = client.post(reverse("target-create"), bad)
    assert response.status_code == 200 and not Target.objects.filter(note="x").exists()
    assert "不能适用于所有地区" in response.content.decode()
    # a rate above 100% is refused
    response = client.post(reverse("target-create"), {**form, "year": 2030, "value": "120"})
    assert response.status_code == 200


def test_indicator_api_filters_and_scope(client, users, rolled):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    data = client.get(
        "/api/v1/indicators/",
        {
            "indicator": "visit_rate",
            "level": "county",
            "month": "2023-10",
            "within": "222400000000",
        },
    ).json()
    rows = {row["region"]: row for row in data["results"]}
    hunchun = rows["222404000000"]
    assert (hunchun["numerator"], hunchun["denominator"], hunchun["value"]) == (1, 4, "25.0000")
    assert (hunchun["target"], hunchun["met"], hunchun["month"]) == ("100.00", False, "2023-10")
    assert len(rows) == 8  # 延边's 8 counties
    ranged = client.get(
        "/api/v1/indicators/",
        {"indicator": "visit_rate", "region": "222404000000", "month_from": "2023-09",
         "month_to": "2023-10"},
    ).json()  # fmt: skip
    assert [r["month"] for r in ranged["results"]] == ["2023-09", "2023-10"]
    client.force_login(users[Role.COUNTY_OFFICER])
    codes = {
        r["region"]
        for r in client.get("/api/v1/indicators/", {"page_size": 1000}).json()["results"]
    }
    assert codes and all(code.startswith("222404") for code in codes)
    # junk parameters are a 400, not a 500
    assert client.get("/api/v1/indicators/", {"month": "2023-13"}).status_code == 400


def test_target_api_read_for_all_written_by_the_administrator(client, users, tree):
    Target.objects.create(indicator="visit_rate", region=tree["gongzhuling"], year=2024, value=90)
    Target.objects.create(indicator="visit_rate", region=tree["hunchun"], year=2024, value=95)
    client.force_login(users[Role.COUNTY_OFFICER])
    listed = client.get("/api/v1/targets/", {"page_size": 100}).json()["results"]
    regions = {t["region"] for t in listed}
    assert None in regions and "222404000000" in regions and "220184000000" not in regions
    assert "220000000000" in regions  # the province's count targets apply above the county
    assert (
        client.post(
            "/api/v1/targets/", {"indicator": "visit_rate", "year": 2026, "value": 99}
        ).status_code
        == 403
    )
    client.force_login(users[Role.PROVINCIAL_LEADER])
    assert (
        client.post(
            "/api/v1/targets/", {"indicator": "visit_rate", "year": 2026, "value": 99}
        ).status_code
        == 403
    )
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    created = client.post(
        "/api/v1/targets/",
        {"indicator": "visit_rate", "year": 2026, "value": "99", "comparison": "at_least"},
    )
    assert created.status_code == 201 and created.json()["region"] is None
    refused = client.post(
        "/api/v1/targets/", {"indicator": "dementia_beds", "year": 2026, "value": "10"}
    )
    assert refused.status_code == 400


def test_a_target_form_with_nonsense_answers_with_field_errors(client, users):
    from core.roles import Role

    client.force_login(users[Role.PROVINCIAL_ADMIN])
    nonsense = dict.fromkeys(["indicator", "region", "year", "value", "comparison", "note"], "abc")
    response = client.post("/dashboard/targets/new/", nonsense)
    assert response.status_code == 200
    assert {"indicator", "year", "value"} <= set(response.context["form"].errors)
