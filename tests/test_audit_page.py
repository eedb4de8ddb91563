"""The audit log page (provincial administrator only, filtered, paginated, XLSX), the Django
admin that cannot change it, admin edits through the services, and the allocation's trail as
people read it: labels, names, amounts, a correction as its own entry."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from core.models import AuditEntry
from core.roles import Role
from facilities.models import Inspection
from facilities.services import inspection_draw
from funding.models import Allocation, Budget, Program
from funding.services import allocation_adjust, allocation_advance, allocation_create
from tests.factories import ElderFactory, FacilityFactory, InspectorFactory
from visits.services import elder_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(db):
    program = Program.objects.create(
        code="OTHER", name_zh="其他项目", name_en="Other", kind="other"
    )
    Budget.objects.create(program=program, year=2023, source="lottery", amount=Decimal("1000000"))
    return program


@pytest.fixture
def admin(users):
    admin = users[Role.PROVINCIAL_ADMIN]
    admin.first_name = "张三"
    admin.save(update_fields=["first_name"])
    return admin


@pytest.fixture
def trail(users, tree, program, admin):
    """An allocation planned by the county, approved and disbursed by 张三, and a person's
    phone edited by the county officer."""
    officer = users[Role.COUNTY_OFFICER]
    allocation = allocation_create(
        user=officer,
        program=program,
        year=2023,
        source="lottery",
        region=tree["hunchun"],
        amount="200000",
    )
    allocation = allocation_advance(user=admin, allocation=allocation)
    allocation = allocation_advance(user=admin, allocation=allocation)
    elder = ElderFactory(name="金老人", phone="")
    elder_update(elder=elder, user=officer, phone="13900001111")
    return allocation, elder


def test_the_administrator_lists_and_filters_the_audit_log(
    client, admin, users, trail, django_assert_max_num_queries
):
    allocation, elder = trail
    client.force_login(admin)
    # when the administrator opens the audit log
    with django_assert_max_num_queries(14):
        response = client.get(reverse("audit-log"))
    assert response.status_code == 200
    html = response.content.decode()
    # then every entry is there, readable, with the object linked to its page
    assert response.context["page"].paginator.count == 4
    assert "电话：— → 13900001111" in html
    assert f'href="{elder.get_absolute_url()}"' in html
    assert f'href="{allocation.get_absolute_url()}"' in html
    assert "状态：已批准 → 已下拨" in html

    # filters: action, user, object type, date range, each narrowing the list
    def count(**query):
        return client.get(reverse("audit-log"), query).context["page"].paginator.count

    assert count(action="update") == 1
    assert count(action="disbursed") == 1
    assert count(actor="hunchun") == 2
    assert count(actor="张三") == 2
    assert count(object_type="visits.elder") == 1
    assert count(object_type="funding.allocation") == 3
    today = timezone.localdate()
    assert count(date_from=today.isoformat(), date_to=today.isoformat()) == 4
    assert count(date_to=(today - datetime.timedelta(days=1)).isoformat()) == 0
    # a bad date is reported on the form, not a 500
    response = client.get(reverse("audit-log"), {"date_from": "2023-13-45"})
    assert response.status_code == 200
    # and the page is in the navigation
    assert 'data-testid="nav-audit"' in html


def test_the_audit_log_is_paginated(client, admin, tree, django_assert_max_num_queries):
    for n in range(55):
        AuditEntry.objects.create(
            actor=admin,
            action="update",
            object_type="core.region",
            object_id=str(n),
            before={"parent": 1},
            after={"parent": 2},
        )
    client.force_login(admin)
    with django_assert_max_num_queries(14):  # as many as for a handful of entries
        first = client.get(reverse("audit-log"))
    second = client.get(reverse("audit-log"), {"page": 2})
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 5


def test_the_xlsx_export_opens_and_has_the_rows(client, admin, trail):
    client.force_login(admin)
    response = client.get(reverse("audit-log"), {"format": "xlsx", "object_type": "visits.elder"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "用户", "用户名", "操作")
    assert len(rows) == 2
    assert rows[1][1:4] == ("hunchun", "hunchun", "修改")
    assert "电话: — → 13900001111" in rows[1][6]
    # and the whole log exports too
    response = client.get(reverse("audit-log"), {"format": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 5


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PROVINCIAL_ADMIN])
def test_other_roles_get_403_and_no_link(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("audit-log")).status_code == 403
    assert client.get(reverse("audit-log"), {"format": "xlsx"}).status_code == 403
    assert 'data-testid="nav-audit"' not in client.get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(reverse("audit-log"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_edits_or_deletes_the_trail_in_the_admin(client, admin, trail):
    entry = AuditEntry.objects.first()
    client.force_login(admin)  # a superuser
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200  # view
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {}).status_code == 403
    delete_url = f"/admin/core/auditentry/{entry.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    response = client.post(
        "/admin/core/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert response.status_code in (200, 302)


def test_the_allocation_trail_reads_in_labels_and_names(client, admin, users, trail):
    allocation, _elder = trail
    client.force_login(admin)
    html = client.get(reverse("funding:detail", args=[allocation.pk])).content.decode()
    # labels, choice labels, user names and formatted amounts; no codes or ids
    assert "状态：已批准 → 已下拨" in html
    assert "下拨人：— → 张三" in html
    assert "批准人：— → 张三" in html
    assert "金额（元）：200,000.00" in html
    assert "disbursed_by" not in html and "∅" not in html


def test_a_correction_is_its_own_entry_linked_from_the_original(client, admin, users, trail):
    allocation, _elder = trail
    officer = users[Role.COUNTY_OFFICER]
    # when the county corrects the disbursed allocation by −50,000
    adjustment = allocation_adjust(
        user=officer, allocation=allocation, amount="-50000", purpose="面积核减"
    )
    client.force_login(admin)
    html = client.get(reverse("funding:detail", args=[allocation.pk])).content.decode()
    # then the original's trail shows the correction as an entry linking to the adjustment
    assert "更正：-50,000.00 元（面积核减）" in html
    assert f'href="{adjustment.get_absolute_url()}" data-testid="correction-link"' in html
    # never as a change of the original
    assert "200,000.00 → -50,000.00" not in html
    assert "已下拨 → 计划" not in html
    entry = AuditEntry.objects.get(action="adjust")
    assert (entry.object_id, entry.before) == (str(adjustment.pk), None)
    assert entry.after["adjusts"] == allocation.pk
    # and the adjusting allocation's own page links back to the original
    html = client.get(reverse("funding:detail", args=[adjustment.pk])).content.decode()
    assert "更正：-50,000.00 元（面积核减）" in html
    assert f'href="{allocation.get_absolute_url()}"' in html


def test_budgets_edited_in_the_admin_go_through_the_service(client, admin, users, trail, program):
    allocation, _elder = trail  # 200,000 allocated from the 1,000,000 budget
    budget = Budget.objects.get(program=program, year=2023, source="lottery")
    client.force_login(admin)
    url = f"/admin/funding/budget/{budget.pk}/change/"
    form = {"program": program.pk, "year": 2023, "source": "lottery"}
    # when the budget is lowered below what is already allocated: refused on the form
    response = client.post(url, {**form, "amount": "100000.00"})
    assert response.status_code == 200
    assert "200000.00" in response.content.decode()
    budget.refresh_from_db()
    assert budget.amount == Decimal("1000000.00")
    # when it is raised: saved, with its audit entry
    response = client.post(url, {**form, "amount": "1500000.00"})
    assert response.status_code == 302
    budget.refresh_from_db()
    assert budget.amount == Decimal("1500000.00")
    entry = AuditEntry.objects.get(object_type="funding.budget", object_id=str(budget.pk))
    assert (entry.actor, entry.action, entry.before, entry.after) == (
        admin,
        "update",
        {"amount": "1000000.00"},
        {"amount": "1500000.00"},
    )
    # a new budget goes through the service too; none is deleted in the admin
    response = client.post(
        "/admin/funding/budget/add/",
        {"program": program.pk, "year": 2024, "source": "lottery", "amount": "300000"},
    )
    assert response.status_code == 302
    created = Budget.objects.get(year=2024)
    assert AuditEntry.objects.filter(
        object_type="funding.budget", object_id=str(created.pk), action="create", actor=admin
    ).exists()
    assert (
        client.post(f"/admin/funding/budget/{created.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Allocation.objects.filter(pk=allocation.pk).exists()


def test_inspection_results_are_not_edited_in_the_admin(client, admin, users, tree):
    for _ in range(2):
        FacilityFactory(region=tree["hc_town"])
        InspectorFactory(region=tree["hunchun"])
    inspection = inspection_draw(
        user=users[Role.COUNTY_OFFICER],
        region=tree["hunchun"],
        seed=1,
        planned_date=datetime.date(2023, 6, 1),
        count=1,
    ).inspections[0]
    client.force_login(admin)
    url = f"/admin/facilities/inspection/{inspection.pk}/change/"
    # the admin shows the inspection read only, pointing to the portal page for results
    html = client.get(url).content.decode()
    assert reverse("facilities:inspection-record", args=[inspection.pk]) in html
    response = client.post(url, {"result": "failed", "findings": "x"})
    assert response.status_code == 403
    inspection = Inspection.objects.get(pk=inspection.pk)
    assert inspection.result != "failed"


def test_the_trail_speaks_english_when_the_reader_does(client, admin, trail, settings):
    allocation, _elder = trail
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override(settings.LANGUAGE_CODE):  # the page leaves English active
        html = client.get(reverse("funding:detail", args=[allocation.pk])).content.decode()
    assert "status：Approved → Disbursed" in html
    assert "disbursed by：— → 张三" in html


def test_admin_edits_of_other_models_are_audited(client, admin, users, tree, program):
    client.force_login(admin)
    # when the administrator changes a program's rate in the admin
    response = client.post(
        f"/admin/funding/program/{program.pk}/change/",
        {"code": "OTHER", "name_zh": "其他项目", "name_en": "Other", "kind": "other", "rate": "80"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="funding.program")
    assert (entry.actor, entry.action, entry.before, entry.after) == (
        admin,
        "admin_change",
        {"rate": None},
        {"rate": "80"},
    )
    # and moves an account to another role, and grants it a dataset
    partner = users[Role.PARTNER]
    joined = timezone.localtime(partner.date_joined.replace(microsecond=0))
    partner.date_joined = joined
    partner.save(update_fields=["date_joined"])
    response = client.post(
        f"/admin/core/user/{partner.pk}/change/",
        {
            "username": partner.username,
            "role": Role.PARTNER,
            "region": tree["changchun"].pk,
            "is_active": "on",
            "date_joined_0": f"{joined:%Y-%m-%d}",
            "date_joined_1": f"{joined:%H:%M:%S}",
            "dataset_grants-TOTAL_FORMS": "1",
            "dataset_grants-INITIAL_FORMS": "0",
            "dataset_grants-0-dataset": "funding",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    changes = {
        tuple(sorted(e.after))
        for e in AuditEntry.objects.filter(object_type="core.user", object_id=str(partner.pk))
    }
    assert ("region",) in changes and ("datasets",) in changes
    # then the audit page reads it in labels and names
    html = client.get(reverse("audit-log"), {"object_type": "core.user"}).content.decode()
    assert "地区：吉林省 → 长春市" in html
    assert "后台修改" in html


def test_an_adjustments_own_steps_are_labelled_on_the_original(client, admin, users, trail):
    allocation, _elder = trail
    adjustment = allocation_adjust(
        user=users[Role.COUNTY_OFFICER], allocation=allocation, amount="-50000", purpose="核减"
    )
    allocation_advance(user=admin, allocation=adjustment)
    client.force_login(admin)
    html = client.get(reverse("funding:detail", args=[allocation.pk])).content.decode()
    # the adjustment's approval appears on the original's trail as the adjustment's, linked
    assert f'<a href="{adjustment.get_absolute_url()}">更正分录 #{adjustment.pk}</a>' in html
    # and a creation lists the values in the form's order, the year first
    rows = client.get(reverse("funding:detail", args=[allocation.pk])).context["audit"]
    created = next(row for row in rows if row.entry.action == "create" and not row.other_object)
    assert [change.label for change in created.changes][:3] == ["补助项目", "年度", "来源"]


def test_a_count_named_like_a_reverse_relation_reads_as_a_count(client, users):
    """An import's batch entry counts "visits"; VisitUpload has a reverse relation of that name."""
    from core.models import AuditEntry
    from core.services import audit_record
    from tests.factories import ElderFactory
    from visits.models import VisitUpload

    ElderFactory()
    upload = VisitUpload.objects.create(
        uploader=users[Role.COUNTY_OFFICER],
        original_name="log.csv",
        file_format="csv",
        file_size=1,
        region=users[Role.COUNTY_OFFICER].region,
    )
    audit_record(
        actor=users[Role.COUNTY_OFFICER],
        action="import",
        obj=upload,
        before=None,
        after={"visits": 3, "referrals": 1},
    )
    assert AuditEntry.objects.filter(action="import").exists()
    client.force_login(users[Role.PROVINCIAL_ADMIN])
    assert client.get("/audit/").status_code == 200
