"""Each rejected row names its row and column; whole-file problems store nothing."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from tests.upload_files import csv_bytes, row, upload_file, xlsx_bytes
from visits.models import Visit, VisitUpload
from visits.services import upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    return {
        "elder": ElderFactory(name="金顺姬", birth_date=datetime.date(1950, 3, 15)),
        "dead": ElderFactory(
            name="朴老汉", residence="deceased", residence_since=datetime.date(2023, 5, 1)
        ),
        "far": ElderFactory(name="远方", village=tree["gz_village"]),
        "visitor": VisitorFactory(name="崔巡访", region=tree["hc_village"], phone="13900000001"),
        "twin": VisitorFactory(name="李同名", region=tree["hc_village"], phone="13900000002"),
        "twin2": VisitorFactory(name="李同名", region=tree["hc_town"], phone="13900000003"),
        "elsewhere": VisitorFactory(name="敬信巡访", region=tree["hc_village2"]),
    }


def validate(users, data, name="log.csv", role=Role.COUNTY_OFFICER, capture=None):
    with capture(execute=True):
        upload = upload_create(user=users[role], uploaded_file=upload_file(data, name))
    upload.refresh_from_db()
    return upload


def test_each_row_problem_is_reported_with_row_and_column(
    users, people, django_capture_on_commit_callbacks
):
    p = people
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    bad_check = p["elder"].id_number[:17] + ("0" if p["elder"].id_number[17] != "0" else "1")
    rows = [
        row(p["elder"], p["visitor"]),  # 2: good
        row(p["elder"], p["visitor"], id_number=bad_check),  # 3: check character
        row(p["elder"], p["visitor"], name="金顺子"),  # 4: name does not match
        row(p["elder"], p["visitor"], visit_date=tomorrow),  # 5: future
        row(p["elder"], p["visitor"], visit_date="1950-03-14"),  # 6: before birth
        row(p["dead"], p["visitor"], visit_date="2023-05-02"),  # 7: after death
        row(p["far"], p["visitor"]),  # 8: another county's person
        row(p["elder"], p["visitor"], visitor="不认识"),  # 9: unknown visitor
        row(p["elder"], p["elsewhere"]),  # 10: visitor outside the village
        row(p["elder"], p["twin"]),  # 11: two visitors of that name cover the village
        row(p["elder"], p["twin"], visitor_phone="13900000002", visit_date="2023-06-06"),  # 12
        row(p["elder"], p["visitor"], method="上门走访", health="很好"),  # 13: two bad values
        row(p["elder"], p["visitor"], help_needed="助餐、助跑"),  # 14: unknown help
        row(p["elder"], p["visitor"], visit_date="2023-02-30"),  # 15: no such date
        row(p["elder"], p["visitor"], visitor=""),  # 16: required
    ]
    upload = validate(users, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert (upload.total_rows, upload.valid_rows, upload.rejected_rows) == (15, 2, 13)
    found = {(e.row, e.column): e for e in upload.row_errors.all()}
    expected = {
        (3, "身份证号"): "校验码",
        (4, "姓名"): "金顺姬",
        (5, "巡访日期"): "晚于今天",
        (6, "巡访日期"): "早于此人出生",
        (7, "巡访日期"): "2023-05-01",
        (8, "身份证号"): "没有",
        (9, "巡访人员"): "没有",
        (10, "巡访人员"): "东阿拉村",
        (11, "巡访人员"): "电话",
        (13, "巡访方式"): "入户",
        (13, "身体状况"): "正常",
        (14, "服务需求"): "助跑",
        (15, "巡访日期"): "2023-06-05",
        (16, "巡访人员"): "必填",
    }
    for (line, column), fragment in expected.items():
        assert (line, column) in found, (line, column, sorted(found))
        assert fragment in found[(line, column)].message + found[(line, column)].value
    assert not any(line in (2, 12) for line, _column in found)
    assert not Visit.objects.exists()  # nothing before confirmation


def test_a_county_officer_cannot_upload_for_another_countys_people(
    users, people, tree, django_capture_on_commit_callbacks
):
    visitor = VisitorFactory(name="公主岭巡访", region=tree["gz_village"])
    upload = validate(
        users, csv_bytes([row(people["far"], visitor)]), capture=django_capture_on_commit_callbacks
    )
    assert upload.valid_rows == 0
    assert upload.row_errors.filter(column="身份证号").exists()


def test_read_only_roles_cannot_upload(users, people):
    with pytest.raises(PermissionDenied):
        upload_create(
            user=users[Role.PROVINCIAL_LEADER], uploaded_file=upload_file(csv_bytes([]), "a.csv")
        )


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "fragment"),
    [
        ("log.xlsx", lambda: csv_bytes([]), "不是真正的"),  # a CSV renamed to .xlsx
        ("log.csv", lambda: xlsx_bytes([]), "不是文本"),  # an xlsx renamed to .csv
        ("log.csv", lambda: bytes(range(256)) * 64, "不是文本"),  # binary garbage
        ("log.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200, "损坏"),  # broken zip
        ("log.xlsx", zip_bomb, "解压"),
        ("log.xlsx", lambda: xlsx_bytes([["a", "b"]], header=["姓名x", "备注x"]), "没有工作表"),
        ("log.pdf", lambda: b"%PDF-1.4", ".xlsx"),
        ("log.csv", lambda: b"", "空"),
        ("log.csv", lambda: "身份证号,姓名\n1,2\n".encode(), "缺少必填列"),
    ],
)
def test_hostile_or_wrong_files_are_refused_and_nothing_is_stored(users, name, make, fragment):
    with pytest.raises(ValidationError) as error:
        upload_create(user=users[Role.COUNTY_OFFICER], uploaded_file=upload_file(make(), name))
    assert fragment in " ".join(error.value.messages)
    assert not VisitUpload.objects.exists()


def test_size_and_row_limits(users, people, settings, django_capture_on_commit_callbacks):
    data = csv_bytes([row(people["elder"], people["visitor"])] * 5)
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="MB"):
        upload_create(user=users[Role.COUNTY_OFFICER], uploaded_file=upload_file(data, "a.csv"))
    settings.UPLOAD_MAX_BYTES = 10_000_000
    settings.UPLOAD_MAX_ROWS = 3
    upload = validate(users, data, capture=django_capture_on_commit_callbacks)
    assert upload.status == "failed" and "3" in upload.message
    assert not upload.row_errors.exists() and not Visit.objects.exists()


def test_error_report_is_excel_safe(users, people, django_capture_on_commit_callbacks, client):
    rows = [
        row(people["elder"], people["visitor"], visitor='=HYPERLINK("http://x","点我")'),
        row(people["elder"], people["visitor"], help_needed="@SUM(A1)"),
    ]
    upload = validate(users, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.get(f"/visits/uploads/{upload.pk}/errors/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for r in sheet.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert '\'=HYPERLINK("http://x","点我")' in values and "'@SUM(A1)" in values
    assert [c.value for c in next(sheet.iter_rows())] == ["行号", "列", "值", "问题"]
    text = client.get(f"/visits/uploads/{upload.pk}/errors/?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
