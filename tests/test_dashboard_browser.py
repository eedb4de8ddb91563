"""The dashboard in Chromium: charts and the map draw (canvas), no console errors, and a click
on a chart drills one level down. Screenshots in var/screenshots/."""

import pytest

from tests.conftest import ARTIFACTS
from tests.test_dashboard import rolled  # noqa: F401  (fixture)
from tests.test_facility_browser import login


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def click_bar(page, index: int) -> None:
    """Click the centre of a bar of the area chart, where ECharts drew it."""
    x, y = page.evaluate(
        """(i) => {
            const el = document.getElementById('chart-areas');
            el.scrollIntoView({block: 'center', behavior: 'instant'});
            const chart = echarts.getInstanceByDom(el);
            const value = chart.getOption().series[0].data[i].value;
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [i, value]);
            const box = el.getBoundingClientRect();
            const [, bottom] = chart.convertToPixel({seriesIndex: 0}, [i, 0]);
            return [box.left + px, box.top + (py + bottom) / 2];
        }""",
        index,
    )
    page.mouse.click(x, y)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_leader_and_county_officer_dashboards(users, rolled, live_server, browser):  # noqa: F811
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = watch_console(page)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/?month=2023-10")
    for chart in ("chart-areas", "chart-trend", "chart-map"):
        page.wait_for_selector(f"#{chart}[data-rendered='1'] canvas")
    assert page.locator("#indicator-cards .indicator-card").count() == 12
    assert page.locator("[data-testid=value-visit_rate]").inner_text() == "40.0%"
    page.wait_for_timeout(800)  # animations settle before the screenshot
    page.screenshot(path=ARTIFACTS / "dashboard-leader.png", full_page=True)
    # clicking 延边's bar drills down to it (the bars are in prefecture code order)
    names = page.evaluate(
        "JSON.parse(document.getElementById('dashboard-data').textContent).areas.map(a => a.name)"
    )
    click_bar(page, names.index("延边朝鲜族自治州"))
    page.wait_for_url(lambda url: "region=222400000000" in url)
    assert "延边朝鲜族自治州" in page.locator("[data-testid=dashboard-title]").inner_text()
    page.wait_for_selector("#chart-map[data-rendered='1'] canvas")  # 延边's counties
    page.wait_for_timeout(800)
    page.screenshot(path=ARTIFACTS / "dashboard-prefecture.png", full_page=True)
    assert errors == []

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = watch_console(page)
    login(page, live_server, "hunchun")
    page.goto(f"{live_server.url}/dashboard/?month=2023-10")
    assert "珲春市" in page.locator("[data-testid=dashboard-title]").inner_text()
    for chart in ("chart-areas", "chart-trend"):
        page.wait_for_selector(f"#{chart}[data-rendered='1'] canvas")
    assert page.locator("#chart-map").count() == 0  # no outlines below county level
    page.wait_for_timeout(800)
    page.screenshot(path=ARTIFACTS / "dashboard-county.png", full_page=True)
    click_bar(page, 0)  # 春化镇
    page.wait_for_url(lambda url: "region=222404101000" in url)
    assert "春化镇" in page.locator("[data-testid=dashboard-title]").inner_text()
    page.wait_for_selector("#chart-areas[data-rendered='1'] canvas")
    page.screenshot(path=ARTIFACTS / "dashboard-township.png", full_page=True)
    # from the visit rate to the people not visited
    page.click("[data-testid=not-visited-link]")
    page.wait_for_url(
        lambda url: url.endswith("/visits/worklist/?within=222404101000&month=2023-10")
    )
    assert page.locator("#work-list .list-group-item").count() == 3
    page.screenshot(path=ARTIFACTS / "dashboard-worklist.png", full_page=True)
    assert errors == []
