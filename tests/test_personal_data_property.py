"""Property: outside the logged full-ID view, nothing any role can fetch gives away an ID number.

Hypothesis generates older people with random valid ID numbers (birth date, sequence, county),
phones, visit notes that quote the number, and visit-log uploads of their numbers (good rows,
a wrong name, a mistyped check character, another county's people). Then every role fetches
every page, API endpoint, export and error report about them, and each response must not hold:

- the full number (or its first 17 characters, which give the check character away);
- the exact birth date in any spelling (1950-03-15, 19500315, 1950年3月15日, 1950/3/15 ...);
- masked numbers whose visible characters, taken together and with the birth year and sex,
  leave fewer than MIN_CANDIDATES numbers possible;
- for leadership and partner departments, the phone.

The person's page for a role that may see the full number is the one exception; there the test
checks that the view was logged.
"""

import datetime
import io
import re
from collections import Counter
from functools import cache

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from core.models import DatasetGrant
from core.roles import Role
from tests.factories import UserFactory, VisitorFactory
from tests.test_personal_data_findings import wrong_check_character
from tests.upload_files import csv_bytes, row, upload_file
from visits import services
from visits.idcard import CHECK_CHARACTERS, WEIGHTS, make_id_number
from visits.models import AccessKind, Elder, PersonalDataAccess, Visit
from visits.personal_data import policy_for

pytestmark = pytest.mark.django_db

MIN_CANDIDATES = 1000
VILLAGES = ("hc_village", "hc_village2", "gz_village")
MASKED = re.compile(r"[0-9Xx*]{18}")


def birth_spellings(birth: datetime.date) -> list[str]:
    y, m, d = birth.year, birth.month, birth.day
    return [
        f"{y}-{m:02d}-{d:02d}",
        f"{y}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
    ]


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * WEIGHTS[offset + i] for i, d in enumerate(digits))


@cache
def candidates(number: str, visible: frozenset[int]) -> int:
    """How many valid numbers agree with the visible characters, given (as an attacker would
    have them from other fields) the address code, the birth year and the sex.

    The check character is the weighted digit sum mod 11: the dates and the sequences are
    counted by their share of that sum, not enumerated pair by pair.
    """
    shown = {i: number[i] for i in visible}
    year = int(number[6:10])
    day = datetime.date(year, 1, 1)
    by_date = Counter()
    while day.year == year:
        text = f"{day:%Y%m%d}"
        if all(shown.get(6 + i, c) == c for i, c in enumerate(text)):
            by_date[_weighted(text, 6) % 11] += 1
        day += datetime.timedelta(days=1)
    parity = int(number[16]) % 2
    by_sequence = Counter(
        _weighted(f"{n:03d}", 14) % 11
        for n in range(1000)
        if n % 2 == parity and all(shown.get(14 + i, c) == c for i, c in enumerate(f"{n:03d}"))
    )
    if 17 not in visible:
        return sum(by_date.values()) * sum(by_sequence.values())
    prefix = _weighted(number[:6], 0)
    return sum(
        dates * sequences
        for a, dates in by_date.items()
        for b, sequences in by_sequence.items()
        if CHECK_CHARACTERS[(prefix + a + b) % 11] == number[17]
    )


def visible_positions(body: str, number: str) -> frozenset[int]:
    """Positions of `number` shown by any masked token in the body that agrees with it."""
    shown: set[int] = set()
    for token in MASKED.findall(body):
        token = token.upper()
        if "*" not in token:
            continue
        positions = {i for i, c in enumerate(token) if c != "*"}
        if all(token[i] == number[i] for i in positions):
            shown |= positions
    return frozenset(shown)


def body_text(response) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(
            " ".join("" if c.value is None else str(c.value) for c in line)
            for line in sheet.iter_rows()
        )
    return response.content.decode("utf-8-sig")


def assert_nothing_gives_it_away(body: str, elder: Elder, *, contact: bool, where: str):
    upper = body.upper()
    number = elder.id_number
    assert number[:17] not in upper, f"{where}: full ID number of {elder.name}"
    for spelling in birth_spellings(elder.birth_date):
        assert spelling not in body, f"{where}: birth date {spelling} of {elder.name}"
    count = candidates(number, visible_positions(body, number))
    assert count >= MIN_CANDIDATES, f"{where}: {elder.name}'s number narrowed to {count}"
    if not contact and elder.phone:
        assert elder.phone not in body, f"{where}: phone of {elder.name}"


people = st.lists(
    st.tuples(
        st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1965, 12, 31)),
        st.integers(min_value=0, max_value=999),
        st.sampled_from(VILLAGES),
        st.integers(min_value=0, max_value=9999),  # phone 1370000nnnn
        st.booleans(),  # urgent visit (referral, notification) quoting the number in its note
    ),
    min_size=1,
    max_size=2,
    unique_by=lambda p: (p[0], p[1], p[2][:2]),
)


