"""Log in through headless Chromium: Chinese by default, English after the switch."""

import pytest

from tests.conftest import ARTIFACTS


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_login_in_chinese_then_switch_to_english(users, live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # An English-speaking browser still gets Chinese: staff read Chinese first.
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    page.screenshot(path=ARTIFACTS / "login-zh.png", full_page=True)

    page.fill("#id_username", "hunchun")
    page.fill("#id_password", "secret-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_test_id("user-role").inner_text() == "县(市、区)民政干部"
    assert "珲春市" in page.get_by_test_id("user-region").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="巡访关爱").first.is_visible()
    page.screenshot(path=ARTIFACTS / "home-zh.png", full_page=True)

    page.get_by_test_id("switch-en").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("user-role").inner_text() == "County officer"
    assert page.get_by_role("link", name="Home visits").first.is_visible()
    page.screenshot(path=ARTIFACTS / "home-en.png", full_page=True)

    # The region drill-down stays inside the county.
    page.goto(f"{live_server.url}/regions/")
    assert "春化镇" in page.content() and "范家屯镇" not in page.content()
    page.screenshot(path=ARTIFACTS / "regions-en.png", full_page=True)
