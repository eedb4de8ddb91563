"""Derived age and advanced age at a date; key-elder membership by month."""

import datetime

import pytest

from tests.factories import ElderFactory
from visits.models import Category, Elder

pytestmark = pytest.mark.django_db
D = datetime.date


def test_age_and_advanced_age_at_a_date(tree):
    elder = ElderFactory(birth_date=D(1943, 6, 15), is_living_alone=False)
    assert elder.age_on(D(2023, 6, 14)) == 79
    assert Category.ADVANCED_AGE not in elder.categories_on(D(2023, 6, 14))
    assert elder.age_on(D(2023, 6, 15)) == 80
    assert elder.categories_on(D(2023, 6, 15)) == [Category.ADVANCED_AGE]


def test_a_leap_day_birth_turns_80_on_28_february_in_common_years_for_the_month_rule(tree):
    ElderFactory(birth_date=D(1944, 2, 29), is_living_alone=False)
    assert Elder.objects.key_in_month(2024, 1).count() == 0
    assert Elder.objects.key_in_month(2024, 2).count() == 1


def key(year, month):
    return set(Elder.objects.key_in_month(year, month).values_list("name", flat=True))


def test_key_elder_membership_by_month(tree):
    ElderFactory(name="独居", is_living_alone=True)
    ElderFactory(name="无类别", is_living_alone=False)
    ElderFactory(name="六月满80", birth_date=D(1943, 6, 20), is_living_alone=False)
    ElderFactory(name="五月中旬去世", residence="deceased", residence_since=D(2023, 5, 15))
    ElderFactory(name="四月去世", residence="deceased", residence_since=D(2023, 4, 30))
    ElderFactory(name="五月搬走", residence="moved_away", residence_since=D(2023, 5, 1))
    ElderFactory(name="六月才建档", archived_on=D(2023, 6, 3))
    ElderFactory(name="六月回家", residence="at_home", residence_since=D(2023, 6, 10))
    ElderFactory(name="失能", is_living_alone=False, is_incapacitated=True, has_dementia=True)
    assert key(2023, 5) == {"独居", "五月中旬去世", "失能"}
    assert key(2023, 6) == {"独居", "六月满80", "六月才建档", "六月回家", "失能"}
