"""The attacker's findings against personal data (issue 9), replayed: each now gets the right
answer (masked, refused exactly like a missing id, logged)."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import DatasetGrant
from core.roles import Role
from funding.models import Budget, Program
from tests.factories import ElderFactory, FacilityFactory, UserFactory, VisitorFactory
from tests.upload_files import csv_bytes, row, upload_file
from visits import services
from visits.models import PersonalDataAccess, Referral, UploadStatus

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1950, 3, 15)


def birth_formats(birth: datetime.date) -> list[str]:
    return [
        birth.isoformat(),
        f"{birth:%Y%m%d}",
        f"{birth.year}年{birth.month}月{birth.day}日",
        f"{birth.year}/{birth.month}/{birth.day}",
    ]


def wrong_check_character(number: str) -> str:
    """The same number with a check character that is certainly wrong."""
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture
def elder(tree):
    return ElderFactory(name="朴老汉", birth_date=BIRTH, phone="13812345678")


@pytest.fixture
def partner(users):
    partner = users[Role.PARTNER]
    DatasetGrant.objects.create(user=partner, dataset="visits")
    return partner


def hidden_positions(masked: str) -> set[int]:
    return {i for i, c in enumerate(masked) if c == "*"}


# --- 1. Masked ID numbers could be rebuilt from the birth date shown beside them ------------


def test_the_mask_hides_more_than_the_birth_digits(elder):
    masked = elder.masked_id_number
    assert len(masked) == 18 and masked[:6] == elder.id_number[:6]
    # birth digits (6-13) and the sequence (14-16) hidden: the birth date alone rebuilds nothing
    assert set(range(6, 17)) <= hidden_positions(masked)


def test_the_api_gives_the_birth_year_not_the_birth_date(client, partner, elder):
    client.force_login(partner)
    for url in ("/api/v1/elders/", f"/api/v1/elders/{elder.pk}/"):
        body = client.get(url).content.decode()
        data = json.loads(body)
        record = data["results"][0] if "results" in data else data
        assert "birth_date" not in record
        assert record["birth_year"] == 1950
        assert record["id_number_masked"] == elder.masked_id_number
        for text in [elder.id_number, *birth_formats(BIRTH)]:
            assert text not in body
    assert not PersonalDataAccess.objects.exists()


def test_the_html_list_gives_the_birth_year_not_the_birth_date(client, users, elder):
    client.force_login(users[Role.COUNTY_OFFICER])
    html = client.get(reverse("visits:index")).content.decode()
    assert elder.masked_id_number in html and "1950" in html
    for text in [elder.id_number, *birth_formats(BIRTH)]:
        assert text not in html


def test_partners_and_leadership_get_no_phone(client, users, partner, elder):
    for user in (partner, users[Role.PROVINCIAL_LEADER]):
        client.force_login(user)
        body = client.get(f"/api/v1/elders/{elder.pk}/").content.decode()
        assert elder.phone not in body
    client.force_login(users[Role.PROVINCIAL_LEADER])
    assert elder.phone not in client.get(reverse("visits:worklist")).content.decode()


def test_visitors_see_the_phone_of_people_on_their_work_list(client, users, elder):
    client.force_login(users[Role.VISITOR])
    assert elder.phone in client.get(reverse("visits:worklist")).content.decode()


def test_leadership_gets_a_masked_detail_page_and_no_log(client, users, elder):
    client.force_login(users[Role.PROVINCIAL_LEADER])
    html = client.get(reverse("visits:elder-detail", args=[elder.pk])).content.decode()
    assert elder.masked_id_number in html
    for text in [elder.id_number, elder.phone, *birth_formats(BIRTH)]:
        assert text not in html
    assert not PersonalDataAccess.objects.exists()


# --- 2. Upload error reports carried full ID numbers ----------------------------------------


def report_texts(client, upload) -> list[str]:
    """The first-problems table and the three downloads of an upload's error report."""
    page = client.get(reverse("visits:upload-detail", args=[upload.pk])).content.decode()
    csv_page = client.get(reverse("visits:upload-errors", args=[upload.pk]), {"format": "csv"})
    api_csv = client.get(f"/api/v1/uploads/{upload.pk}/errors/", {"format": "csv"})
    xlsx = client.get(reverse("visits:upload-errors", args=[upload.pk]), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = " ".join(str(c.value) for line in sheet.iter_rows() for c in line if c.value)
    texts = [page, csv_page.content.decode("utf-8-sig"), api_csv.content.decode("utf-8-sig")]
    return [*texts, cells]


@pytest.fixture
def upload(users, elder, tree):
    visitor = VisitorFactory(name="崔巡访", region=tree["hc_village"])
    far = ElderFactory(
        name="远方", village=tree["gz_village"], birth_date=datetime.date(1944, 7, 1)
    )
    rows = [
        row(elder, visitor, name="金顺子"),  # the name does not match the archive
        row(far, visitor),  # another county's person
        row(
            elder, visitor, id_number=wrong_check_character(elder.id_number)
        ),  # bad check character
    ]
    made = services.upload_create(
        user=users[Role.COUNTY_OFFICER], uploaded_file=upload_file(csv_bytes(rows), "log.csv")
    )
    made = services.upload_validate(upload_id=made.pk)
    assert made.status == UploadStatus.AWAITING_CONFIRMATION and made.rejected_rows == 3
    made.far = far
    return made


def test_the_error_report_is_masked_to_everyone_but_its_uploader(client, users, partner, upload):
    far = upload.far
    readers = [
        users[Role.PROVINCIAL_LEADER],
        partner,
        users[Role.PREFECTURE_OFFICER],
        UserFactory(username="hunchun2", role=Role.COUNTY_OFFICER, region=upload.region),
    ]
    for reader in readers:
        client.force_login(reader)
        for text in report_texts(client, upload):
            assert far.id_number not in text, reader
            assert far.masked_id_number in text, reader
            assert "19440701" not in text and "1944-07-01" not in text


def test_the_uploader_sees_the_numbers_until_the_upload_ends(client, users, upload):
    far = upload.far
    client.force_login(users[Role.COUNTY_OFFICER])
    assert all(far.id_number in text for text in report_texts(client, upload))
    services.upload_cancel(user=users[Role.COUNTY_OFFICER], upload=upload)
    for text in report_texts(client, upload):
        assert far.id_number not in text and far.masked_id_number in text


def test_once_confirmed_the_uploader_sees_them_masked(
    client, users, upload, django_capture_on_commit_callbacks
):
    far = upload.far
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_confirm(user=users[Role.COUNTY_OFFICER], upload=upload)
    upload.refresh_from_db()
    assert upload.status in (UploadStatus.IMPORTING, UploadStatus.DONE, UploadStatus.FAILED)
    client.force_login(users[Role.COUNTY_OFFICER])
    for text in report_texts(client, upload):
        assert far.id_number not in text and far.masked_id_number in text


def test_a_partner_of_another_county_sees_no_hunchun_number(client, users, elder, tree):
    officer = UserFactory(username="gzl", role=Role.COUNTY_OFFICER, region=tree["gongzhuling"])
    partner = UserFactory(username="gzl-partner", role=Role.PARTNER, region=tree["gongzhuling"])
    DatasetGrant.objects.create(user=partner, dataset="visits")
    visitor = VisitorFactory(name="范巡访", region=tree["gz_village"])
    made = services.upload_create(
        user=officer, uploaded_file=upload_file(csv_bytes([row(elder, visitor)]), "gz.csv")
    )
    made = services.upload_validate(upload_id=made.pk)
    client.force_login(partner)
    for text in report_texts(client, made):
        assert elder.id_number not in text and elder.masked_id_number in text


# --- 3. The person search was an ID oracle ---------------------------------------------------


def api_names(client, q):
    return {e["name"] for e in client.get("/api/v1/elders/", {"q": q}).json()["results"]}


def test_no_fragment_of_an_id_number_finds_anyone(client, partner, elder):
    client.force_login(partner)
    number = elder.id_number
    for length in (1, 4, 8, 12, 17):
        assert api_names(client, number[-length:]) == set(), length
    assert api_names(client, number[:17] + ("1" if number[17] != "1" else "2")) == set()
    assert not PersonalDataAccess.objects.exists()


def test_a_complete_valid_number_finds_the_person_and_is_logged(client, users, partner, elder):
    client.force_login(partner)
    assert api_names(client, elder.id_number.lower()) == {"朴老汉"}
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.elder, access.kind) == (partner, elder, "id_search")
    client.force_login(users[Role.COUNTY_OFFICER])
    page = client.get(reverse("visits:index"), {"q": elder.id_number}).context["page"]
    assert [e.name for e in page] == ["朴老汉"]
    assert PersonalDataAccess.objects.filter(kind="id_search").count() == 2


