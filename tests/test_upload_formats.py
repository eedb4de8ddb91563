"""Every format, encoding, header and date variant reads to the same clean rows."""

import datetime

import pytest

from core.roles import Role
from tests.factories import ElderFactory, VisitorFactory
from tests.upload_files import EN, ZH, csv_bytes, row, upload_file, xlsx_bytes
from visits.models import Visit
from visits.services import upload_confirm, upload_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    elders = [ElderFactory(name=f"老人{n}") for n in range(3)]
    return elders, visitor


@pytest.fixture
def run(users, django_capture_on_commit_callbacks):
    def run(data, name, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            upload = upload_create(
                user=user or users[Role.COUNTY_OFFICER], uploaded_file=upload_file(data, name)
            )
        upload.refresh_from_db()
        return upload

    return run


def confirm(upload, user, capture):
    with capture(execute=True):
        upload_confirm(user=user, upload=upload)
    upload.refresh_from_db()
    return upload


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(people, run, encoding):
    elders, visitor = people
    upload = run(csv_bytes([row(e, visitor) for e in elders], encoding=encoding), "log.csv")
    assert (upload.status, upload.total_rows, upload.valid_rows) == ("awaiting_confirmation", 3, 3)
    assert upload.file_format == "csv"


def test_english_headers_in_any_order(people, run):
    elders, visitor = people
    order = [11, 3, 0, 2, 1, 5, 6, 7, 8, 9, 10, 4]
    header = [EN[i] for i in order]
    rows = [[row(e, visitor, method="phone", health="attention")[i] for i in order] for e in elders]
    upload = run(csv_bytes(rows, header=header), "log.csv")
    assert upload.valid_rows == 3, list(upload.row_errors.values_list("message", flat=True))


@pytest.mark.parametrize("date", ["2023-06-05", "2023/6/5", "2023年6月5日", "20230605"])
def test_date_spellings(people, run, users, date, django_capture_on_commit_callbacks):
    elders, visitor = people
    upload = run(csv_bytes([row(elders[0], visitor, date=date)]), "log.csv")
    assert upload.valid_rows == 1
    confirm(upload, users[Role.COUNTY_OFFICER], django_capture_on_commit_callbacks)
    assert Visit.objects.get().visited_on == datetime.date(2023, 6, 5)


def test_xlsx_with_excel_date_cells_a_notes_sheet_first_and_lower_case_x(
    tree, run, users, django_capture_on_commit_callbacks
):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    from visits.idcard import make_id_number

    birth = datetime.date(1940, 3, 5)
    number = next(
        n for n in (make_id_number("222404", birth, s) for s in range(2, 999, 2)) if n.endswith("X")
    )
    x_elder = ElderFactory(name="金老人", birth_date=birth, id_number=number)
    rows = [
        row(x_elder, visitor, date=datetime.date(2023, 6, 5), help_needed="助餐、助医"),
        row(x_elder, visitor, date=datetime.datetime(2023, 6, 6, 9, 30)),  # noqa: DTZ001 (an Excel cell has no zone)
    ]
    rows[1][0] = rows[1][0].lower()  # the check character x typed in lower case
    assert rows[1][0].endswith("x")
    upload = run(xlsx_bytes(rows, extra_sheets=["填写说明"]), "log.xlsx")
    assert (upload.file_format, upload.valid_rows) == ("xlsx", 2), list(
        upload.row_errors.values_list("message", flat=True)
    )
    confirm(upload, users[Role.COUNTY_OFFICER], django_capture_on_commit_callbacks)
    visits = list(Visit.objects.order_by("visited_on"))
    assert [v.visited_on.day for v in visits] == [5, 6]
    assert visits[0].helps_needed == ["meals", "medical"]
    assert visits[0].source == "upload" and visits[0].upload_id == upload.pk


def test_values_in_english_and_chinese(people, run):
    elders, visitor = people
    rows = [
        row(elders[0], visitor, method="视频", health="紧急", notes="胸闷", finances="关注"),
        row(
            elders[1],
            visitor,
            method="in_person",
            health="urgent",
            safety="Attention",
            help_needed="meals; bathing",
            notes="fell twice this week",
        ),
    ]
    upload = run(csv_bytes(rows), "log.csv")
    assert upload.valid_rows == 2, list(upload.row_errors.values_list("message", flat=True))


def test_a_header_only_in_chinese_zh_aliases_are_required(people, run, users):
    elders, visitor = people
    from django.core.exceptions import ValidationError

    header = list(ZH)
    header.remove("巡访日期")
    with pytest.raises(ValidationError, match="巡访日期"):
        run(
            csv_bytes([row(elders[0], visitor)[:2] + row(elders[0], visitor)[3:]], header=header),
            "log.csv",
        )
