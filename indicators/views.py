"""The leadership dashboard, targets and the recompute button (thin: selectors and services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import selectors as core_selectors
from core.access import dataset_granted
from core.exports import tabular_response
from core.forms import add_service_errors
from core.roles import Dataset, Role
from indicators import selectors, services
from indicators.choices import IndicatorCode, RunStatus
from indicators.definitions import INDICATORS
from indicators.forms import DashboardForm, RecomputeForm, TargetForm
from indicators.models import RollupRun, Target


def _is_admin(user) -> bool:
    return user.is_superuser or (user.role == Role.PROVINCIAL_ADMIN and not user.is_read_only)


def _month_text(month) -> str:
    return f"{month:%Y-%m}" if month else ""


def _dashboard_url(region_code: str, month, indicator: str) -> str:
    query = {"region": region_code, "indicator": indicator}
    if month:
        query["month"] = _month_text(month)
    return f"{reverse('dashboard')}?{urlencode(query)}"


def _worklist_url(region_code: str, month) -> str:
    query = urlencode({"within": region_code, "month": _month_text(month)})
    return f"{reverse('visits:worklist')}?{query}"


@login_required
def dashboard(request):
    form = DashboardForm(request.GET)
    form.is_valid()
    params = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    code = params.get("region") or ""
    if code:
        region = core_selectors.region_get_visible(user=request.user, code=code)
    else:
        region = core_selectors.region_root_for(user=request.user)
    indicator = IndicatorCode(params.get("indicator") or IndicatorCode.VISIT_RATE)
    if region is None:
        return render(request, "indicators/dashboard.html", {"section": "dashboard"})
    board = selectors.dashboard(
        user=request.user, region=region, month=params.get("month"), indicator=indicator
    )
    if params.get("export"):
        return _export(board, params["export"], request.GET.get("format"))
    can_see_people = dataset_granted(request.user, Dataset.VISITS)
    can_see_facilities = dataset_granted(request.user, Dataset.FACILITIES)
    facility_list = reverse("facilities:index")
    facility_links = {
        code.value: f"{facility_list}?{urlencode({'within': region.code, **d.facility_query})}"
        for code, d in INDICATORS.items()
        if d.facility_query and can_see_facilities
    }
    for card in board.cards:
        card.facility_url = facility_links.get(card.definition.code.value)
    definition = board.indicator
    areas = [
        {
            "code": row.region.code,
            "name": row.region.name,
            "value": float(row.value) if row.value is not None else None,
            "text": definition.format(row.value),
            "target": float(row.target_value) if row.target_value is not None else None,
            "met": row.met,
            "url": _dashboard_url(row.region.code, board.month, indicator),
        }
        for row in board.areas
    ]
    chart = {
        "indicator": indicator.value,
        "label": str(definition.label),
        "unit": definition.unit,
        "region": region.name,
        "areas": areas,
        "trend": [
            {
                "month": _month_text(row.month),
                "value": float(row.value) if row.value is not None else None,
                "target": float(row.target_value) if row.target_value is not None else None,
            }
            for row in board.trend
        ],
        "map": static(f"vendor/echarts-maps/jilin/{region.code[:6]}.json")
        if region.level in selectors.MAP_LEVELS
        else None,
        "mapName": region.code[:6],
        "labels": {"target": _("target"), "value": str(definition.label), "noData": _("no data")},
    }
    context = {
        "section": "dashboard",
        "region": region,
        "board": board,
        "month_text": _month_text(board.month),
        "month_to_date": board.month is not None
        and board.month == services.first_of_month(timezone.localdate()),
        "indicators": [(code, d) for code, d in INDICATORS.items()],
        "chosen": definition,
        "chart": chart,
        "ancestors": core_selectors.region_ancestors(user=request.user, region=region),
        "can_see_people": can_see_people,
        "worklist_url": _worklist_url(region.code, board.month) if board.month else "",
        "area_rows": [
            (
                child,
                rows.get(indicator),
                _dashboard_url(child.code, board.month, indicator),
                _worklist_url(child.code, board.month),
            )
            for child, rows in board.area_table
        ],
        "is_admin": _is_admin(request.user),
        "export_query": urlencode(
            {"region": region.code, "month": _month_text(board.month), "indicator": indicator}
        ),
        "runs": selectors.rollup_runs(limit=5) if _is_admin(request.user) else [],
    }
    return render(request, "indicators/dashboard.html", context)


def _export(board, table: str, file_format: str | None):
    file_format = "csv" if file_format == "csv" else "xlsx"
    month = _month_text(board.month)
    region = board.region
    if table == "summary":
        headers = [_("indicator"), _("region"), _("month"), _("numerator"), _("denominator"),
                   _("value"), _("target"), _("target met"), _("vs last month")]  # fmt: skip
        rows = [
            [
                str(card.definition.label),
                region.name,
                month,
                card.current.numerator if card.current else None,
                card.current.denominator if card.current else None,
                card.definition.format(card.current.value if card.current else None),
                card.definition.format(card.current.target_value)
                if card.current and card.current.target_value is not None
                else "",
                _met_text(card.current.met if card.current else None),
                card.change_text,
            ]
            for card in board.cards
        ]
    elif table == "areas":
        headers = [_("code"), _("region"), _("month"), _("numerator"), _("denominator"),
                   _("value"), _("target"), _("target met")]  # fmt: skip
        rows = [
            [
                row.region.code,
                row.region.name,
                month,
                row.numerator,
                row.denominator,
                board.indicator.format(row.value),
                board.indicator.format(row.target_value) if row.target_value is not None else "",
                _met_text(row.met),
            ]  # fmt: skip
            for row in board.areas
        ]
    else:
        headers = [_("month"), _("region"), _("numerator"), _("denominator"), _("value"),
                   _("target"), _("target met")]  # fmt: skip
        rows = [
            [
                _month_text(row.month),
                region.name,
                row.numerator,
                row.denominator,
                board.indicator.format(row.value),
                board.indicator.format(row.target_value) if row.target_value is not None else "",
                _met_text(row.met),
            ]  # fmt: skip
            for row in board.trend
        ]
    filename = f"indicators-{table}-{region.code}-{month or 'none'}"
    return tabular_response(rows=rows, headers=headers, filename=filename, file_format=file_format)


def _met_text(met) -> str:
    if met is None:
        return ""
    return _("met") if met else _("not met")


@login_required
@require_POST
def recompute(request):
    if not _is_admin(request.user):
        raise PermissionDenied
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month to recompute."))
        return redirect("dashboard")
    run = services.rollup_request(user=request.user, month=form.cleaned_data["month"])
    return redirect("dashboard-run", pk=run.pk)


@login_required
def run_detail(request, pk):
    if not _is_admin(request.user):
        raise PermissionDenied
    run = get_object_or_404(RollupRun, pk=pk)
    template = (
        "indicators/_run_status.html"
        if request.headers.get("HX-Request")
        else ("indicators/run_detail.html")
    )
    return render(
        request,
        template,
        {
            "section": "dashboard",
            "run": run,
            "active": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        },
    )


@login_required
def target_list(request):
    targets = selectors.target_list(user=request.user)
    return render(
        request,
        "indicators/target_list.html",
        {
            "section": "dashboard",
            "targets": targets,
            "is_admin": _is_admin(request.user),
            "definitions": INDICATORS,
        },  # fmt: skip
    )


@login_required
def target_edit(request, pk=None):
    if not _is_admin(request.user):
        raise PermissionDenied
    target = get_object_or_404(Target, pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_save(
                user=request.user,
                target=target,
                **form.model_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Target saved. It applies from the next roll-up."))
            return redirect("targets")
    return render(
        request,
        "indicators/target_form.html",
        {"section": "dashboard", "form": form, "target": target},
    )


@login_required
@require_POST
def target_delete(request, pk):
    if not _is_admin(request.user):
        raise PermissionDenied
    services.target_delete(user=request.user, target=get_object_or_404(Target, pk=pk))
    messages.success(request, _("Target deleted."))
    return redirect("targets")
