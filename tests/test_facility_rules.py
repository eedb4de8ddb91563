"""Facility rules hold in the one service, whatever calls it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.roles import Role
from facilities.models import Facility
from facilities.services import facility_create, facility_update
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def fields(tree, **overrides):
    base = {
        "name": "春化镇敬老院",
        "kind": "township_welfare_center",
        "region": tree["hc_town"],
        "ownership": "public",
        "operating_model": "public_operated",
        "status": "operating",
        "total_beds": 60,
        "nursing_beds": 30,
        "dementia_beds": 5,
        "residents": 40,
    }
    return {**base, **overrides}


def errors_of(callable_):
    with pytest.raises(ValidationError) as error:
        callable_()
    return error.value.message_dict


@pytest.mark.parametrize(
    ("kind", "region_key", "fits"),
    [
        ("township_welfare_center", "hc_town", True),
        ("township_welfare_center", "hc_village", False),
        ("township_welfare_center", "hunchun", False),
        ("county_welfare_center", "hunchun", True),
        ("county_welfare_center", "hc_town", False),
        ("elderly_care_courtyard", "hc_village", True),
        ("elderly_care_courtyard", "hc_town", False),
        ("mutual_aid_station", "hc_village", True),
        ("mutual_aid_station", "hunchun", False),
        ("embedded_community_center", "hc_town", True),
        ("embedded_community_center", "hc_village", False),
        ("community_canteen", "hc_village", True),
        ("community_canteen", "hc_town", True),
        ("institution", "hc_village", True),
        ("institution", "yanbian", False),
    ],
)
def test_kind_fits_the_level_of_its_region(users, tree, kind, region_key, fits):
    officer = (
        users[Role.COUNTY_OFFICER] if region_key != "yanbian" else users[Role.PREFECTURE_OFFICER]
    )
    data = fields(tree, kind=kind, region=tree[region_key])
    if fits:
        assert facility_create(user=officer, **data).pk
    else:
        assert "region" in errors_of(lambda: facility_create(user=officer, **data))
        assert not Facility.objects.exists()


def test_bed_bounds_name_the_field_in_chinese_and_english(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    data = fields(tree, total_beds=50, nursing_beds=51, dementia_beds=60, residents=80)
    with translation.override("zh-hans"):
        errors = errors_of(lambda: facility_create(user=officer, **data))
    assert set(errors) == {"nursing_beds", "dementia_beds", "residents"}
    assert "护理型床位" in errors["nursing_beds"][0] and "51" in errors["nursing_beds"][0]
    with translation.override("en"):
        errors = errors_of(lambda: facility_create(user=officer, **data))
    assert "Nursing-type beds (51) cannot exceed total beds (50)." in errors["nursing_beds"]
    assert not Facility.objects.exists()


def test_the_database_refuses_nursing_beds_above_total_even_past_the_service(tree):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        FacilityFactory(total_beds=10, nursing_beds=11)


def test_update_rules_apply_too(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    facility = facility_create(user=officer, **fields(tree))
    errors = errors_of(lambda: facility_update(facility=facility, user=officer, residents=61))
    assert "residents" in errors
    facility.refresh_from_db()
    assert facility.residents == 40


def test_six_musts_of_an_embedded_centre(users, tree):
    officer = users[Role.COUNTY_OFFICER]
    centre = facility_create(
        user=officer,
        **fields(
            tree,
            kind="embedded_community_center",
            operating_model="public_built_private_operated",
            floor_area=480,
            in_existing_public_building=True,
            has_dining_room=True,
        ),
    )
    with translation.override("en"):
        musts = {str(label): met for label, met in centre.six_musts()}
    assert musts == {
        "Existing public-owned building": True,
        "Floor area above 500 m²": False,
        "Elder dining room": True,
        "Care beds": True,
        "Public-built, private-operated": True,
        "In use": True,
    }


@pytest.mark.parametrize(
    "role", [Role.TOWNSHIP_STAFF, Role.VISITOR, Role.PROVINCIAL_LEADER, Role.PARTNER]
)
def test_roles_that_may_not_edit_facilities(users, tree, role):
    with pytest.raises(PermissionDenied):
        facility_create(user=users[role], **fields(tree))


def test_an_officer_cannot_create_outside_the_county(users, tree):
    data = fields(tree, region=tree["gz_town"])
    with pytest.raises(PermissionDenied):
        facility_create(user=users[Role.COUNTY_OFFICER], **data)


def test_grade_needs_a_rating_date(users, tree):
    errors = errors_of(
        lambda: facility_create(user=users[Role.COUNTY_OFFICER], **fields(tree, grade=3))
    )
    assert "graded_on" in errors
    facility = facility_create(
        user=users[Role.COUNTY_OFFICER],
        **fields(tree, grade=3, graded_on=datetime.date(2023, 3, 1)),
    )
    assert facility.grade == 3
