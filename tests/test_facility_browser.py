"""A county officer creates a facility through the form in Chromium and finds it in the list."""

import pytest

from tests.conftest import ARTIFACTS
from tests.factories import FacilityFactory


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def network(tree):
    FacilityFactory(
        name="珲春市社会福利中心",
        kind="county_welfare_center",
        region=tree["hunchun"],
        ownership="public",
        operating_model="public_operated",
        total_beds=180,
        nursing_beds=110,
        dementia_beds=20,
        residents=90,
        longitude=130.36,
        latitude=42.86,
    )
    FacilityFactory(
        name="敬信镇康乐养老院", region=tree["hc_town2"], longitude=130.6, latitude=42.6
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_create_a_facility_and_find_it_in_the_list(users, network, tree, live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server, "hunchun")
    page.goto(f"{live_server.url}/facilities/new/")
    page.fill("#id_name", "春化镇互助幸福院")
    page.select_option("#id_kind", "township_welfare_center")
    page.select_option("#id_region", label="春化镇（珲春市）")
    page.select_option("#id_ownership", "public")
    page.select_option("#id_operating_model", "public_operated")
    page.select_option("#id_status", "operating")
    page.fill("#id_total_beds", "40")
    page.fill("#id_nursing_beds", "50")  # more than the beds: refused with the field named
    page.fill("#id_residents", "20")
    page.check("input[name=helps_offered][value=meals]")
    page.click("#facility-form button[type=submit]")
    error = page.locator("[data-field=nursing_beds]")
    assert "护理型床位（50）不能超过总床位（40）" in error.inner_text()
    page.screenshot(path=ARTIFACTS / "facility-form-error.png", full_page=True)

    page.fill("#id_nursing_beds", "24")
    page.click("#facility-form button[type=submit]")
    page.wait_for_selector("h1:has-text('春化镇互助幸福院')")
    page.screenshot(path=ARTIFACTS / "facility-detail.png", full_page=True)

    page.goto(f"{live_server.url}/facilities/?within=222404101000")
    rows = page.locator("#facility-table tbody tr")
    assert rows.count() == 1 and "春化镇互助幸福院" in rows.first.inner_text()
    page.goto(f"{live_server.url}/facilities/")
    assert page.locator("#facility-table tbody tr").count() == 3
    page.screenshot(path=ARTIFACTS / "facility-list.png", full_page=True)

    page.goto(f"{live_server.url}/facilities/map/")
    page.wait_for_selector("#facility-map[data-points='2']")  # the two with coordinates
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "facility-map.png", full_page=True)
