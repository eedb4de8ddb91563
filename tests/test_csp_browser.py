"""Under the Content-Security-Policy the main pages still work and Chromium reports nothing.

The policy allows no inline <script>, style="" or <style> (no 'unsafe-inline'): a template that
still had one would show up here as a "Refused to ..." console error.
"""

import pytest

from core.roles import Role
from tests.hostile_rows import make_rows


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.fixture
def rows(tree, users):
    return make_rows(tree, users)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_main_pages_report_no_csp_violation(users, rows, tree, live_server, browser):
    # given a county officer's browser that records every console error and script error
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []

    def on_console(message):
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    login(page, live_server, users[Role.COUNTY_OFFICER].username)
    pages = [
        "/",
        "/dashboard/",
        "/regions/",
        "/notifications/",
        "/facilities/",
        f"/facilities/{rows['facility'].pk}/",
        f"/facilities/{rows['facility'].pk}/edit/",
        "/facilities/new/",
        "/facilities/map/",
        "/facilities/inspections/",
        "/facilities/inspections/draw/",
        "/facilities/inspections/published/",
        "/visits/",
        f"/visits/elders/{rows['elder'].pk}/",
        f"/visits/elders/{rows['elder'].pk}/visit/",
        f"/visits/elders/{rows['elder'].pk}/referral/",
        "/visits/referrals/",
        "/visits/worklist/",
        "/visits/uploads/",
        f"/visits/uploads/{rows['upload'].pk}/",
        "/funding/",
        f"/funding/{rows['allocation'].pk}/",
        "/funding/reports/",
        "/accounts/password_change/",
    ]
    for path in pages:
        # when each page loads (and its scripts run)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # then Chromium refused nothing
    assert not problems, "\n".join(problems)
    # and ECharts drew the map and the chart, and htmx runs without injecting a <style>
    page.goto(f"{live_server.url}/facilities/map/")
    page.wait_for_selector("#facility-map canvas")
    page.wait_for_function("document.getElementById('facility-map').dataset.points === '1'")
    box = page.locator("#facility-map canvas").bounding_box()
    assert box["height"] > 590  # the class gives the height the style attribute gave (600px)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a tooltip
    page.goto(f"{live_server.url}/funding/reports/")
    page.wait_for_selector("#chart-yearly canvas")
    page.goto(f"{live_server.url}/visits/uploads/{rows['upload'].pk}/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    # the progress bar's width comes from a class, not a style attribute
    assert (
        page.evaluate("getComputedStyle(document.querySelector('[data-testid=progress]')).width")
        == "0px"
    )
    page.wait_for_timeout(1500)  # one htmx poll swaps the status in
    assert not problems, "\n".join(problems)
