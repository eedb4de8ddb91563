"""The hostile-input crawl: no input makes the portal answer a server error (5xx).

For three roles (provincial administrator, county officer, partner department) every URL pattern
of the portal, found by walking `get_resolver()` (pages, API endpoints, the admin), is
requested with its path parameters filled with real ids of the rows `make_rows` creates, and
again with a NUL and a 5,000-character value. Each URL is then requested

- with every known query parameter set to each hostile value at once, and with each filter
  parameter of its FilterSet / filter form alone (pages and API);
- as a POST of every field of the form its GET shows (or, for POST-only views, of every field
  name the portal's forms know), and for the API as POST / PUT / PATCH of every writable
  serializer field, each time with each hostile value.

Any status of 500 or more fails the test, with the request that caused it.
"""

import json
import logging
import re
import time
from urllib.parse import quote, urlencode

import django_filters
import pytest
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from core.roles import Role
from tests.hostile_rows import make_rows

pytestmark = pytest.mark.django_db

NUL = "\x00"
LONG = "9" * 5000  # also past Python's 4,300-digit int() limit
HOSTILE = [NUL, "\x1b\x0b探针", LONG, "2026-13-45", "abc", "９９９９"]
GET_VALUES = [v for v in HOSTILE if v != "abc"]  # "abc" fails where 2026-13-45 does
POST_VALUES = [v for v in HOSTILE if v != "９９９９"]
# One filter parameter at a time (NUL is refused before any filter: checked with all at once).
ONE_BY_ONE = ["\x1b\x0b探针", LONG, "2026-13-45"]
# The admin is Django's own: every model's list, add and change view, with two values (text
# that is no id, and 5,000 digits; NUL is the middleware's, proved on the portal's own URLs).
ADMIN_VALUES = ["\x1b\x0b探针", LONG]
ADMIN_VIEWS = re.compile(r"^admin:\w+_(changelist|add|change)$")
APPS = ("core", "facilities", "visits", "funding", "eldercare")
# POSTs that would end the session or delete the rows the crawl still needs.
NO_POST = re.compile(r"(^|:)logout$|_delete$")
ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def walk(resolver, parts=(), namespace=None):
    """(parts, name) for every URL pattern; parts are ("route" | "regex", text) pieces."""
    for pattern in resolver.url_patterns:
        kind = "regex" if isinstance(pattern.pattern, RegexPattern) else "route"
        piece = (kind, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, (*parts, piece), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield (*parts, piece), name or ""


def build(parts, value_for) -> tuple[str, list[str]]:
    """The path with each parameter filled by value_for(name, converter); and the names."""
    names = []

    def route_sub(match):
        names.append(match["name"])
        return value_for(match["name"], match["conv"] or "str")

    def regex_sub(match):
        names.append(match["name"])
        return value_for(match["name"], "regex")

    out = ""
    for kind, text in parts:
        if kind == "route":
            out += ROUTE_PARAM.sub(route_sub, text)
        else:
            text = REGEX_GROUP.sub(regex_sub, text)
            out += text.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    return "/" + out, names


def admin_model(path):
    """The admin's model for /admin/<app_label>/<model_name>/..."""
    bits = path.strip("/").split("/")
    if len(bits) >= 3 and bits[0] == "admin":
        for model in admin.site._registry:
            if (model._meta.app_label, model._meta.model_name) == (bits[1], bits[2]):
                return model
    return None


def real_values(rows, users):
    by_name = [
        ("inspection", rows["inspection"].pk),
        ("facilit", rows["facility"].pk),
        ("elder", rows["elder"].pk),
        ("visit-", rows["visit"].pk),
        ("referral", rows["referral"].pk),
        ("upload", rows["upload"].pk),
        ("program", rows["program"].pk),
        ("allocation", rows["allocation"].pk),
        ("funding:", rows["allocation"].pk),
        ("renovation", 1),
    ]

    def value_for(url_name, path_so_far, name, conv):
        if name == "pk":
            return str(next((pk for key, pk in by_name if key in url_name), 1))
        if name == "object_id":
            model = admin_model(path_so_far)
            first = model.objects.order_by("pk").first() if model else None
            return quote(str(first.pk)) if first else "1"
        if name == "id":
            return str(users[Role.PROVINCIAL_ADMIN].pk)
        if name == "content_type_id":
            return str(ContentType.objects.get_for_model(rows["facility"]).pk)
        return {
            "code": rows["region"].code,
            "file_format": "xlsx",
            "format": "json",
            "app_label": "facilities",
            "url": "nowhere/",
            "uidb64": "MQ",
            "token": "set-password",
        }.get(name, "1")

    return value_for


def urls_to_crawl(rows, users):
    """(url name, real path, [paths with a hostile path parameter])."""
    value_for = real_values(rows, users)
    crawl = []
    for parts, name in walk(get_resolver()):
        prefix = "".join(text for _kind, text in parts)

        def real(param, conv, name=name, prefix=prefix):
            return value_for(name, "/" + prefix, param, conv)

        path, params = build(parts, real)
        hostile_paths = []
        for bad in (quote(NUL), quote(LONG)):
            if params:
                hostile_paths.append(build(parts, lambda *_a, bad=bad: bad)[0])
        crawl.append((name, path, hostile_paths, params))
    return crawl


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def portal_classes(cls):
    return [c for c in subclasses(cls) if c.__module__.split(".")[0] in APPS]


def known_query_parameters():
    names = {"page", "page_size", "format", "overdue", "next", "o", "p", "q", "e", "language"}
    for filterset in portal_classes(django_filters.FilterSet):
        names |= set(filterset.base_filters)
    return sorted(names)


def known_form_fields():
    names = {"next", "language", "status", "outcome", "amount", "reason"}
    for form in portal_classes(forms.BaseForm):
        names |= set(getattr(form, "base_fields", {}))
    return sorted(names)


def context_forms(response):
    """(filter fields, post fields) from the forms and FilterSets the page rendered."""
    filter_fields, post_fields = set(), set()
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            form = value.form if isinstance(value, django_filters.FilterSet) else value
            form = getattr(form, "form", form)  # the admin's AdminForm wraps its form
            if not isinstance(form, forms.BaseForm):
                continue
            if form.is_bound and form.data is response.wsgi_request.GET:
                filter_fields |= set(form.fields)
            else:
                post_fields |= set(form.fields)
    return filter_fields, post_fields


def api_view_class(path):
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    return getattr(match.func, "cls", None)


def api_fields(view_class):
    filters = set(getattr(getattr(view_class, "filterset_class", None), "base_filters", {}))
    serializer_class = getattr(view_class, "serializer_class", None)
    writable = set()
    if serializer_class is not None:
        try:
            fields = serializer_class().fields
        except Exception:  # a serializer that needs its request context: crawl without it
            fields = {}
        writable = {name for name, field in fields.items() if not field.read_only}
    return filters, writable


class Crawler:
    def __init__(self, user):
        self.client = Client(raise_request_exception=False)
        self.user = user
        self.client.force_login(user)
        self.failures = []
        self.requests = 0
        self.times = []

    def check(self, method, path, response, data=None):
        self.requests += 1
        if response.status_code >= 500:
            shown = {
                k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v)
                for k, v in (data or {}).items()
            }
            self.failures.append(f"{response.status_code} {method} {path[:200]} {shown}")
        return response

    def get(self, path, params=None):
        url = f"{path}?{urlencode(params, doseq=True)}" if params else path
        t = time.monotonic()
        r = self.check("GET", url, self.client.get(url), params)
        self.times.append((time.monotonic() - t, url[:120]))
        return r

    def post(self, path, data):
        response = self.client.post(path, data)
        self.check("POST", path, response, data)
        self.client.force_login(self.user)  # a password change would log the crawler out

    def send_json(self, method, path, data):
        response = self.client.generic(
            method, path, json.dumps(data), content_type="application/json"
        )
        self.check(method, path, response, data)


