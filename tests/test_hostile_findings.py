"""Issue 9, findings 5-6 replayed: hostile input answers 400/413/429, never a server error.

Each test is one finding of the report: control characters that reached an XLSX writer, a
malformed month, NUL bytes in a path, a filter or a JSON body, no login throttling, no API
rate limit, no JSON body limit, no Content-Security-Policy, a Content-Disposition built from the
URL, and the language cookie's flags.
"""

import datetime
import io
import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from core.exports import excel_safe
from core.roles import Role
from funding.reports import reports_workbook
from tests.factories import FacilityFactory
from visits.models import UploadRowError, VisitUpload

pytestmark = pytest.mark.django_db

ADMIN = Role.PROVINCIAL_ADMIN
COUNTY = Role.COUNTY_OFFICER


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def sheet_values(content):
    workbook = load_workbook(io.BytesIO(content))
    return [c.value for sheet in workbook for r in sheet.iter_rows() for c in r]


# --- Finding 5: control characters reaching an XLSX writer --------------------------------------


def test_excel_safe_strips_control_characters_and_keeps_text():
    assert excel_safe("探针养老院\x1b") == "探针养老院"
    assert excel_safe("a\x00b\x0bc\x0cd\x1fe") == "abcde"
    assert excel_safe("第一行\n第二行\t！") == "第一行\n第二行\t！"  # tab and newline are legal
    assert excel_safe("=1+1") == "'=1+1"
    assert excel_safe("\x1b=1+1") == "'=1+1"  # a control character does not hide a formula
    assert excel_safe(12) == 12 and excel_safe(None) is None


def test_facility_with_a_control_character_in_its_name_exports_as_xlsx(client, users, tree):
    # given a facility whose name ends in ESC (the finding: it broke the export for everyone)
    FacilityFactory(name="探针养老院\x1b", region=tree["hc_town"], address="地址\x0b二")
    client.force_login(users[ADMIN])
    # when the province exports the list
    response = client.get(reverse("facilities:index"), {"format": "xlsx"})
    # then the workbook opens and holds the name without the control character
    assert response.status_code == 200
    values = sheet_values(response.content)
    assert "探针养老院" in values and "地址二" in values
    assert response["Content-Disposition"].startswith('attachment; filename="facilities-')


