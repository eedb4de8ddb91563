from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import tabular_response
from core.filters import filtered
from core.forms import add_service_errors
from core.regions import LEVEL_ORDER
from core.selectors import region_choices
from facilities import selectors, services
from facilities.choices import FacilityGrade, FacilityKind
from facilities.filters import FacilityFilter, InspectionFilter
from facilities.forms import FacilityForm, InspectionDrawForm, InspectionResultForm

PAGE_SIZE = 25


def can_edit(user) -> bool:
    return user.is_superuser or user.role in services.FACILITY_EDITORS


def _region_options(user):
    """Regions to drill down by in the list filter (villages are reached through the search)."""
    return region_choices(user=user, levels=LEVEL_ORDER[:-1])


def _export_rows(facilities):
    for f in facilities.iterator(chunk_size=2000):
        yield [
            f.id,
            f.name,
            f.get_kind_display(),
            f.region.code,
            f.region.name,
            f.get_ownership_display(),
            f.get_operating_model_display(),
            f.get_status_display(),
            f.get_grade_display() if f.grade else "",
            f.total_beds,
            f.nursing_beds,
            f.dementia_beds,
            f.residents,
            f.caregiver_count,
            f.manager,
            f.manager_phone,
            f.address,
        ]


EXPORT_HEADERS = [
    "ID",
    gettext_lazy("name"),
    gettext_lazy("kind"),
    gettext_lazy("region code"),
    gettext_lazy("region"),
    gettext_lazy("ownership"),
    gettext_lazy("operating model"),
    gettext_lazy("status"),
    gettext_lazy("grade"),
    gettext_lazy("total beds"),
    gettext_lazy("nursing-type beds"),
    gettext_lazy("dementia-care beds"),
    gettext_lazy("residents"),
    gettext_lazy("caregivers"),
    gettext_lazy("manager"),
    gettext_lazy("manager phone"),
    gettext_lazy("address"),
]


@login_required
def facility_list(request):
    filterset = FacilityFilter(request.GET, queryset=selectors.facility_list(user=request.user))
    facilities, errors, status = filtered(filterset)
    file_format = request.GET.get("format")
    if file_format in ("xlsx", "csv") and not errors:
        return tabular_response(
            rows=_export_rows(facilities),
            headers=EXPORT_HEADERS,
            filename=f"facilities-{timezone.localdate():%Y%m%d}",
            file_format=file_format,
        )
    page = Paginator(facilities, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "facilities/facility_list.html",
        {
            "section": "facilities",
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "region_options": _region_options(request.user),
            "grades": FacilityGrade.choices,
            "totals": selectors.facility_totals(facilities=facilities),
            "can_edit": can_edit(request.user),
            "filter_errors": errors,
        },
        status=status,
    )


@login_required
def facility_detail(request, pk):
    facility = selectors.facility_get(user=request.user, pk=pk)
    return render(
        request,
        "facilities/facility_detail.html",
        {
            "section": "facilities",
            "facility": facility,
            "history": selectors.facility_capacity_history(facility=facility),
            "inspections": selectors.facility_inspections(facility=facility),
            "can_edit": can_edit(request.user),
        },
    )


def _save_facility(request, facility=None):
    if not can_edit(request.user):
        raise PermissionDenied
    form = FacilityForm(request.POST or None, instance=facility, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.model_fields()
        effective_date = form.cleaned_data["effective_date"]
        try:
            if facility is None:
                facility = services.facility_create(
                    user=request.user, effective_date=effective_date, **fields
                )
            else:
                facility = services.facility_update(
                    facility=facility, user=request.user, effective_date=effective_date, **fields
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": facility.name})
            return redirect("facilities:detail", pk=facility.pk)
    return render(
        request,
        "facilities/facility_form.html",
        {"section": "facilities", "form": form, "facility": facility},
    )


@login_required
def facility_create(request):
    return _save_facility(request)


@login_required
def facility_edit(request, pk):
    facility = selectors.facility_get(user=request.user, pk=pk)
    return _save_facility(request, facility)


@login_required
def facility_map(request):
    filterset = FacilityFilter(request.GET, queryset=selectors.facility_list(user=request.user))
    _rows, errors, status = filtered(filterset)
    return render(
        request,
        "facilities/facility_map.html",
        {
            "section": "facilities",
            "filter": filterset,
            "region_options": _region_options(request.user),
            "grades": FacilityGrade.choices,
            "query": request.GET.urlencode(),
            "kinds": FacilityKind.choices,
            "filter_errors": errors,
        },
        status=status,
    )


@login_required
def facility_map_data(request):
    filterset = FacilityFilter(request.GET, queryset=selectors.facility_list(user=request.user))
    if not filterset.is_valid():
        errors = {name: list(messages) for name, messages in filterset.errors.items()}
        return JsonResponse(errors, status=400)
    return JsonResponse(
        {
            "points": selectors.facility_map_points(queryset=filterset.qs),
            "kinds": dict(FacilityKind.choices),
        }
    )


@login_required
def inspection_list(request):
    queryset = selectors.inspection_list(user=request.user)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        queryset = queryset.overdue(timezone.localdate())
    filterset = InspectionFilter(request.GET, queryset=queryset)
    inspections, errors, status = filtered(filterset)
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "facilities/inspection_list.html",
        {
            "section": "facilities",
            "page": page,
            "overdue": overdue,
            "filter": filterset,
            "query": query.urlencode(),
            "can_edit": can_edit(request.user),
            "today": timezone.localdate(),
            "filter_errors": errors,
        },
        status=status,
    )


@login_required
def inspection_draw(request):
    if not can_edit(request.user):
        raise PermissionDenied
    form = InspectionDrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.inspection_draw(
                user=request.user,
                region=data["region"],
                seed=data["seed"],
                planned_date=data["planned_date"],
                percentage=data["percentage"],
                count=data["count"],
                kind=data["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(n)s facilities drawn for inspection.") % {"n": len(result.inspections)},
            )
            return redirect(f"{reverse('facilities:inspections')}?draw={result.draw.pk}")
    return render(
        request, "facilities/inspection_draw.html", {"section": "facilities", "form": form}
    )


@login_required
def inspection_record(request, pk):
    if not can_edit(request.user):
        raise PermissionDenied
    inspection = get_object_or_404(selectors.inspection_list(user=request.user), pk=pk)
    form = InspectionResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record_result(
                inspection=inspection, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The inspection result was recorded."))
            return redirect("facilities:detail", pk=inspection.facility_id)
    return render(
        request,
        "facilities/inspection_record.html",
        {"section": "facilities", "form": form, "inspection": inspection},
    )


def inspections_published(request):
    """双随机一公开: the published results, open to the public."""
    page = Paginator(selectors.inspection_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "facilities/inspections_published.html", {"section": "facilities", "page": page}
    )


@login_required
def inspection_rectified(request, pk):
    """Close a rectification: the facility fixed what the inspection found (dated today)."""
    if not can_edit(request.user) or request.method != "POST":
        raise PermissionDenied
    inspection = get_object_or_404(selectors.inspection_list(user=request.user), pk=pk)
    try:
        services.inspection_mark_rectified(
            inspection=inspection, user=request.user, rectified_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The rectification is closed."))
    return redirect("facilities:detail", pk=inspection.facility_id)
