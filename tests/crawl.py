"""What the page crawl visits: every URL pattern of the portal, filled from the demo data.

The URL resolver is walked, so a new page joins the crawl by itself; a pattern whose arguments
no rule below can fill makes the crawl fail (add it to `PK_MODELS` or `KWARGS`).
Used by tests/test_crawl.py (test client) and tests/test_production_static.py (gunicorn).
"""

from __future__ import annotations

import inspect
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import django_filters
from django.contrib import admin
from django.db import models
from django.template import Node, Variable
from django.template.base import FilterExpression
from django.template.context import BaseContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from core.filters import RegionSubtreeFilter
from core.models import Region
from facilities.filters import FacilityFilter, InspectionFilter
from facilities.models import Facility, Inspection
from funding.filters import AllocationFilter, RenovationFilter
from funding.models import Allocation, Budget, Program, Renovation
from indicators.models import IndicatorValue, RollupRun, Target
from visits.filters import ElderFilter, MonthFilter, ReferralFilter, VisitFilter
from visits.models import Elder, Referral, Visit, VisitUpload

DEMO_ROLES = ("admin", "leader", "yanbian", "hunchun", "township", "visitor", "finance")

# Patterns taking a primary key: the model whose demo rows fill it.
PK_MODELS = {
    "facilities:detail": Facility,
    "facilities:edit": Facility,
    "facilities:inspection-record": Inspection,
    "facilities:inspection-rectified": Inspection,
    "visits:elder-detail": Elder,
    "visits:elder-edit": Elder,
    "visits:visit-create": Elder,
    "visits:referral-create": Elder,
    "visits:referral-update": Referral,
    "visits:upload-detail": VisitUpload,
    "visits:upload-errors": VisitUpload,
    "visits:upload-confirm": VisitUpload,
    "visits:upload-cancel": VisitUpload,
    "funding:detail": Allocation,
    "funding:advance": Allocation,
    "funding:adjust": Allocation,
    "funding:budget": Budget,
    "dashboard-run": RollupRun,
    "target-edit": Target,
    "target-delete": Target,
    "api:indicator-detail": IndicatorValue,
    "api:target-detail": Target,
    "api:facility-detail": Facility,
    "api:inspection-detail": Inspection,
    "api:elder-detail": Elder,
    "api:visit-detail": Visit,
    "api:referral-detail": Referral,
    "api:upload-detail": VisitUpload,
    "api:upload-confirm": VisitUpload,
    "api:upload-cancel": VisitUpload,
    "api:upload-errors": VisitUpload,
    "api:program-detail": Program,
    "api:allocation-detail": Allocation,
    "api:renovation-detail": Renovation,
}


def _region_codes(user):
    regions = Region.objects.visible_to(user).order_by("level", "code")
    codes = [user.region.code] if user.region_id else []
    codes += list(regions.values_list("code", flat=True)[:2])
    codes += list(regions.order_by("-code").values_list("code", flat=True)[:1])
    codes.append("999999999999")  # nobody's region: 404
    return [{"code": code} for code in dict.fromkeys(codes)]


# Patterns with other arguments: a function of the user giving the keyword arguments.
KWARGS = {
    "region-detail": _region_codes,
    "api:region-detail": _region_codes,
    "visits:upload-template": lambda user: [{"file_format": "csv"}, {"file_format": "xlsx"}],
    "password_reset_confirm": lambda user: [{"uidb64": "MQ", "token": "set-password"}],
}

# List pages: their FilterSet (every filter is tried alone) and extra query strings.
FILTERS = {
    "facilities:index": FacilityFilter,
    "facilities:map": FacilityFilter,
    "facilities:map-data": FacilityFilter,
    "facilities:inspections": InspectionFilter,
    "visits:index": ElderFilter,
    "visits:referrals": ReferralFilter,
    "funding:index": AllocationFilter,
    "api:facility-list": FacilityFilter,
    "api:inspection-list": InspectionFilter,
    "api:elder-list": ElderFilter,
    "api:visit-list": VisitFilter,
    "api:referral-list": ReferralFilter,
    "api:allocation-list": AllocationFilter,
    "api:renovation-list": RenovationFilter,
}
EXTRA_QUERIES = {
    "facilities:index": [{"format": "csv"}, {"format": "xlsx"}, {"page": "2"}],
    "facilities:inspections": [{"overdue": "1"}],
    "visits:referrals": [{"overdue": "1"}],
    "visits:worklist": [{"within": "@"}],  # replaced by the user's region below
    "visits:upload-errors": [{"format": "csv"}, {"format": "xlsx"}],
    "api:upload-errors": [{"format": "csv"}, {"format": "xlsx"}],
    "funding:reports": [{"format": "xlsx"}],
    "visits:index": [{"page": "2"}],
}

