"""An allocation goes from planned to disbursed through the pages; the reports are drawn."""

from decimal import Decimal

import pytest

from funding.models import Allocation, Budget, Program
from tests.conftest import ARTIFACTS
from tests.test_facility_browser import login


@pytest.fixture
def program(db):
    program = Program.objects.create(
        code="VISIT",
        name_zh="巡访关爱服务购买",
        name_en="Home-visit services",
        kind="service_purchasing",
    )
    Budget.objects.create(program=program, year=2023, source="lottery", amount=Decimal("2000000"))
    Budget.objects.create(program=program, year=2022, source="lottery", amount=Decimal("2000000"))
    return program


@pytest.fixture
def last_year(program, users):
    """A settled 2022 allocation, so that the reports have a year to grow from (planned money
    would not count)."""
    Allocation.objects.create(
        program=program,
        year=2022,
        source="lottery",
        region=users["county_officer"].region,
        amount=Decimal("1000000"),
        status="settled",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plan_approve_disburse_through_the_pages(users, last_year, live_server, browser):
    # Rows are made by fixtures before Playwright starts; the test body reads only pages.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/funding/new/")
    page.select_option("#id_program", label="巡访关爱服务购买")
    page.select_option("#id_year", "2023")
    page.select_option("#id_source", "lottery")
    page.select_option("#id_region", label="珲春市（延边朝鲜族自治州）")
    page.fill("#id_amount", "2500000")  # over the budget: refused with the figures
    page.fill("#id_document_number", "吉民发〔2023〕88号")
    page.click("#allocation-form button[type=submit]")
    assert "超出预算" in page.locator("[data-field=amount]").inner_text()
    page.fill("#id_amount", "1234567.89")
    page.click("#allocation-form button[type=submit]")
    page.wait_for_selector("[data-testid=status]")
    assert page.get_by_test_id("status").inner_text() == "计划"
    assert "1,234,567.89" in page.get_by_test_id("amount").inner_text()
    page.get_by_test_id("advance").click()
    page.wait_for_selector("[data-testid=status]:has-text('已批准')")
    page.get_by_test_id("advance").click()
    page.wait_for_selector("[data-testid=status]:has-text('已下拨')")
    assert page.locator("#audit tbody tr").count() == 3
    page.screenshot(path=ARTIFACTS / "allocation-disbursed.png", full_page=True)

    page.goto(f"{live_server.url}/funding/reports/")
    page.wait_for_timeout(300)
    assert "23.5%" in page.locator("#yearly").inner_text()
    page.screenshot(path=ARTIFACTS / "funding-reports.png", full_page=True)