@pytest.fixture
def readers(users, tree):
    """Every role, plus another county's officer and a partner attached to that county."""
    gz_officer = UserFactory(username="gzl", role=Role.COUNTY_OFFICER, region=tree["gongzhuling"])
    gz_partner = UserFactory(username="gzl-partner", role=Role.PARTNER, region=tree["gongzhuling"])
    for partner in (users[Role.PARTNER], gz_partner):
        DatasetGrant.objects.create(user=partner, dataset="visits")
    return {
        **{str(role): user for role, user in users.items()},
        "gz": gz_officer,
        "gzp": gz_partner,
    }


def make_people(drawn, tree):
    elders = []
    for n, (birth, sequence, village_key, phone, urgent) in enumerate(drawn):
        village = tree[village_key]
        number = make_id_number(village.code[:6], birth, sequence)
        elder = services.elder_create(
            user=None,
            id_number=number,
            name=f"测试老人{n}",
            village=village,
            phone=f"1370000{phone:04d}",
            household_address=f"{village.name}{n}号",
            is_living_alone=True,
            archived_on=datetime.date(2020, 1, 1),
        )
        visitor = VisitorFactory(name=f"巡访员{village_key}", region=village)
        services.visit_record(
            user=None,
            elder=elder,
            visitor=visitor,
            visited_on=datetime.date(2023, 6, 5),
            method="in_person",
            health="urgent" if urgent else "normal",
            health_note=f"身份证{number}，需送医" if urgent else "",
            notes=f"核对身份证 {number.lower()}",
        )
        elder.visitor = visitor
        elders.append(elder)
    return elders


def make_upload(user, elders, visitor):
    rows = []
    for elder in elders:
        rows += [
            row(elder, visitor, date="2023-06-06"),
            row(elder, visitor, name="别人"),
            row(elder, visitor, id_number=wrong_check_character(elder.id_number)),
            row(elder, visitor, id_number=elder.id_number[:17]),
        ]
    upload = services.upload_create(
        user=user, uploaded_file=upload_file(csv_bytes(rows), f"{elders[0].id_number}.csv")
    )
    return services.upload_validate(upload_id=upload.pk)


def urls_for(elders, uploads):
    urls = [
        reverse("visits:index"),
        reverse("visits:index") + "?category=advanced_age",
        reverse("visits:worklist"),
        reverse("visits:referrals"),
        reverse("visits:uploads"),
        reverse("notifications"),
        "/api/v1/elders/",
        "/api/v1/visits/",
        "/api/v1/referrals/",
    ]
    for elder in elders:
        urls += [
            reverse("visits:index") + f"?q={elder.name}",
            f"/api/v1/elders/{elder.pk}/",
            f"/api/v1/elders/?q={elder.id_number}",
            reverse("visits:elder-edit", args=[elder.pk]),
        ]
    for referral_id in Visit.objects.filter(referrals__isnull=False).values_list(
        "referrals__id", flat=True
    ):
        urls.append(reverse("visits:referral-update", args=[referral_id]))
    for upload in uploads:
        urls += [
            reverse("visits:upload-detail", args=[upload.pk]),
            reverse("visits:upload-errors", args=[upload.pk]) + "?format=csv",
            f"/api/v1/uploads/{upload.pk}/",
            f"/api/v1/uploads/{upload.pk}/errors/?format=xlsx",
        ]
    return urls


def uploader_sees_own_file(user, url, uploads) -> bool:
    """The officer who uploaded a file reads back its numbers until the upload ends."""
    return any(
        f"/{upload.pk}/" in url and "uploads" in url and policy_for(user).sees_upload_values(upload)
        for upload in uploads
    )


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=people, cancel_first=st.booleans())
def test_no_response_to_any_role_rebuilds_an_id_number(client, tree, readers, drawn, cancel_first):
    with transaction.atomic():
        elders = make_people(drawn, tree)
        hc_visitor = VisitorFactory(name="珲春巡访", region=tree["hunchun"])
        gz_visitor = VisitorFactory(name="公主岭巡访", region=tree["gongzhuling"])
        uploads = [
            make_upload(readers[str(Role.COUNTY_OFFICER)], elders, hc_visitor),
            make_upload(readers["gz"], elders, gz_visitor),
        ]
        if cancel_first:
            uploads[0] = services.upload_cancel(
                user=readers[str(Role.COUNTY_OFFICER)], upload=uploads[0]
            )
        urls = urls_for(elders, uploads)
        for key, user in readers.items():
            client.force_login(user)
            policy = policy_for(user)
            for url in urls:
                if uploader_sees_own_file(user, url, uploads):
                    continue
                response = client.get(url)
                assert response.status_code in (200, 403, 404), (key, url)
                body = body_text(response)
                for elder in elders:
                    assert_nothing_gives_it_away(
                        body, elder, contact=policy.contact, where=f"{key} {url}"
                    )
            for elder in elders:
                # the person's page: masked, or the logged full view
                views = PersonalDataAccess.objects.filter(
                    user=user, elder=elder, kind=AccessKind.DETAIL_VIEW
                )
                before = views.count()
                response = client.get(reverse("visits:elder-detail", args=[elder.pk]))
                logged = views.count()
                if elder.id_number in response.content.decode():
                    assert policy.may_reveal(elder) and logged == before + 1, key
                else:
                    assert_nothing_gives_it_away(
                        body_text(response), elder, contact=policy.contact, where=f"{key} detail"
                    )
        transaction.set_rollback(True)