def test_a_search_for_a_number_nobody_has_is_logged_too(client, users, elder):
    from visits.idcard import make_id_number

    client.force_login(users[Role.COUNTY_OFFICER])
    unknown = make_id_number("222404", datetime.date(1951, 1, 1), 123)
    assert api_names(client, unknown) == set()
    access = PersonalDataAccess.objects.get()
    assert access.elder is None and access.kind == "id_search"
    assert access.id_number_masked == unknown[:6] + "*" * 11 + unknown[-1]


# --- 4. Names outside the caller's scope leaked through error messages ------------------------


def test_another_regions_facility_answers_like_a_missing_one(client, users, tree):
    program = Program.objects.create(code="OTHER", name_zh="其他", name_en="Other", kind="other")
    Budget.objects.create(program=program, year=2023, source="lottery", amount=Decimal("1000000"))
    foreign = FacilityFactory(name="南关区温馨养老院197号", region=tree["gz_village"])
    client.force_login(users[Role.COUNTY_OFFICER])
    payload = {
        "program": "OTHER",
        "year": 2023,
        "source": "lottery",
        "region": "222404000000",
        "amount": "1000",
    }

    def answer(facility_id):
        response = client.post(
            "/api/v1/allocations/",
            {**payload, "facility": facility_id},
            content_type="application/json",
        )
        return response.status_code, response.content.decode().replace(str(facility_id), "ID")

    out_of_scope, missing = answer(foreign.pk), answer(foreign.pk + 10_000)
    assert out_of_scope == missing and out_of_scope[0] == 400
    assert foreign.name not in out_of_scope[1]


