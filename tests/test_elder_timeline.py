"""A person's timeline dates referrals by the local (Asia/Shanghai) day, whatever the UTC clock."""

import datetime
import zoneinfo

from tests.factories import ElderFactory
from visits.models import Referral
from visits.selectors import elder_timeline

UTC = zoneinfo.ZoneInfo("UTC")


def test_referral_opened_after_local_midnight_is_dated_that_local_day(tree):
    elder = ElderFactory()
    # 2026-03-01 17:30 UTC is 2026-03-02 01:30 in Jilin
    referral = Referral.objects.create(
        elder=elder, kind="medical_treatment", due_date=datetime.date(2026, 3, 9)
    )
    Referral.objects.filter(pk=referral.pk).update(
        opened_at=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    )
    [(day, kind, item)] = elder_timeline(elder=elder)
    assert (day, kind, item.pk) == (datetime.date(2026, 3, 2), "referral", referral.pk)
