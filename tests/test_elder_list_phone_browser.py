"""The person list on a 390 px phone: stacked cards, no sideways scrolling, categories wrap."""

import pytest

from core.roles import Role
from tests.conftest import ARTIFACTS
from tests.factories import ElderFactory
from tests.test_facility_browser import login

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(users, tree):
    for n in range(6):
        ElderFactory(
            name=f"测试老人{n}",
            is_empty_nest=True,
            is_extreme_hardship=True,
            is_incapacitated=bool(n % 2),
            has_dementia=n == 1,
        )
    return users[Role.COUNTY_OFFICER]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_person_list_reads_on_a_phone(people, live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, live_server, "hunchun")
    page.goto(f"{live_server.url}/visits/")
    rows = page.locator("#elder-table tbody tr")
    assert rows.count() == 6
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.locator("#elder-table thead").is_visible()
    first = rows.first.bounding_box()
    assert first["width"] <= PHONE["width"] and first["height"] > 100  # a card, not a row
    label = page.evaluate(
        "getComputedStyle(document.querySelector('#elder-table tbody td[data-label]'),"
        " '::before').content"
    )
    assert "身份证号" in label  # each value labelled
    page.screenshot(path=ARTIFACTS / "elder-list-phone.png", full_page=True)