def test_a_number_archived_elsewhere_is_refused_without_its_area_and_logged(client, users, tree):
    far = ElderFactory(name="远方", village=tree["gz_village"])
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.post(
        "/api/v1/elders/",
        {"id_number": far.id_number, "name": "冒名", "village": "222404101201"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.content.decode()
    for text in (far.name, "公主岭", "大房村", "范家屯", "已建档"):
        assert text not in body
    assert "转移" in body  # says how to ask for a transfer
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.elder, access.kind) == (
        users[Role.COUNTY_OFFICER],
        far,
        "archive_refused",
    )


def test_the_web_form_refuses_it_the_same_way(client, users, tree):
    far = ElderFactory(name="远方", village=tree["gz_village"])
    client.force_login(users[Role.COUNTY_OFFICER])
    response = client.post(
        reverse("visits:elder-create"),
        {
            "id_number": far.id_number,
            "name": "冒名",
            "village": tree["hc_village"].pk,
            "residence": "at_home",
            "archived_on": "2023-01-01",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "转移" in html and "公主岭" not in html
    assert PersonalDataAccess.objects.filter(kind="archive_refused", elder=far).exists()


def test_an_out_of_scope_assignee_answers_like_a_missing_user(client, users, elder, tree):
    stranger = UserFactory(username="gz", role=Role.COUNTY_OFFICER, region=tree["gongzhuling"])
    client.force_login(users[Role.TOWNSHIP_STAFF])

    def answer(user_id):
        response = client.post(
            "/api/v1/referrals/",
            {"elder": elder.pk, "kind": "medical", "description": "x", "assignee": user_id},
            # an error in another field must not tell the two apart either
            content_type="application/json",
        )
        return response.status_code, response.content.decode().replace(str(user_id), "ID")

    assert answer(stranger.pk) == answer(stranger.pk + 10_000)
    assert answer(stranger.pk)[0] == 400
    # nor does an account of the next township (outside the caller's area)
    neighbour = UserFactory(username="jx", role=Role.TOWNSHIP_STAFF, region=tree["hc_town2"])
    assert answer(neighbour.pk) == answer(neighbour.pk + 10_000)
    referral = Referral.objects.create(elder=elder, kind="medical", due_date=BIRTH)
    patched = client.patch(
        f"/api/v1/referrals/{referral.pk}/",
        {"assignee": stranger.pk},
        content_type="application/json",
    )
    missing = client.patch(
        f"/api/v1/referrals/{referral.pk}/",
        {"assignee": stranger.pk + 10_000},
        content_type="application/json",
    )
    assert patched.status_code == missing.status_code == 400
    assert patched.content.decode().replace(
        str(stranger.pk), "ID"
    ) == missing.content.decode().replace(str(stranger.pk + 10_000), "ID")
    # an assignee who works in the person's area is taken
    ok = client.post(
        "/api/v1/referrals/",
        {
            "elder": elder.pk,
            "kind": "medical",
            "description": "x",
            "due_date": "2030-01-01",
            "assignee": users[Role.COUNTY_OFFICER].pk,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content


def test_csv_report_reads_back(client, users, upload):
    """The masked report is still a report: row, column, value, message."""
    client.force_login(users[Role.PROVINCIAL_LEADER])
    response = client.get(reverse("visits:upload-errors", args=[upload.pk]), {"format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 4 and lines[2][2] == upload.far.masked_id_number


# --- Free text that quotes a number -----------------------------------------------------------


def test_notes_quoting_a_number_go_out_masked(
    client, users, elder, tree, mailoutbox, django_capture_on_commit_callbacks
):
    officer = users[Role.COUNTY_OFFICER]
    officer.email = "hunchun@example.cn"
    officer.save(update_fields=["email"])
    visitor = VisitorFactory(region=tree["hc_village"])
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_record(
            user=users[Role.TOWNSHIP_STAFF],
            elder=elder,
            visitor=visitor,
            visited_on=datetime.date(2023, 6, 5),
            method="in_person",
            health="urgent",
            health_note=f"身份证{elder.id_number}无人照料",
            notes=f"核对 {elder.id_number}",
        )
    assert len(mailoutbox) == 1
    assert (
        elder.id_number not in mailoutbox[0].body and elder.masked_id_number in mailoutbox[0].body
    )
    client.force_login(officer)
    for url in (
        reverse("notifications"),
        reverse("visits:referrals"),
        "/api/v1/visits/",
        "/api/v1/referrals/",
    ):
        body = client.get(url).content.decode()
        assert elder.id_number not in body and elder.masked_id_number in body, url


def test_lists_do_not_change_on_an_80th_birthday(client, partner, tree):
    """Advanced age in lists and the API counts at the month's end (as key elders are), so
    reading them every day does not reveal the day a person turns 80."""
    from django.utils import timezone

    from visits.models import month_bounds

    today = timezone.localdate()
    month_end = month_bounds(today.year, today.month)[1]
    turning = ElderFactory(
        name="将满八十",
        birth_date=month_end.replace(year=month_end.year - 80),
        is_living_alone=False,
    )
    client.force_login(partner)
    record = client.get(f"/api/v1/elders/{turning.pk}/").json()
    assert "advanced_age" in record["categories"]
    names = {
        e["name"] for e in client.get("/api/v1/elders/?category=advanced_age").json()["results"]
    }
    assert names == {"将满八十"}


def test_a_renovation_household_quoting_a_number_goes_out_masked(client, users, elder, tree):
    from funding.models import Renovation

    Renovation.objects.create(
        region=tree["hc_village"],
        elder=elder,
        household=f"朴老汉家 {elder.id_number}",
        year=2023,
        items="扶手",
    )
    partner = users[Role.PARTNER]
    DatasetGrant.objects.create(user=partner, dataset="funding")
    client.force_login(partner)
    body = client.get("/api/v1/renovations/").content.decode()
    assert elder.id_number not in body and elder.masked_id_number in body
