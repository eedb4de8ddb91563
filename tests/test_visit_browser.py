"""A visitor records a visit on a phone-sized screen and sees it on the person's timeline."""

import pytest
from django.utils import timezone

from core.roles import Role
from tests.conftest import ARTIFACTS
from tests.factories import ElderFactory, VisitorFactory
from tests.test_facility_browser import login

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def village(users, tree):
    me = VisitorFactory(name="崔巡访", region=tree["hc_village"], user=users[Role.VISITOR])
    elder = ElderFactory(name="金顺姬", assigned_visitor=me)
    ElderFactory(name="朴永哲", is_empty_nest=True)
    return elder


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_a_visit_on_a_phone(users, village, live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, live_server, "visitor")
    page.goto(f"{live_server.url}/visits/worklist/")
    assert page.locator("#work-list .list-group-item").count() == 2
    page.screenshot(path=ARTIFACTS / "visits-worklist-phone.png", full_page=True)

    page.locator("#work-list .list-group-item", has_text="金顺姬").get_by_role(
        "link", name="巡访"
    ).click()
    page.wait_for_selector("#visit-form")
    assert page.locator("#id_visitor").input_value() == str(village.assigned_visitor_id)
    page.fill("#id_visited_on", timezone.localdate().isoformat())
    page.locator("label[for=id_method_1]").click()  # phone
    page.locator("[data-dimension=health] label", has_text="紧急").click()
    page.click("#visit-form button[type=submit]")
    # urgent without a note: the form says what is missing
    assert "请说明紧急情况" in page.locator("[data-field=health_note]").inner_text()
    page.fill("#id_health_note", "发烧三天未就医")
    page.check("input[name=helps_needed][value=medical]")
    page.screenshot(path=ARTIFACTS / "visit-form-phone.png", full_page=True)
    page.click("#visit-form button[type=submit]")

    # back on the work list for the next door: the person visited today has left it
    page.wait_for_url(f"{live_server.url}/visits/worklist/")
    assert "紧急情况已即时推送" in page.content()
    assert page.locator("#work-list .list-group-item").count() == 1
    assert "金顺姬" not in page.locator("#work-list").inner_text()
    page.screenshot(path=ARTIFACTS / "worklist-after-visit-phone.png", full_page=True)

    page.goto(f"{live_server.url}/visits/elders/{village.pk}/")
    page.wait_for_selector("#timeline")
    visit = page.locator("#timeline li[data-kind=visit]").first
    assert "电话" in visit.inner_text() and "紧急" in visit.inner_text()
    assert page.locator("#timeline li[data-kind=referral]").count() == 1
    page.screenshot(path=ARTIFACTS / "elder-detail-phone.png", full_page=True)

    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    login(desktop, live_server, "hunchun")
    desktop.goto(f"{live_server.url}/visits/referrals/")
    assert "金顺姬" in desktop.locator("[data-status=open]").inner_text()
    desktop.screenshot(path=ARTIFACTS / "referral-board.png", full_page=True)
    desktop.goto(f"{live_server.url}/visits/")
    desktop.screenshot(path=ARTIFACTS / "elder-list.png", full_page=True)
    desktop.goto(f"{live_server.url}/notifications/")
    assert "金顺姬" in desktop.content()