# Pages with a form: an empty POST must answer with the form and its errors, never a 5xx.
FORMS = {
    "facilities:create",
    "facilities:edit",
    "facilities:inspection-draw",
    "facilities:inspection-record",
    "visits:elder-create",
    "visits:elder-edit",
    "visits:visit-create",
    "visits:referral-create",
    "visits:referral-update",
    "visits:uploads",
    "funding:create",
    "target-create",
    "target-edit",
    "password_change",
}

# Not pages: visited by other means or not at all, each with the reason.
NOT_CRAWLED = {
    "logout": "POST only; logging out would end the crawl's session",
    "set_language": "POST only (the language switch); tests/test_i18n.py",
}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(name, route, pattern) of every named pattern, namespaces included."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def pattern_arguments(pattern: URLPattern) -> set[str]:
    regex = pattern.pattern.regex
    return set(regex.groupindex) - set(pattern.default_args)


def _scoped(model, user):
    manager = model._default_manager
    return manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()


def _empty(field) -> dict | None:
    if field.null:
        return {f"{field.name}__isnull": True}
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return {field.name: ""}
    return None


def sample_pks(model, user, per_model: int = 1) -> list[int]:
    """A few rows the user sees, the rows whose optional fields are empty (one per field, also
    through the rows shown on the page: capacity records, inspections, visits...), and a couple
    of rows anywhere (outside the user's area they must answer 404, not 500)."""
    visible = _scoped(model, user).order_by("pk")
    pks = list(visible.values_list("pk", flat=True)[:per_model])
    pks += list(visible.order_by("-pk").values_list("pk", flat=True)[:1])
    for field in model._meta.concrete_fields:
        lookup = _empty(field)
        if lookup:
            pks += list(visible.filter(**lookup).values_list("pk", flat=True)[:1])
    for relation in model._meta.related_objects:
        if not relation.one_to_many:
            continue
        child = relation.related_model
        for field in child._meta.concrete_fields:
            lookup = _empty(field)
            if lookup:
                pks += list(
                    visible.filter(
                        **{f"{relation.name}__{key}": value for key, value in lookup.items()}
                    ).values_list("pk", flat=True)[:1]
                )
    everywhere = model._default_manager.order_by("pk")
    pks += list(everywhere.values_list("pk", flat=True)[:1])
    pks += list(everywhere.order_by("-pk").values_list("pk", flat=True)[:1])
    return list(dict.fromkeys(pks))


def filter_queries(filterset_class, user) -> list[dict]:
    """Each filter of the list page alone, with a value of its type, then all of them at once."""
    region = user.region.code if user.region_id else "220000000000"
    today = timezone.localdate()
    queries = []
    for name, flt in filterset_class.base_filters.items():
        if isinstance(flt, RegionSubtreeFilter):
            values = [region]
        elif isinstance(flt, django_filters.ChoiceFilter):
            choices = [value for value, _label in flt.extra.get("choices") or []]
            if not choices and flt.field_name:
                field = filterset_class._meta.model._meta.get_field(flt.field_name)
                choices = [value for value, _label in field.choices or []]
            values = choices[:1] + choices[-1:]
        elif isinstance(flt, django_filters.BooleanFilter):
            values = ["true", "false"]
        elif isinstance(flt, django_filters.IsoDateTimeFilter):
            values = ["2023-01-01T00:00:00+08:00"]
        elif isinstance(flt, django_filters.DateFilter):
            values = [f"{today.year - 1}-01-01"]
        elif isinstance(flt, MonthFilter):
            values = [f"{today:%Y-%m}"]
        elif isinstance(flt, django_filters.NumberFilter):
            values = ["1", "2023"]
        else:
            values = ["养老", "1"]
        queries += [{name: value} for value in dict.fromkeys(values)]
    queries.append({key: value for query in queries for key, value in query.items()})
    return queries


# Visited by the first role only: the same for everyone and slow.
ONCE = {"api-schema"}


