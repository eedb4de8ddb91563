from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.exports import attachment_disposition
from core.filters import filtered
from core.forms import add_service_errors
from funding import selectors, services
from funding.filters import AllocationFilter
from funding.forms import AdjustmentForm, AllocationForm
from funding.models import AllocationStatus, Program, ProgramKind, Source
from funding.reports import reports_workbook

PAGE_SIZE = 25


def _can_plan(user) -> bool:
    return user.is_superuser or user.role in services.PLANNERS


@login_required
def allocation_list(request):
    filterset = AllocationFilter(request.GET, queryset=selectors.allocation_list(user=request.user))
    allocations, errors, status = filtered(filterset)
    years = selectors.funding_years(user=request.user)
    page = Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funding/allocation_list.html",
        {
            "section": "funding",
            "page": page,
            "query": query.urlencode(),
            "programs": Program.objects.all(),
            "sources": Source.choices,
            "statuses": AllocationStatus.choices,
            "years": years,
            "totals": selectors.allocation_totals(allocations=allocations),
            "can_plan": _can_plan(request.user),
            "filter": filterset,
            "filter_errors": errors,
        },
        status=status,
    )


@login_required
def allocation_create(request):
    if not _can_plan(request.user):
        raise PermissionDenied
    form = AllocationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_create(user=request.user, **form.model_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Allocation planned."))
            return redirect("funding:detail", pk=allocation.pk)
    return render(request, "funding/allocation_form.html", {"section": "funding", "form": form})


@login_required
def allocation_detail(request, pk):
    allocation = get_object_or_404(selectors.allocation_list(user=request.user), pk=pk)
    target = allocation.next_status
    user = request.user
    may_advance = target is not None and (
        user.is_superuser or user.role in services.STEP_ROLES[AllocationStatus(target)]
    )
    return render(
        request,
        "funding/allocation_detail.html",
        {
            "section": "funding",
            "allocation": allocation,
            "next_status": AllocationStatus(target).label if target else None,
            "may_advance": may_advance,
            "may_adjust": _can_plan(user)
            and allocation.status in (AllocationStatus.DISBURSED, AllocationStatus.SETTLED),
            "adjust_form": AdjustmentForm(),
            "adjustments": allocation.adjustments.order_by("id"),
            "audit": selectors.allocation_trail(allocation=allocation),
        },
    )


@login_required
def allocation_advance(request, pk):
    allocation = get_object_or_404(selectors.allocation_list(user=request.user), pk=pk)
    if request.method == "POST":
        try:
            allocation = services.allocation_advance(user=request.user, allocation=allocation)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request, _("Now %(status)s.") % {"status": allocation.get_status_display()}
            )
    return redirect("funding:detail", pk=pk)


@login_required
def allocation_adjust(request, pk):
    allocation = get_object_or_404(selectors.allocation_list(user=request.user), pk=pk)
    form = AdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.allocation_adjust(
                user=request.user, allocation=allocation, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Adjustment entered."))
    return redirect("funding:detail", pk=pk)


@login_required
def reports(request):
    user = request.user
    per_person_program = Program.objects.filter(kind=ProgramKind.PER_PERSON).first()
    context = {
        "section": "funding",
        "area": selectors.reader_area(user),
        "whole_province": selectors.reads_whole_province(user),
        "pivot": selectors.year_program_prefecture_pivot(user=user),
        "prefectures": selectors.prefecture_names(),
        "programs": dict(Program.objects.values_list("code", "name_zh")),
        "yearly": selectors.yearly_totals(user=user),
        "progress": selectors.disbursement_progress(user=user),
        "per_person_program": per_person_program,
        "per_person": selectors.per_person_subsidies(user=user, program=per_person_program)
        if per_person_program
        else [],
        "renovations": selectors.renovation_progress(user=user),
    }
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports_workbook(context),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = attachment_disposition("funding-reports.xlsx")
        return response
    return render(request, "funding/reports.html", context)


@login_required
def budget_list(request):
    budgets = selectors.budget_list(user=request.user)
    page = Paginator(budgets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/budget_list.html",
        {
            "section": "funding",
            "page": page,
            "query": "",
            "whole_province": selectors.reads_whole_province(request.user),
            "area": selectors.reader_area(request.user),
        },
    )


@login_required
def budget_detail(request, pk):
    budget = get_object_or_404(selectors.budget_list(user=request.user), pk=pk)
    allocations = selectors.budget_allocations(user=request.user, budget=budget)
    page = Paginator(allocations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/budget_detail.html",
        {
            "section": "funding",
            "budget": budget,
            "allocations": page,
            "page": page,
            "query": "",
            "whole_province": selectors.reads_whole_province(request.user),
            "area": selectors.reader_area(request.user),
            "can_plan": _can_plan(request.user),
        },
    )
