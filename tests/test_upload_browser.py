"""Upload a visit log in Chromium, watch the progress bar reach the end, get the error report."""

import datetime

import pytest
from openpyxl import load_workbook

from tests.conftest import ARTIFACTS
from tests.factories import ElderFactory, VisitorFactory
from tests.test_facility_browser import login
from tests.upload_files import csv_bytes, row

ROWS = 60_000


@pytest.fixture
def visit_log(tree, tmp_path):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    elders = [ElderFactory(name=f"老人{n}") for n in range(50)]
    start = datetime.date(2021, 1, 1)
    rows = [
        row(elders[n % 50], visitor, date=(start + datetime.timedelta(days=n // 50)).isoformat())
        for n in range(ROWS)
    ]
    rows[7] = row(elders[0], visitor, name="=错名")  # rejected, and formula-looking
    rows[99] = row(elders[1], visitor, method="步行")
    path = tmp_path / "珲春市6月巡访记录.csv"
    path.write_bytes(csv_bytes(rows, encoding="gb18030"))
    return path


@pytest.mark.browser
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_upload_watch_progress_confirm_and_download_errors(
    users,
    visit_log,
    worker,
    broker,
    live_server,
    browser,
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server, "hunchun")
    page.goto(f"{live_server.url}/visits/uploads/")
    page.screenshot(path=ARTIFACTS / "upload-form.png", full_page=True)
    page.set_input_files("#id_file", str(visit_log))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#upload-status")
    seen = set()
    for _ in range(600):  # the bar is redrawn by htmx every second
        seen.add(page.locator("#upload-status").get_attribute("data-status"))
        if "awaiting_confirmation" in seen:
            break
        page.wait_for_timeout(100)
    assert "awaiting_confirmation" in seen
    assert seen & {"queued", "validating"}  # the page showed the work going on before the end
    assert page.get_by_test_id("progress").inner_text() == "100%"
    assert page.get_by_test_id("valid-rows").inner_text() == str(ROWS - 2)
    assert page.get_by_test_id("rejected-rows").inner_text() == "2"
    page.screenshot(path=ARTIFACTS / "upload-preview.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("errors-xlsx").click()
    report = ARTIFACTS / "upload-errors.xlsx"
    download_info.value.save_as(report)
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "值", "问题")
    assert {(r[0], r[1]) for r in rows[1:]} == {(9, "姓名"), (101, "巡访方式")}
    assert "'=错名" in {r[2] for r in rows[1:]}

    page.get_by_test_id("confirm").click()
    page.wait_for_selector("#upload-status[data-status=done]", timeout=60_000)
    assert page.get_by_test_id("imported-rows").inner_text() == str(ROWS - 2)
    page.screenshot(path=ARTIFACTS / "upload-done.png", full_page=True)
