"""The visitor's offline app in Chromium at phone size (390×844), with Playwright's offline
emulation: visits recorded without a signal survive a reload, go to the API once when the
network returns (sent twice, stored once), urgent findings open a referral, a visit the
server refuses is corrected and resent, and logging out empties the phone's store."""

import datetime

import pytest
from django.utils import timezone

from core.roles import Role
from tests.conftest import ARTIFACTS
from tests.factories import ElderFactory, UserFactory, VisitorFactory
from tests.test_facility_browser import login
from visits.models import Visit

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def village(users, tree):
    me = VisitorFactory(name="崔巡访", region=tree["hc_village"], user=users[Role.VISITOR])
    other = VisitorFactory(name="朴巡访", region=tree["hc_village"])
    today = timezone.localdate()
    elders = {
        "urgent": ElderFactory(name="金顺姬", assigned_visitor=me),
        "normal": ElderFactory(name="朴永哲", is_empty_nest=True),
        "invalid": ElderFactory(name="李明"),
        "seen_today": ElderFactory(name="王淑兰"),
        "by_other": ElderFactory(name="赵凤英"),
    }
    # 王淑兰 was already visited today, online, by the same visitor: the server refuses a second.
    Visit.objects.create(
        elder=elders["seen_today"],
        visitor=me,
        visited_on=today,
        method="in_person",
        health="normal",
        finances="normal",
        safety="normal",
        needs="normal",
    )
    # a person far away, never on this phone
    ElderFactory(name="公主岭老人", village=tree["gz_village"])
    UserFactory(username="hc-officer", role=Role.COUNTY_OFFICER, region=tree["hunchun"])
    return {"me": me, "other": other, "elders": elders, "today": today}


@pytest.fixture
def worker_network(monkeypatch):
    """Playwright's offline emulation reaches a service worker's own requests in Chromium
    only with this switch, read when the driver starts: without it the worker would still
    reach the server while the page is "offline". List it before `browser`."""
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")


def queue_count(page) -> str:
    return page.locator("#queue-count").get_attribute("data-count")


def record(page, name, *, assessments=(), note=None, date=None, helps=()):
    page.locator("#offline-work-list [data-elder]", has_text=name).get_by_role(
        "link", name="巡访"
    ).click()
    page.wait_for_selector("#view-form:not([hidden])")
    if date is not None:
        page.fill("#ov-visited_on", date)
    for dimension, label in assessments:
        page.locator(f"[data-dimension={dimension}] label", has_text=label).click()
    if note is not None:
        dimension, text = note
        page.fill(f"#ov-{dimension}_note", text)
    for help_ in helps:
        page.check(f"input[name=helps_needed][value={help_}]")
    page.click("#offline-visit-form button[type=submit]")


