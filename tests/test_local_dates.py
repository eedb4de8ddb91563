"""Every date a rule compares with "today" is the Beijing date, whatever the UTC clock says."""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from core.roles import Role
from facilities.services import facility_effective_date_validate
from funding.services import allocation_advance
from tests.test_funding import plan, programs  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

# 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Jilin.
PAST_LOCAL_MIDNIGHT = datetime.datetime(2026, 3, 1, 17, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))


def test_rules_use_the_local_day_after_local_midnight(users, programs):  # noqa: F811
    with mock.patch("django.utils.timezone.now", return_value=PAST_LOCAL_MIDNIGHT):
        allocation = plan(users, programs, role=Role.PROVINCIAL_ADMIN, year=2023, amount="10")
        assert allocation.planned_on == datetime.date(2026, 3, 2)
        # the local day is not "the future"
        facility_effective_date_validate(
            facility=None, effective_date=datetime.date(2026, 3, 2), changes_capacity=True
        )
        with pytest.raises(ValidationError):
            facility_effective_date_validate(
                facility=None, effective_date=datetime.date(2026, 3, 3), changes_capacity=True
            )
        # a step taken now is dated the local day
        approved = allocation_advance(user=users[Role.PROVINCIAL_ADMIN], allocation=allocation)
    assert approved.approved_on == datetime.date(2026, 3, 2)
