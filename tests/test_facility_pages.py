"""Facility pages: scope per role, filters, exports, query counts."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.roles import Role
from facilities.models import Facility
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilities(tree):
    return {
        "hc_town": FacilityFactory(
            name="春化镇敬老院",
            kind="township_welfare_center",
            region=tree["hc_town"],
            ownership="public",
            operating_model="public_operated",
            dementia_beds=10,
        ),
        "hc_village": FacilityFactory(
            name="东阿拉村农村养老大院",
            kind="elderly_care_courtyard",
            region=tree["hc_village"],
            ownership="public",
            operating_model="village_collective",
            total_beds=0,
            nursing_beds=0,
            residents=0,
        ),
        "hc_town2": FacilityFactory(
            name="敬信镇康乐养老院",
            region=tree["hc_town2"],
            grade=4,
            graded_on="2023-01-01",
            status="suspended",
        ),
        "gz": FacilityFactory(name="范家屯镇福寿养老院", region=tree["gz_town"]),
    }


def listed(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("facilities:index"), params)
    assert response.status_code == 200
    return {f.name for f in response.context["page"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PROVINCIAL_ADMIN, {"hc_town", "hc_village", "hc_town2", "gz"}),
        (Role.PROVINCIAL_LEADER, {"hc_town", "hc_village", "hc_town2", "gz"}),
        (Role.PREFECTURE_OFFICER, {"hc_town", "hc_village", "hc_town2"}),
        (Role.COUNTY_OFFICER, {"hc_town", "hc_village", "hc_town2"}),
        (Role.TOWNSHIP_STAFF, {"hc_town", "hc_village"}),
        (Role.VISITOR, {"hc_village"}),
    ],
)
def test_each_role_lists_only_its_area(client, users, facilities, role, expected):
    assert listed(client, users[role]) == {facilities[key].name for key in expected}


def test_a_partner_without_the_grant_is_told_so(client, users, facilities):
    client.force_login(users[Role.PARTNER])  # no facilities grant
    response = client.get(reverse("facilities:index"))
    assert response.status_code == 403
    assert "未授权" in response.content.decode()
    assert facilities["gz"].name not in response.content.decode()


def test_detail_and_edit_outside_the_area_are_404(client, users, facilities):
    client.force_login(users[Role.COUNTY_OFFICER])
    assert (
        client.get(reverse("facilities:detail", args=[facilities["hc_town"].pk])).status_code == 200
    )
    assert client.get(reverse("facilities:detail", args=[facilities["gz"].pk])).status_code == 404
    assert client.get(reverse("facilities:edit", args=[facilities["gz"].pk])).status_code == 404
    response = client.post(reverse("facilities:edit", args=[facilities["gz"].pk]), {"name": "x"})
    assert response.status_code == 404
    assert Facility.objects.get(pk=facilities["gz"].pk).name == "范家屯镇福寿养老院"


def test_read_only_roles_cannot_open_the_forms(client, users):
    for role in (Role.PROVINCIAL_LEADER, Role.TOWNSHIP_STAFF, Role.VISITOR):
        client.force_login(users[role])
        assert client.get(reverse("facilities:create")).status_code == 403


def test_filters(client, users, facilities):
    admin = users[Role.PROVINCIAL_ADMIN]
    name = {key: f.name for key, f in facilities.items()}
    assert listed(client, admin, within="222404000000") == {
        name["hc_town"],
        name["hc_village"],
        name["hc_town2"],
    }
    assert listed(client, admin, within="222404101000") == {name["hc_town"], name["hc_village"]}
    assert listed(client, admin, kind="elderly_care_courtyard") == {name["hc_village"]}
    assert listed(client, admin, ownership="private") == {name["hc_town2"], name["gz"]}
    assert listed(client, admin, status="suspended") == {name["hc_town2"]}
    assert listed(client, admin, grade="4") == {name["hc_town2"]}
    assert listed(client, admin, has_dementia_beds="true") == {name["hc_town"]}
    assert listed(client, admin, q="康乐") == {name["hc_town2"]}


def test_create_through_the_form_and_see_field_errors(client, users, tree):
    client.force_login(users[Role.COUNTY_OFFICER])
    data = {
        "name": "春化镇新敬老院",
        "kind": "township_welfare_center",
        "region": tree["hc_town"].pk,
        "ownership": "public",
        "operating_model": "public_operated",
        "status": "operating",
        "total_beds": "30",
        "nursing_beds": "40",
        "dementia_beds": "0",
        "residents": "10",
        "staff_count": "3",
        "caregiver_count": "2",
        "effective_date": "2023-06-01",
    }
    response = client.post(reverse("facilities:create"), data)
    assert response.status_code == 200
    assert "nursing_beds" in response.context["form"].errors
    assert "护理型床位（40）不能超过总床位（30）" in response.content.decode()
    data["nursing_beds"] = "20"
    response = client.post(reverse("facilities:create"), data)
    facility = Facility.objects.get(name="春化镇新敬老院")
    assert response.status_code == 302 and response.url == reverse(
        "facilities:detail", args=[facility.pk]
    )
    assert facility.capacity_records.get().effective_date.isoformat() == "2023-06-01"


def test_xlsx_and_csv_exports_follow_the_filters_and_are_excel_safe(client, users, facilities):
    FacilityFactory(name='=HYPERLINK("http://evil")', region=facilities["hc_town"].region)
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(reverse("facilities:index"), {"format": "xlsx", "within": "222404101000"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("ID", "名称", "类型")
    names = {row[1] for row in rows[1:]}
    assert names == {"春化镇敬老院", "东阿拉村农村养老大院", '\'=HYPERLINK("http://evil")'}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    response = client.get(reverse("facilities:index"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    names = {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert "范家屯镇福寿养老院" not in names  # scope holds in exports too
    assert '\'=HYPERLINK("http://evil")' in names


def test_map_data_is_scoped(client, users, facilities):
    client.force_login(users[Role.TOWNSHIP_STAFF])
    points = client.get(reverse("facilities:map-data")).json()["points"]
    assert {p["name"] for p in points} == {"春化镇敬老院", "东阿拉村农村养老大院"}
    assert client.get(reverse("facilities:map")).status_code == 200


def test_published_results_are_public(client, users, facilities):
    assert client.get(reverse("facilities:inspections-published")).status_code == 200


@pytest.mark.parametrize("rows", [5, 60])
def test_list_page_query_count_does_not_grow_with_rows(
    client, users, tree, rows, django_assert_max_num_queries
):
    for n in range(rows):
        FacilityFactory(region=tree["hc_town"] if n % 2 else tree["hc_village"], kind="institution")
    client.force_login(users[Role.COUNTY_OFFICER])
    with django_assert_max_num_queries(9):
        client.get(reverse("facilities:index"))
    with django_assert_max_num_queries(9):
        client.get(reverse("facilities:index"), {"format": "xlsx"})
    facility = Facility.objects.first()
    with django_assert_max_num_queries(10):
        client.get(reverse("facilities:detail", args=[facility.pk]))


def test_detail_shows_capacity_records_without_a_recorder(client, users, facilities):
    # given a history row written by the demo or an import: nobody recorded it
    from facilities.models import CapacityRecord

    facility = facilities["hc_town"]
    CapacityRecord.objects.create(
        facility=facility,
        effective_date="2022-01-01",
        status="operating",
        total_beds=10,
        nursing_beds=5,
        dementia_beds=0,
        residents=3,
        recorded_by=None,
    )
    # when an officer opens the facility page
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(reverse("facilities:detail", args=[facility.pk]))
    # then the page renders, the row naming no recorder
    assert response.status_code == 200
    assert "2022-01-01" in response.content.decode()