def test_upload_error_report_with_control_characters_exports(client, users, tree):
    upload = VisitUpload.objects.create(
        uploader=users[COUNTY],
        region=tree["hunchun"],
        file="uploads/visits/x.csv",
        original_name="x.csv",
        file_format="csv",
        file_size=10,
        validated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    UploadRowError.objects.create(
        upload=upload, row=2, column="姓名", value="金\x1b\x07", message="m"
    )
    client.force_login(users[COUNTY])
    response = client.get(reverse("visits:upload-errors", args=[upload.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    assert "金" in sheet_values(response.content)
    assert response["Content-Disposition"] == (
        f'attachment; filename="upload-{upload.pk}-errors.xlsx"'
    )


def test_funding_report_workbook_strips_control_characters():
    context = {
        "prefectures": {"222400000000": "延边\x1b州"},
        "programs": {"P1": "项目\x1b"},
        "pivot": {2026: {"P1": {"222400000000": 10}}},
        "yearly": [
            {
                "year": 2026,
                "total": 10,
                "growth": None,
                "lottery": 0,
                "lottery_share": 0,
                "share_of_province": None,
                "planned": 0,
            }
        ],
        "progress": [{"program__name_zh": "进度\x0b", "allocated": 1, "disbursed": 1, "share": 1}],
        "per_person": [
            {"prefecture_name": "白山\x1b", "facilities": 1, "residents": 1, "subsidy": 1}
        ],
        "renovations": {"households": 1, "target": 2, "share": 0.5, "share_of_province": None},
    }
    values = sheet_values(reports_workbook(context))
    assert {"延边州", "项目", "进度", "白山"} <= set(values)


# --- Finding 5: malformed query parameters ---------------------------------------------------


@pytest.mark.parametrize("month", ["abc", "2026-13", "2026-1", "９９９９-０１", "2026-01\x00"])
def test_elder_list_with_a_malformed_month_shows_an_error(client, users, month):
    client.force_login(users[COUNTY])
    response = client.get(reverse("visits:index"), {"month": month})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode() or "NUL" in response.content.decode()


def test_elder_list_with_a_malformed_month_names_the_field(client, users):
    client.force_login(users[COUNTY])
    response = client.get(reverse("visits:index"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "月份格式为 YYYY-MM。" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/elders/", "/api/v1/visits/"])
def test_api_with_a_malformed_month_answers_400(users, path):
    response = api(users[COUNTY]).get(path, {"month": "2026-13"})
    assert response.status_code == 400
    assert "month" in response.json()


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("facilities:index", {"grade": "abc"}),
        ("facilities:index", {"min_beds": "9" * 5000}),
        ("facilities:index", {"region": "２２０４"}),
        ("facilities:index", {"updated_since": "2026-13-45"}),
        ("funding:index", {"year": "abc"}),
        ("facilities:inspections", {"planned_after": "2026-13-45"}),
        ("visits:worklist", {"within": "abc"}),
    ],
)
def test_pages_with_malformed_filters_show_an_error(client, users, name, params):
    client.force_login(users[ADMIN])
    response = client.get(reverse(name), params)
    assert response.status_code == 400
    assert 'data-testid="filter-errors"' in response.content.decode()


# --- Finding 5: NUL bytes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/%00/",
        "/regions/%00/",
        "/visits/worklist/?within=%00",
        "/facilities/?q=a%00b",
        "/api/v1/facilities/?q=%00",
    ],
)
def test_nul_in_a_path_or_query_answers_400(client, users, tree, path):
    client.force_login(users[ADMIN])
    response = client.get(path)
    assert response.status_code == 400


def test_nul_in_a_json_body_answers_400(users, tree):
    facility = FacilityFactory(region=tree["hc_town"], kind="township_welfare_center")
    client = api(users[ADMIN])
    for method, path in [
        ("patch", f"/api/v1/facilities/{facility.pk}/"),
        ("post", "/api/v1/allocations/"),
        ("post", "/api/v1/elders/"),
    ]:
        response = getattr(client, method)(path, {"region": "\u0000"}, format="json")
        assert response.status_code == 400, (method, path, response.content)
        assert response["Content-Type"].startswith("application/json")
    # the JSON escape \u0000 and a raw NUL both count
    response = client.generic(
        "PATCH",
        f"/api/v1/facilities/{facility.pk}/",
        '{"name": "a\\u0000b"}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_nul_in_a_form_post_shows_400_and_stores_nothing(client, users, tree):
    facility = FacilityFactory(region=tree["hc_town"], kind="township_welfare_center")
    client.force_login(users[ADMIN])
    response = client.post(
        reverse("facilities:edit", args=[facility.pk]), {"name": "探针\x00", "address": "x"}
    )
    assert response.status_code == 400
    facility.refresh_from_db()
    assert "\x00" not in facility.name


def test_forms_and_serializers_refuse_nul_in_stored_text_behind_the_middleware(users):
    # the middleware is the first wall; the fields that store text are the second
    from facilities.apis import FacilitySerializer
    from visits.forms import ReferralForm

    form = ReferralForm(data={"kind": "meals", "description": "a\x00b"})
    assert not form.is_valid() and "description" in form.errors
    serializer = FacilitySerializer(data={"name": "a\x00b"})
    assert not serializer.is_valid() and "name" in serializer.errors


# --- Finding 6: login throttling -----------------------------------------------------------


def test_login_locks_out_after_repeated_failures_with_a_chinese_message(client, users, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 5
    url = reverse("login")
    for _ in range(5):
        response = client.post(url, {"username": "hunchun", "password": "wrong"})
        assert response.status_code == 200  # the ordinary "wrong password" page
    # the right password no longer gets in while the lock-out lasts
    response = client.post(url, {"username": "hunchun", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another address trying the same account is locked out too (per user) ...
    response = client.post(url, {"username": "hunchun", "password": "x"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    # ... and the locked-out address cannot try another account either (per address)
    response = client.post(url, {"username": "township", "password": "secret-pass-123"})
    assert response.status_code == 429
    cache.clear()
    response = client.post(url, {"username": "hunchun", "password": "secret-pass-123"})
    assert response.status_code == 302


# --- Finding 6: API rate limit ---------------------------------------------------------------


def test_api_rate_limit_answers_429_with_retry_after(users, settings):
    cache.clear()
    rest = {**settings.REST_FRAMEWORK}
    rest["DEFAULT_THROTTLE_RATES"] = {**rest["DEFAULT_THROTTLE_RATES"], "user": "3/minute"}
    settings.REST_FRAMEWORK = rest
    client = api(users[COUNTY])
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    # another user has their own budget
    assert api(users[ADMIN]).get("/api/v1/me/").status_code == 200
    cache.clear()


# --- Finding 6: request body limits -----------------------------------------------------------


def test_oversized_json_body_is_refused_before_parsing(users, tree, settings):
    settings.API_JSON_MAX_BYTES = 1000
    facility = FacilityFactory(region=tree["hc_town"], kind="township_welfare_center")
    body = json.dumps({"name": "x" * 2000})
    response = api(users[ADMIN]).generic(
        "PATCH", f"/api/v1/facilities/{facility.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    facility.refresh_from_db()
    assert facility.name != "x" * 2000


def test_json_body_limit_is_checked_on_content_length_alone(users):
    # a client that announces 200 MB is refused without the body being read
    response = api(users[ADMIN]).generic(
        "POST",
        "/api/v1/elders/",
        "{}",
        content_type="application/json",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_form_body_limit_is_set(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024


# --- Finding 6: CSP, Content-Disposition, language cookie ------------------------------------


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, users):
    client.force_login(users[COUNTY])
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_template_download_uses_a_fixed_filename(client, users):
    client.force_login(users[COUNTY])
    response = client.get("/visits/uploads/template.xlsx%22%3B%20filename%3D%22evil.html")
    assert response.status_code == 404
    response = client.get(reverse("visits:upload-template", args=["csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="visit-log-template.csv"'


def test_language_cookie_is_samesite_and_httponly(client, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]


def test_language_cookie_is_secure_in_production():
    from tests.test_settings import manage

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.LANGUAGE_COOKIE_SECURE, "
        "s.LANGUAGE_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_HTTPONLY)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
        DJANGO_ALLOWED_HOSTS="portal.mca.jl.gov.cn",
        DATABASE_URL="postgres://eldercare:secret@db:5432/eldercare",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Lax", "True"]


def test_map_data_with_a_malformed_filter_answers_400_naming_it(client, users):
    client.force_login(users[ADMIN])
    response = client.get(reverse("facilities:map-data"), {"grade": "abc"})
    assert response.status_code == 400
    assert response.json()["grade"]
