"""Every page of the portal, for each of the seven demo roles, on demo data (issue 10).

The demo is built once for this module (`generate_demo` at the smallest scale that still creates
every kind of row, plus one visit-log upload with rejected rows) inside a transaction rolled
back at the end. Each role logs in and visits every URL pattern (tests/crawl.py walks the
resolver): lists with and without each filter, a sample of detail pages including rows whose
optional fields are empty, every form (shown, then posted empty), every export format, the API,
and for administrators the Django admin. Any 5xx or template error fails, a missing template
variable in the portal's templates fails, and so does a 403 on a page the role's navigation
links lead to.
"""

import traceback

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from core.demo import DEMO_PASSWORD
from core.models import User
from tests import crawl
from tests.upload_files import csv_bytes, row, upload_file

# The smallest scale that still makes every kind of demo row (one township and one village per
# county, three people a village; facilities of every kind, inspections, referrals, allocations
# in every workflow state): below 0.032 the counts no longer shrink.
DEMO_SCALE = "0.01"


def strict_templates(settings_templates):
    templates = [dict(settings_templates[0])]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "string_if_invalid": crawl.InvalidTemplateVariable(),
    }
    return templates


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.conf import settings

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TEMPLATES=strict_templates(settings.TEMPLATES),
        ),
        transaction.atomic(),
    ):
        call_command("generate_demo", "--scale", DEMO_SCALE, stdout=open("/dev/null", "w"))  # noqa: SIM115
        _demo_upload()
        _demo_rollup_run()
        yield {user.username: user for user in User.objects.select_related("region")}
        transaction.set_rollback(True)


def _demo_rollup_run():
    """A recompute the administrator asked for (its progress page is crawled)."""
    from indicators.models import RollupRun

    RollupRun.objects.create(
        month=timezone.localdate().replace(day=1),
        requested_by=User.objects.get(username="admin"),
        steps_total=13,
        steps_done=5,
    )


def _demo_upload():
    """A county's visit-log upload with a valid and a rejected row, validated."""
    from visits.models import Elder, Visitor
    from visits.services import upload_create, upload_validate

    officer = User.objects.get(username="hunchun")
    elder = Elder.objects.filter(village__code__startswith=officer.region.code[:6]).first()
    visitor = Visitor.objects.filter(region=elder.village).first()
    data = csv_bytes([row(elder, visitor), row(elder, visitor, date="2099-01-01")])
    upload = upload_create(user=officer, uploaded_file=upload_file(data, "log.csv"))
    upload_validate(upload_id=upload.pk)


def visit(client, path, *, post=False):
    """(status, content type, body, error) of one request; an exception is an error."""
    try:
        response = client.post(path, {}) if post else client.get(path)
    except Exception as error:  # a template error or a crash in the view
        return 500, "", "", "".join(traceback.format_exception_only(error)).strip()
    body = b"" if response.streaming else response.content
    return response.status_code, response.get("Content-Type", ""), body, ""


@pytest.mark.parametrize("username", crawl.DEMO_ROLES)
def test_every_page_renders_for_every_demo_role(demo, db, username):
    # given a demo role logged in with the published demo password
    user = demo[username]
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    problems, forbidden_nav, seen_nav = [], [], set()
    html_pages = 0
    # when it visits every page of the portal
    plan = crawl.crawl_plan(user, thorough=username == crawl.DEMO_ROLES[0])
    for name, path, post in plan:
        status, content_type, body, error = visit(client, path, post=post)
        label = f"{'POST ' if post else ''}{path} ({name})"
        if status >= 500 or error:
            problems.append(f"{label}: {status} {error}")
            continue
        if name.startswith("api:") and status >= 400 and "json" not in content_type:
            problems.append(f"{label}: API error {status} is not JSON ({content_type})")
        if status == 200 and content_type.startswith("text/html"):
            html_pages += 1
            seen_nav.update(crawl.nav_links(body.decode()))
    # and every page its navigation links lead to
    for link in sorted(seen_nav):
        status, _type, _body, error = visit(client, link)
        if status >= 500 or error:
            problems.append(f"nav link {link}: {status} {error}")
        elif status == 403:
            forbidden_nav.append(link)
    # and, for administrators, the Django admin
    if user.is_staff:
        for path in crawl.admin_plan(user):
            status, _type, _body, error = visit(client, path)
            if status >= 500 or error or status == 403:
                problems.append(f"admin {path}: {status} {error}")
    # then nothing failed
    assert not problems, f"{len(problems)} of {len(plan)} requests failed:\n" + "\n".join(problems)
    assert not forbidden_nav, f"{username}'s navigation leads to 403: {forbidden_nav}"
    assert html_pages > 10


def test_the_crawl_knows_how_to_fill_every_url_pattern(demo, db):
    # every pattern of the resolver is either in the plan or explicitly left out, with a reason
    plan_names = {name for name, _path, _post in crawl.crawl_plan(demo["admin"], thorough=True)}
    for name, _route, _pattern in crawl.url_patterns():
        assert name in plan_names or name in crawl.NOT_CRAWLED or name.startswith("admin:")


def test_the_demo_has_rows_with_empty_optional_fields_the_crawl_visits(demo, db):
    from facilities.models import CapacityRecord, Facility

    # the facility-detail 500 of issue 10: history rows nobody recorded
    unrecorded = set(
        CapacityRecord.objects.filter(recorded_by__isnull=True).values_list("facility", flat=True)
    )
    assert unrecorded
    assert unrecorded & set(crawl.sample_pks(Facility, demo["admin"]))


def test_a_missing_variable_in_a_portal_template_fails_the_crawl(demo, db):
    from django.template import engines

    template = engines["django"].from_string("{{ facility.no_such_field }}")
    for node in template.template.nodelist:
        node.origin.name = "/work/templates/facilities/x.html"
    with pytest.raises(NameError):
        template.render({"facility": object()})
    # an empty optional relation renders empty, as in production
    assert template.render({"facility": None}) == ""
    # and a filter argument through it fails, as in production (issue 10's facility page)
    from django.template import VariableDoesNotExist

    argument = engines["django"].from_string("{{ r.by.name|default:r.by.username }}")
    for node in argument.template.nodelist:
        node.origin.name = "/work/templates/facilities/x.html"
    with pytest.raises(VariableDoesNotExist):
        argument.render({"r": {"by": None}})
