"""Each of the seven demo users walks the portal's navigation in Chromium, as a person would.

On the demo data (`generate_demo`, small scale), every user logs in and follows the links of the
top navigation and of each section's tabs, in Chinese and in English, on a 1366 px screen and a
390 px phone. Every page must answer below 400, raise no JavaScript error, report no CSP
violation and (on the phone) never scroll sideways. Full-page screenshots go to
var/screenshots/walk/ for a person to look at.
"""

import io
import re

import pytest
from django.core.management import call_command

from core.demo import DEMO_PASSWORD
from tests.conftest import ARTIFACTS

USERS = ["admin", "leader", "yanbian", "hunchun", "township", "visitor", "finance"]
VIEWS = [("zh-hans", 1366), ("zh-hans", 390), ("en", 1366), ("en", 390)]
WALK = ARTIFACTS / "walk"


@pytest.fixture
def demo(transactional_db):
    """Committed demo rows (the live server reads them from another connection)."""
    call_command("generate_demo", "--scale", "0.01", stdout=io.StringIO())


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/") and not h.startswith("/admin")]


def walk(browser, live_server, username: str, language: str, width: int) -> list[str]:
    """The pages this user reached; problems are raised as assertion errors naming the page."""
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 500 else 844},
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(f"console: {message.text}")
        if message.type == "error"
        else None,
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == language
    seen, queue = [], ["/"]
    deep = width > 500 and language == "zh-hans"  # the full walk once; the other views sample it
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        problems.clear()
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        page.screenshot(
            path=WALK / f"{username}-{language}-{width}-{slug(path)}.png", full_page=True
        )
        where = f"{username} {language} {width}px {path}"
        assert response is not None and response.status < 400, f"{where}: {response.status}"
        assert not problems, f"{where}: {problems}"
        if width < 500:
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width + 1, f"{where}: {overflow} px wide on a {width} px phone"
        if path == "/":
            queue += links(page, "#main-nav a.nav-link")
        elif deep:
            queue += [h.split("?")[0] for h in links(page, "main .nav-tabs a.nav-link")]
    context.close()
    return seen


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_demo_user_walks_its_navigation(demo, live_server, browser):
    WALK.mkdir(parents=True, exist_ok=True)
    reached = {}
    for username in USERS:
        for language, width in VIEWS:
            reached[(username, language, width)] = walk(
                browser, live_server, username, language, width
            )
    # each role's navigation leads somewhere beyond its home page, in every view
    assert all(len(pages) > 1 for pages in reached.values()), reached
    # and the sections a role is offered differ as their rights do
    assert "/audit/" in reached[("admin", "zh-hans", 1366)]
    assert "/audit/" not in reached[("hunchun", "zh-hans", 1366)]
    assert "/visits/" not in reached[("finance", "zh-hans", 1366)]  # no visits grant
