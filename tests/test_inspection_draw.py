"""双随机一公开: reproducible random draws, never the same inspector twice in a row."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.roles import Role
from facilities.models import Inspection
from facilities.services import inspection_draw, inspection_record_result
from tests.factories import FacilityFactory, InspectorFactory

pytestmark = pytest.mark.django_db
PLANNED = datetime.date(2023, 6, 1)


@pytest.fixture
def network(tree):
    facilities = [FacilityFactory(region=tree["hc_town"]) for _ in range(20)]
    FacilityFactory(region=tree["gz_town"])  # another county: never drawn for 珲春
    FacilityFactory(region=tree["hc_town"], status="closed")  # not operating: never drawn
    inspectors = [InspectorFactory(region=tree["hunchun"]) for _ in range(4)]
    InspectorFactory(region=tree["gongzhuling"])  # another county's pool
    return facilities, inspectors


def draw(users, tree, seed, **kwargs):
    if "count" not in kwargs:
        kwargs.setdefault("percentage", 25)
    return inspection_draw(
        user=users[Role.COUNTY_OFFICER],
        region=tree["hunchun"],
        seed=seed,
        planned_date=PLANNED,
        **kwargs,
    )


def pairs(result):
    return [(i.facility_id, i.inspector_id) for i in result.inspections]


def test_the_same_seed_gives_the_same_draw(users, tree, network):
    first = draw(users, tree, seed=42)
    Inspection.objects.all().delete()
    second = draw(users, tree, seed=42)
    assert pairs(first) == pairs(second)
    assert len(first.inspections) == 5  # 25% of 20 operating facilities
    third = draw(users, tree, seed=7)
    assert [p[0] for p in pairs(third)] != [p[0] for p in pairs(first)]


def test_only_operating_facilities_and_inspectors_of_the_region(users, tree, network):
    facilities, inspectors = network
    result = draw(users, tree, seed=1, count=50)
    assert {i.facility_id for i in result.inspections} == {f.id for f in facilities}
    assert {i.inspector_id for i in result.inspections} <= {i.id for i in inspectors}


def test_never_the_same_inspector_twice_in_a_row(users, tree, network):
    facilities, _ = network
    previous = {}
    for seed in range(30):
        result = draw(users, tree, seed=seed, count=20)
        for facility_id, inspector_id in pairs(result):
            assert previous.get(facility_id) != inspector_id
            previous[facility_id] = inspector_id


def test_a_draw_needs_a_percentage_or_a_count_and_a_pool(users, tree, network):
    with pytest.raises(ValidationError):
        draw(users, tree, seed=1, percentage=None)
    with pytest.raises(ValidationError):
        draw(users, tree, seed=1, count=3, percentage=10)
    with pytest.raises(ValidationError, match="检查人员库"):
        inspection_draw(
            user=users[Role.PROVINCIAL_ADMIN],
            region=tree["gongzhuling"],
            seed=1,
            count=1,
            planned_date=PLANNED,
        )


def test_result_rules_and_overdue_list(users, tree, network):
    officer = users[Role.COUNTY_OFFICER]
    result = draw(users, tree, seed=3, count=2)
    first, second = result.inspections
    with pytest.raises(ValidationError) as error:
        inspection_record_result(
            inspection=first, user=officer, inspected_on=PLANNED, result="rectify", findings=""
        )
    assert {"rectification_deadline", "findings"} <= set(error.value.message_dict)
    inspection_record_result(
        inspection=first,
        user=officer,
        inspected_on=PLANNED,
        result="rectify",
        findings="消防通道堆放杂物",
        rectification_deadline=datetime.date(2023, 7, 1),
    )
    inspection_record_result(inspection=second, user=officer, inspected_on=PLANNED, result="passed")
    overdue = Inspection.objects.visible_to(officer).overdue(datetime.date(2023, 7, 2))
    assert list(overdue) == [first]
    assert not Inspection.objects.overdue(datetime.date(2023, 6, 30)).exists()


def test_closing_a_rectification_from_the_page(client, users, tree, network):
    officer = users[Role.COUNTY_OFFICER]
    inspection = draw(users, tree, seed=5, count=1).inspections[0]
    inspection_record_result(
        inspection=inspection,
        user=officer,
        inspected_on=PLANNED,
        result="rectify",
        findings="灭火器过期",
        rectification_deadline=datetime.date(2023, 7, 1),
    )
    client.force_login(officer)
    detail = client.get(f"/facilities/{inspection.facility_id}/").content.decode()
    assert f"/facilities/inspections/{inspection.pk}/rectified/" in detail
    assert client.post(f"/facilities/inspections/{inspection.pk}/rectified/").status_code == 302
    inspection.refresh_from_db()
    assert inspection.rectified_on is not None
    assert not Inspection.objects.overdue(datetime.date(2030, 1, 1)).exists()
