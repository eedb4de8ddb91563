"""Each visit rejection, with a message naming the field."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from visits.models import Visit
from visits.services import visit_record

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree):
    return {
        "elder": ElderFactory(birth_date=D(1950, 3, 15)),
        "visitor": VisitorFactory(region=tree["hc_village"]),
        "town_visitor": VisitorFactory(region=tree["hc_town"]),
        "other_visitor": VisitorFactory(region=tree["hc_village2"]),
    }


def record(users, people, role=Role.TOWNSHIP_STAFF, **kwargs):
    data = {
        "elder": people["elder"],
        "visitor": people["visitor"],
        "visited_on": D(2023, 6, 5),
        "method": "in_person",
    }
    return visit_record(user=users[role], **{**data, **kwargs})


def rejection(users, people, **kwargs):
    with pytest.raises(ValidationError) as error:
        record(users, people, **kwargs)
    assert not Visit.objects.exists()
    return error.value.message_dict


def test_a_good_visit_is_recorded(users, people):
    visit = record(users, people)
    assert visit.pk and visit.recorded_by.username == "township"
    # a township-level visitor covers the village too
    assert record(users, people, visitor=people["town_visitor"]).pk


def test_a_visit_in_the_future_is_rejected(users, people):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = rejection(users, people, visited_on=tomorrow)
    assert errors["visited_on"] == ["A visit cannot be dated in the future."]


def test_a_visit_before_birth_is_rejected(users, people):
    errors = rejection(users, people, visited_on=D(1950, 3, 14))
    assert errors["visited_on"] == ["The visit is dated before the person was born."]


def test_a_visit_after_death_is_rejected(users, people):
    elder = people["elder"]
    elder.residence, elder.residence_since = "deceased", D(2023, 6, 1)
    elder.save()
    errors = rejection(users, people, visited_on=D(2023, 6, 5))
    assert errors["visited_on"] == ["The person died on 2023-06-01, before this visit."]
    assert record(users, people, visited_on=D(2023, 5, 30)).pk


def test_a_visitor_outside_the_persons_area_is_rejected(users, people):
    errors = rejection(users, people, visitor=people["other_visitor"])
    assert "does not include 东阿拉村" in errors["visitor"][0]


def test_the_same_person_day_and_visitor_is_recorded_once(users, people):
    record(users, people)
    with pytest.raises(ValidationError) as error:
        record(users, people)
    assert "already recorded" in error.value.message_dict["visited_on"][0]
    assert Visit.objects.count() == 1


def test_roles_and_scope(users, people, tree):
    with pytest.raises(PermissionDenied):
        record(users, people, role=Role.PROVINCIAL_LEADER)
    outsider = ElderFactory(village=tree["gz_village"])
    with pytest.raises(PermissionDenied):
        record(users, people, role=Role.COUNTY_OFFICER, elder=outsider)