def api_json(page, base, path):
    response = page.request.get(f"{base}{path}")
    assert response.ok, response.text()
    return response.json()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visits_recorded_offline_sync_once_and_logout_clears(
    users, village, live_server, worker_network, browser
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    elders = village["elders"]
    today = village["today"]
    # the phone keeps China's time, as the server does (its "today" decides the date rules)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    errors, requested = [], []
    page.on("pageerror", lambda error: errors.append(error))
    context.on("request", lambda request: requested.append(request.url))

    # given the visitor logged in once online and opened the offline work list
    login(page, live_server, "visitor")
    page.goto(f"{base}/visits/worklist/")
    page.click("#offline-app-link a")
    page.wait_for_url(f"{base}/visits/offline/")
    page.wait_for_selector("body[data-offline-ready='1']")
    page.wait_for_selector("html[data-worker=ready]", state="attached")
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()  # a page opened before the worker was active is controlled once reloaded
        page.wait_for_selector("body[data-offline-ready='1']")
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    manifest = page.request.get(f"{base}/manifest.webmanifest").json()
    assert manifest["name"] == "吉林巡访（离线）" and manifest["start_url"] == "/visits/offline/"
    assert page.locator("#net-status").get_attribute("data-state") == "online"
    assert "名单更新于" in page.locator("#freshness").inner_text()
    names = page.locator("#offline-work-list").inner_text()
    assert all(e.name in names for e in elders.values())
    assert "公主岭老人" not in names  # only the visitor's own area is on the phone
    page.screenshot(path=ARTIFACTS / "offline-1-online-list.png", full_page=True)

    # when the signal drops
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state=offline]")
    assert page.locator("#net-status").inner_text() == "离线"

    # a normal visit, an urgent one, and an invalid one the phone refuses in Chinese
    record(page, "朴永哲", assessments=[("health", "正常")])
    page.wait_for_selector("#view-list:not([hidden])")
    assert "已保存在本机" in page.locator("#notice").inner_text()
    record(
        page,
        "金顺姬",
        assessments=[("health", "紧急")],
        note=("health", "发烧三天未就医"),
        helps=["medical"],
    )
    page.wait_for_selector("#view-list:not([hidden])")
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    record(page, "李明", assessments=[("safety", "紧急")], date=tomorrow)
    assert page.locator("[data-field=visited_on]").inner_text() == "巡访日期不能晚于今天。"
    assert page.locator("[data-field=safety_note]").inner_text() == "请说明紧急情况。"
    page.screenshot(path=ARTIFACTS / "offline-2-phone-refuses.png", full_page=True)
    page.locator("[data-dimension=safety] label", has_text="紧急").click()
    page.fill("#ov-visited_on", today.isoformat())
    page.fill("#ov-safety_note", "家中无取暖")
    page.click("#offline-visit-form button[type=submit]")
    page.wait_for_selector("#view-list:not([hidden])")
    # and one the server will refuse: 王淑兰 was already visited today
    record(page, "王淑兰", assessments=[("needs", "关注")])
    page.wait_for_selector("#view-list:not([hidden])")
    assert queue_count(page) == "4"
    assert "待发送 4 条" in page.locator("#queue-count").inner_text()

    # the phone reloads while offline: the shell comes from the worker, the queue survives
    page.reload()
    page.wait_for_selector("body[data-offline-ready='1']")
    assert queue_count(page) == "4"
    assert page.locator("#queue-list [data-status=pending]").count() == 4
    # the visitor's usual address of a visit form opens the offline form for that person
    page.goto(f"{base}/visits/elders/{elders['normal'].pk}/visit/")
    page.wait_for_selector("#view-form:not([hidden])")
    assert "朴永哲" in page.locator("#form-elder").inner_text()
    page.goto(f"{base}/visits/offline/")
    page.wait_for_selector("body[data-offline-ready='1']")
    page.screenshot(path=ARTIFACTS / "offline-3-queue-after-reload.png", full_page=True)

    # meanwhile township staff, online elsewhere, record 赵凤英's visit by 朴巡访
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    office = staff.new_page()
    login(office, live_server, "township")
    office.goto(f"{base}/visits/elders/{elders['by_other'].pk}/visit/")
    office.select_option("#id_visitor", str(village["other"].pk))
    office.click("#visit-form button[type=submit]")
    office.wait_for_url(f"{base}/visits/worklist/")
    staff.close()

    # the answer to the first send of 朴永哲's visit is lost on the way back
    lost = []

    def lose_first_answer(route):
        if not lost and route.request.method == "POST":
            response = route.fetch()
            lost.append(response.status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/visits/", lose_first_answer)

    # when the network returns, the queue goes to the server
    context.set_offline(False)
    page.wait_for_selector("#net-status[data-state=online]")
    page.wait_for_function(
        "() => document.querySelectorAll('#queue-list [data-status=pending]').length === 1",
        polling=200,
    )
    assert lost == [201]
    page.unroute("**/api/v1/visits/")
    page.click("#sync-now")  # on demand: the one whose answer was lost goes again
    page.wait_for_selector("#queue-count[data-count='0']", state="attached")
    page.wait_for_function(
        "() => !document.querySelector('#queue-list [data-status=sending]')", polling=200
    )
    statuses = {
        li.locator(".fw-semibold").inner_text().split(" · ")[0]: li.locator(
            "[data-status]"
        ).get_attribute("data-status")
        for li in page.locator("#queue-list li").all()
    }
    assert statuses == {
        "朴永哲": "duplicate",
        "金顺姬": "stored",
        "李明": "stored",
        "王淑兰": "refused",
    }
    refused = page.locator("#queue-list li", has_text="王淑兰")
    assert "已登记" in refused.locator("[data-reason]").inner_text()
    assert "已上报县" in page.locator("#queue-list li", has_text="金顺姬").inner_text()
    # a person visited by someone else since the last refresh is marked
    other = page.locator("#offline-work-list [data-elder]", has_text="赵凤英")
    assert "已由朴巡访" in other.locator("[data-mark=visited-by-other]").inner_text()
    assert other.locator("[data-mark=new]").count() == 1
    page.screenshot(path=ARTIFACTS / "offline-4-synced.png", full_page=True)

    # the refused visit is corrected (yesterday) and resent under the same phone-made id
    refused.locator("[data-action=correct]").click()
    page.wait_for_selector("#view-form:not([hidden])")
    assert "已登记" in page.locator("[data-field=visited_on]").inner_text()
    page.fill("#ov-visited_on", (today - datetime.timedelta(days=1)).isoformat())
    page.click("#offline-visit-form button[type=submit]")
    page.wait_for_selector(
        "#queue-list li:has-text('王淑兰') [data-status=stored]", state="attached"
    )

    # then the server holds each visit once, the urgent one with its referral
    def visits_of(elder):
        return api_json(page, base, f"/api/v1/visits/?elder={elder.pk}")["results"]

    assert len(visits_of(elders["normal"])) == 1
    assert len(visits_of(elders["invalid"])) == 1
    assert len(visits_of(elders["seen_today"])) == 2
    urgent = visits_of(elders["urgent"])
    assert len(urgent) == 1 and urgent[0]["client_id"]
    referrals = api_json(page, base, f"/api/v1/referrals/?elder={elders['urgent'].pk}")["results"]
    assert [(r["dimension"], r["status"], r["visit"]) for r in referrals] == [
        ("health", "open", urgent[0]["id"])
    ]
    page.screenshot(path=ARTIFACTS / "offline-5-all-stored.png", full_page=True)
    # and the county officer was notified at sync time, as online
    county = browser.new_context(viewport={"width": 1280, "height": 900})
    officer = county.new_page()
    login(officer, live_server, "hc-officer")
    officer.goto(f"{base}/notifications/")
    assert officer.locator("main", has_text="金顺姬").count() == 1
    county.close()

    # logging out empties the phone's store and caches
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#main-nav.show")  # the menu has finished opening
    page.locator("nav .dropdown-toggle").click()
    page.locator("#logout-form button").wait_for(state="visible")
    page.locator("#logout-form button").click()
    page.wait_for_url(f"{base}/accounts/login/")
    page.wait_for_selector("#id_username")
    left = page.evaluate(
        """async () => ({
            dbs: (await indexedDB.databases()).map((d) => d.name),
            caches: await caches.keys(),
            workers: (await navigator.serviceWorker.getRegistrations()).length,
        })"""
    )
    assert left == {"dbs": [], "caches": [], "workers": 0}
    assert errors == []
    # nothing loaded from outside the portal, the worker's requests included
    assert requested and all(url.startswith(base) for url in requested), set(requested)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stale_list_leaves_the_phone_and_logout_asks_about_unsent_visits(
    users, village, live_server, worker_network, browser
):
    # given a phone that downloaded its list, then recorded a visit offline
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    login(page, live_server, "visitor")
    page.goto(f"{live_server.url}/visits/offline/")
    page.wait_for_selector("body[data-offline-ready='1']")
    page.wait_for_selector("html[data-worker=ready]", state="attached")
    context.set_offline(True)
    page.wait_for_selector("#net-status[data-state=offline]")
    record(page, "朴永哲", assessments=[("health", "正常")])
    page.wait_for_selector("#view-list:not([hidden])")
    # when the list was last refreshed eight days ago (the limit is seven) and the app opens
    page.evaluate(
        """() => window.EldercareStore.setMeta(
            "refreshedAt", new Date(Date.now() - 8 * 86400000).toISOString())"""
    )
    page.reload()
    page.wait_for_selector("body[data-offline-ready='1']")
    # then the people are gone from the phone, the unsent visit stays
    assert "已超过 7 天未更新，已从本机删除" in page.locator("#notice").inner_text()
    assert page.locator("#offline-work-list [data-elder]").count() == 0
    assert "名单尚未下载" in page.locator("#freshness").inner_text()
    assert page.evaluate("() => window.EldercareStore.db.elders.count()") == 0
    assert queue_count(page) == "1"
    page.screenshot(path=ARTIFACTS / "offline-6-stale-list-dropped.png", full_page=True)

    # and logging out with a visit not yet stored asks first (the server stays unreachable)
    context.route("**/api/v1/visits/", lambda route: route.abort())
    context.set_offline(False)
    page.wait_for_selector("#net-status[data-state=online]")
    page.locator(".navbar-toggler").click()
    page.wait_for_selector("#main-nav.show")  # the menu has finished opening
    page.locator("nav .dropdown-toggle").click()
    page.locator("#logout-form button").wait_for(state="visible")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.locator("#logout-form button").click()
    page.wait_for_timeout(500)
    assert questions == ["本机还有 1 条巡访尚未保存到系统，退出登录将删除它们。仍要退出吗？"]
    assert page.url.startswith(f"{live_server.url}/visits/offline/")  # still logged in
    assert page.evaluate("() => window.EldercareStore.db.queue.count()") == 1
    page.once("dialog", lambda dialog: answer(dialog, True))
    if not page.locator("#logout-form button").is_visible():
        page.locator("nav .dropdown-toggle").click()
    page.locator("#logout-form button").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 0
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_signal_drops_on_the_online_visit_form(
    users, village, live_server, worker_network, browser
):
    # given a visitor on the server's visit form, with the offline app installed
    base = live_server.url
    elder = village["elders"]["normal"]
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    login(page, live_server, "visitor")
    page.goto(f"{base}/visits/offline/")
    page.wait_for_selector("html[data-worker=ready]", state="attached")
    page.goto(f"{base}/visits/elders/{elder.pk}/visit/")
    page.wait_for_selector("#visit-form")
    page.locator("[data-dimension=needs] label", has_text="关注").click()
    page.fill("#id_needs_note", "冬季取暖煤不够")
    # when the signal drops before saving
    context.set_offline(True)
    page.click("#visit-form button[type=submit]")
    # then the visit waits on the phone, in the offline app
    page.wait_for_url(f"{base}/visits/offline/")
    page.wait_for_selector("body[data-offline-ready='1']")
    assert queue_count(page) == "1"
    assert "朴永哲" in page.locator("#queue-list").inner_text()
    # and it is stored when the network returns
    context.set_offline(False)
    page.wait_for_selector("#queue-list [data-status=stored]", state="attached")
    stored = page.request.get(f"{base}/api/v1/visits/?elder={elder.pk}").json()["results"]
    assert [(v["needs"], v["needs_note"]) for v in stored] == [("attention", "冬季取暖煤不够")]
    page.screenshot(path=ARTIFACTS / "offline-7-form-fallback.png", full_page=True)
    context.close()