def crawl_plan(user, *, thorough: bool):
    """Every (name, path, is_form) the crawl visits for this user; raises when a pattern has no
    way to be filled. `thorough`: each filter of a list page alone, not only all together."""
    unfilled = []
    plan = []
    for name, _route, pattern in url_patterns():
        if name in NOT_CRAWLED or name.startswith("admin:"):
            continue  # the admin is crawled through its registry (admin_plan)
        arguments = pattern_arguments(pattern)
        extra = {}
        if "format" in arguments:  # the API's format suffixes (.json)
            arguments.discard("format")
            extra["format"] = "json"
        if not arguments:
            kwargs_list = [{}]
        elif name in PK_MODELS and arguments == {"pk"}:
            kwargs_list = [{"pk": pk} for pk in sample_pks(PK_MODELS[name], user)]
        elif name in KWARGS:
            kwargs_list = KWARGS[name](user)
        else:
            unfilled.append(f"{name} ({sorted(arguments)})")
            continue
        if name in ONCE and not thorough:
            continue
        queries = [{}]
        if name in FILTERS:
            each = filter_queries(FILTERS[name], user)
            queries += each if thorough and not name.startswith("api:") else each[-1:]
        region = user.region.code if user.region_id else "220000000000"
        queries += [
            {k: (region if v == "@" else v) for k, v in query.items()}
            for query in EXTRA_QUERIES.get(name, [])
        ]
        if name in FORMS or name.startswith("api:"):
            # slow forms, plain serializers: fewer rows
            kwargs_list = kwargs_list[: 3 if thorough else 1]
        for position, kwargs in enumerate(kwargs_list):
            path = reverse(name, kwargs={**kwargs, **extra})
            for query in queries if position == 0 else [{}]:
                plan.append((name, f"{path}?{urlencode(query)}" if query else path, False))
            if name in FORMS and position == 0:
                plan.append((name, path, True))
    if unfilled:
        raise LookupError(
            "URL patterns the crawl cannot fill (add them to tests/crawl.py): "
            + ", ".join(unfilled)
        )
    return plan


def admin_plan(user) -> list[str]:
    """The admin's index, each registered model's changelist and a change form."""
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:1]:
            paths.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    return list(dict.fromkeys(paths))


class NavLinks(HTMLParser):
    """The href of every navigation link: the navbar, the section tabs, the user menu."""

    NAV_CLASSES = {"nav-link", "navbar-brand", "dropdown-item"}

    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if tag == "a" and classes & self.NAV_CLASSES and attributes.get("href"):
            self.links.append(attributes["href"])


def nav_links(html: str) -> list[str]:
    parser = NavLinks()
    parser.feed(html)
    return [link for link in parser.links if link.startswith("/") and not urlsplit(link).netloc]


class InvalidTemplateVariable(str):
    """TEMPLATES string_if_invalid that raises for a missing variable in the portal's templates.

    Left alone (rendered empty, as Django does): Django's own templates (admin, form widgets),
    which rely on it; a missing query parameter (`request.GET.q`); and a lookup through an empty
    optional value (`allocation.approved_by.username` while nobody approved it). A typo or a
    variable the view does not provide raises. (A failed lookup in a filter argument raises
    VariableDoesNotExist in production too, and the crawl sees it as a 500.)
    """

    def __new__(cls):
        return super().__new__(cls, "%s")

    def __mod__(self, variable):
        context, origin = _rendering()
        if origin is None or "/site-packages/" in origin:
            return _as_in_production(variable)
        name = str(getattr(variable, "var", variable))
        if name.startswith(("request.GET.", "request.POST.")):
            return _as_in_production(variable)
        if context is not None and _passes_through_empty(name, context):
            return _as_in_production(variable)
        raise NameError(f"template variable {name!r} is not defined ({origin})")


def _as_in_production(variable):
    """What production renders: the expression's filters applied to "" (Django skips them when
    string_if_invalid is set, which would hide a failing filter argument such as
    `|default:row.recorded_by.username`: a 500 in production)."""
    for frame_info in inspect.stack(context=0)[2:12]:
        local = frame_info.frame.f_locals
        expression = local.get("self")
        if isinstance(expression, FilterExpression) and expression.var is variable:
            context = local["context"]
            engine = context.template.engine
            saved, engine.string_if_invalid = engine.string_if_invalid, ""
            try:
                return expression.resolve(context)
            finally:
                engine.string_if_invalid = saved
    return ""


def _rendering():
    """(context, template origin) of the node being rendered, from the call stack."""
    context = origin = None
    for frame_info in inspect.stack(context=0)[2:40]:
        local = frame_info.frame.f_locals
        if context is None and isinstance(local.get("context"), BaseContext):
            context = local["context"]
        node = local.get("self")
        if origin is None and isinstance(node, Node) and getattr(node, "origin", None):
            origin = str(node.origin.name)
        if context is not None and origin is not None:
            break
    return context, origin


def _passes_through_empty(name: str, context) -> bool:
    parts = name.split(".")
    for end in range(1, len(parts)):
        try:
            value = Variable(".".join(parts[:end])).resolve(context)
        except Exception:
            return False
        if value is None or value == "":
            return True
    return False
