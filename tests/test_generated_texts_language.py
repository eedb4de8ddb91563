"""Texts the portal generates are read in the reader's language, whoever wrote them and when."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.deferred import DeferredText, render
from core.models import Notification
from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from visits.services import visit_record

pytestmark = pytest.mark.django_db


def test_a_deferred_text_renders_in_the_active_language():
    text = DeferredText(
        "Urgent: %(name)s (%(village)s) — %(dimensions)s",
        name="金老太",
        village="东阿拉村",
        dimensions=[DeferredText("Health"), DeferredText("Safety")],
    )
    with translation.override("zh-hans"):
        assert str(text) == "紧急：金老太（东阿拉村）— 身体、安全"
    with translation.override("en"):
        assert render(text.spec) == "Urgent: 金老太 (东阿拉村) — Health、Safety"
    assert render(None, "stored") == "stored"


def test_an_urgent_notification_reads_in_english_for_an_english_reader(client, users, tree):
    with translation.override("zh-hans"):  # written by a Chinese session (or the worker)
        visit_record(
            user=users[Role.VISITOR],
            elder=ElderFactory(name="金老太"),
            visitor=VisitorFactory(region=tree["hc_village"]),
            visited_on=datetime.date(2023, 6, 5),
            method="phone",
            health="urgent",
            health_note="发烧",
        )
    notification = Notification.objects.get()
    assert notification.title.startswith("紧急")
    client.force_login(users[Role.COUNTY_OFFICER])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("notifications")).content.decode()
    assert "Urgent: 金老太" in html and "Health" in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("notifications")).content.decode()
    assert "紧急：金老太" in html
