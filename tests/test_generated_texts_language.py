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


def test_upload_problems_read_in_the_readers_language(
    client, users, tree, django_capture_on_commit_callbacks
):
    from tests.upload_files import csv_bytes, row, upload_file
    from visits.services import upload_create

    elder = ElderFactory(name="金老太")
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    data = csv_bytes(
        [row(elder, visitor, date="2099-01-01"), row(elder, visitor, name="错名", method="骑马")]
    )
    officer = users[Role.COUNTY_OFFICER]
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        upload = upload_create(user=officer, uploaded_file=upload_file(data, "log.csv"))
    stored = set(upload.row_errors.values_list("message", flat=True))
    assert "巡访日期不能晚于今天。" in stored  # written in Chinese
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    english = client.get(f"/visits/uploads/{upload.pk}/errors/?format=csv").content.decode()
    assert "A visit cannot be dated in the future." in english
    assert "骑马 is not one of 入户 / 电话 / 视频" in english
    assert "the archive of this ID number is 金老太" in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(f"/visits/uploads/{upload.pk}/errors/?format=csv").content.decode()
    assert "A visit cannot be dated" not in chinese


def test_id_number_errors_render_when_read():
    from visits.idcard import InvalidIdNumber, parse_id_number

    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number("12345")
    with translation.override("en"):
        assert str(caught.value) == "an ID number has 18 characters (this one has 5)"
    with translation.override("zh-hans"):
        assert "18" in str(caught.value) and "an ID number" not in str(caught.value)
