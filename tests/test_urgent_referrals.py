"""An urgent finding opens a referral per dimension and reaches the county officer at once."""

import datetime

import pytest
from django.core import mail

from core.models import Notification
from core.roles import Role
from tests.factories import ElderFactory, UserFactory, VisitorFactory
from visits.models import Referral
from visits.services import referral_update, visit_record

pytestmark = pytest.mark.django_db


def test_urgent_dimensions_open_referrals_notify_and_email(
    users, tree, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = users[Role.COUNTY_OFFICER]
    officer.email = "hunchun@mca.example.cn"
    officer.save()
    UserFactory(
        username="other-county",
        role=Role.COUNTY_OFFICER,
        region=tree["gongzhuling"],
        email="gz@mca.example.cn",
    )
    elder = ElderFactory(name="金老太")
    visitor = VisitorFactory(region=tree["hc_village"])
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_record(
            user=users[Role.VISITOR],
            elder=elder,
            visitor=visitor,
            visited_on=datetime.date(2023, 6, 5),
            method="in_person",
            health="urgent",
            health_note="血压 190/110，头晕",
            safety="urgent",
            safety_note="独居，煤炉无烟道",
            finances="attention",
        )
    referrals = Referral.objects.filter(visit=visit).order_by("dimension")
    assert [(r.dimension, r.kind, r.assignee) for r in referrals] == [
        ("health", "medical_treatment", officer),
        ("safety", "emergency", officer),
    ]
    assert referrals[0].due_date == datetime.date(2023, 6, 8)
    notification = Notification.objects.get()
    assert notification.user == officer
    assert "金老太" in notification.title
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hunchun@mca.example.cn"]
    assert "血压 190/110" in mail.outbox[0].body


def test_no_referral_without_an_urgent_finding(users, tree):
    visit_record(
        user=users[Role.VISITOR],
        elder=ElderFactory(),
        visitor=VisitorFactory(region=tree["hc_village"]),
        visited_on=datetime.date(2023, 6, 5),
        method="phone",
        needs="attention",
    )
    assert not Referral.objects.exists() and not Notification.objects.exists()


def test_referral_status_moves_and_needs_an_outcome(users, tree):
    from django.core.exceptions import ValidationError

    visit = visit_record(
        user=users[Role.VISITOR],
        elder=ElderFactory(),
        visitor=VisitorFactory(region=tree["hc_village"]),
        visited_on=datetime.date(2023, 6, 5),
        method="phone",
        needs="urgent",
        needs_note="没有冬储粮",
    )
    referral = visit.referrals.get()
    officer = users[Role.COUNTY_OFFICER]
    referral_update(user=officer, referral=referral, status="in_progress")
    with pytest.raises(ValidationError):
        referral_update(user=officer, referral=referral, status="resolved")
    referral_update(user=officer, referral=referral, status="resolved", outcome="送米面油")
    referral_update(user=officer, referral=referral, status="closed")
    with pytest.raises(ValidationError):
        referral_update(user=officer, referral=referral, status="open")
    assert Referral.objects.get().closed_at is not None
    assert Referral.objects.overdue(datetime.date(2030, 1, 1)).count() == 0