def crawl_as(user, rows, users):
    crawler = Crawler(user)
    all_parameters = known_query_parameters()
    all_fields = known_form_fields()
    for name, path, hostile_paths, params in urls_to_crawl(rows, users):
        for hostile_path in hostile_paths:
            crawler.get(hostile_path)
        response = crawler.get(path)
        if "format" in params or name == "api-schema":
            continue  # the API's .json twins and the (slow, parameterless) schema: once is enough
        if response.status_code == 302 and "/login/" in response.get("Location", ""):
            continue  # sent to a login page before any view code reads the request
        values, post_values = GET_VALUES, POST_VALUES
        if path.startswith("/admin/"):
            if not ADMIN_VIEWS.match(name):
                continue  # history, delete, index, redirects: the path variants are enough
            values = post_values = ADMIN_VALUES
        for value in values:
            crawler.get(path, dict.fromkeys(all_parameters, value))
        view_class = api_view_class(path) if path.startswith("/api/") else None
        if view_class is not None:
            filter_fields, post_fields = api_fields(view_class)
            if name.endswith("-detail"):
                filter_fields = set()  # the list endpoint's filters, sprayed there
        else:
            filter_fields, post_fields = context_forms(response)
            if response.status_code == 405:  # POST-only views: every field the forms know
                post_fields = set(all_fields)
        for field in sorted(filter_fields):
            for value in ONE_BY_ONE:
                crawler.get(path, {field: value})
        if NO_POST.search(name):
            continue
        for value in post_values:
            if view_class is not None:
                data = dict.fromkeys(sorted(post_fields), value)
                crawler.send_json("POST", path, data)
                if name.endswith("-detail"):
                    crawler.send_json("PATCH", path, data)
                    crawler.send_json("PUT", path, data)
            elif post_fields:
                crawler.post(path, dict.fromkeys(sorted(post_fields), value))
    return crawler


@pytest.mark.parametrize("role", [Role.PROVINCIAL_ADMIN, Role.COUNTY_OFFICER, Role.PARTNER])
def test_no_server_error_from_hostile_input(role, users, tree):
    # given one row of everything, so every page with a path parameter has a real id
    rows = make_rows(tree, users)
    # when the role sends hostile values through every path, query parameter and form field
    started = time.monotonic()
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:  # thousands of expected 4xx lines would only slow the crawl down
        logger.setLevel(logging.CRITICAL)
    try:
        crawler = crawl_as(users[role], rows, users)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    elapsed = time.monotonic() - started
    print(f"{role}: {crawler.requests} requests in {elapsed:.1f} s")
    for t, u in sorted(crawler.times, reverse=True)[:15]:
        print(f"{t:.3f} {u}")
    # then nothing answered a server error
    assert not crawler.failures, f"{len(crawler.failures)} server errors:\n" + "\n".join(
        crawler.failures[:40]
    )
    assert crawler.requests > 1000  # the crawl really ran (and is not silently empty)
