import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import client_address
from core.filters import filter_errors, filtered
from core.forms import add_service_errors
from core.models import Region
from core.regions import RegionLevel
from core.roles import Role
from core.selectors import region_choices
from visits import selectors, services
from visits.filters import ElderFilter, ReferralBoardFilter
from visits.forms import ElderForm, ReferralForm, ReferralUpdateForm, VisitForm, WorkListFilterForm
from visits.models import DIMENSIONS, Category, ReferralKind
from visits.personal_data import policy_for

PAGE_SIZE = 25


def _can(user, roles) -> bool:
    return user.is_superuser or user.role in roles


def _offline_app(user) -> bool:
    """Visitors get the offline app (installable, works without a signal)."""
    return user.role == Role.VISITOR and getattr(user, "visitor_profile", None) is not None


def _areas(user):
    """Townships (and counties) to narrow a list by."""
    return region_choices(user=user, levels=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])


@login_required
def elder_list(request):
    # The same filters as /api/v1/elders/: name or ID digits, area, category.
    filterset = ElderFilter(
        request.GET, queryset=selectors.elder_list(user=request.user), request=request
    )
    elders, errors, status = filtered(filterset)
    page = Paginator(elders, PAGE_SIZE).get_page(request.GET.get("page"))
    policy = policy_for(request.user)
    for elder in page:
        elder.shown_categories = policy.categories(elder)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/elder_list.html",
        {
            "section": "visits",
            "page": page,
            "query": query.urlencode(),
            "areas": _areas(request.user),
            "categories": Category.choices,
            "today": timezone.localdate(),
            "policy": policy,
            "can_edit": _can(request.user, services.ARCHIVE_EDITORS),
            "filter": filterset,
            "filter_errors": errors,
        },
        status=status,
    )


@login_required
def elder_detail(request, pk):
    """The logged full-ID view for those the masking policy lets see it; a masked page for
    provincial leadership; partner departments read through the API only."""
    policy = policy_for(request.user)
    if not policy.person_pages:
        raise PermissionDenied
    elder = selectors.elder_get(user=request.user, pk=pk)
    full_id = None
    if policy.may_reveal(elder):
        full_id = services.elder_reveal_id_number(
            user=request.user, elder=elder, ip_address=client_address(request)
        )
    today = timezone.localdate()
    return render(
        request,
        "visits/elder_detail.html",
        {
            "section": "visits",
            "elder": elder,
            "policy": policy,
            "full_id_number": full_id,
            "age": elder.age_on(today) if full_id else None,
            "categories": elder.categories_on(today) if full_id else policy.categories(elder),
            "timeline": selectors.elder_timeline(elder=elder),
            "dimensions": DIMENSIONS,
            "can_record": _can(request.user, services.VISIT_RECORDERS),
            "can_edit": _can(request.user, services.ARCHIVE_EDITORS),
        },
    )


def _save_elder(request, elder=None):
    if not _can(request.user, services.ARCHIVE_EDITORS):
        raise PermissionDenied
    form = ElderForm(request.POST or None, instance=elder, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.model_fields()
        try:
            if elder is None:
                elder = services.elder_create(user=request.user, **fields)
            else:
                elder = services.elder_update(elder=elder, user=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Saved: %(name)s") % {"name": elder.name})
            return redirect("visits:elder-detail", pk=elder.pk)
    return render(
        request, "visits/elder_form.html", {"section": "visits", "form": form, "elder": elder}
    )


@login_required
def elder_create(request):
    return _save_elder(request)


@login_required
def elder_edit(request, pk):
    return _save_elder(request, selectors.elder_get(user=request.user, pk=pk))


@login_required
def visit_create(request, pk):
    """The quick visit entry, made for a phone screen."""
    if not _can(request.user, services.VISIT_RECORDERS):
        raise PermissionDenied
    elder = selectors.elder_get(user=request.user, pk=pk)
    form = VisitForm(request.POST or None, user=request.user, elder=elder)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_record(user=request.user, elder=elder, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            urgent = visit.urgent_dimensions()
            if urgent:
                messages.warning(
                    request,
                    _("Visit saved. Urgent findings were referred to the county at once."),
                )
            else:
                messages.success(request, _("Visit saved."))
            # Field staff go from door to door: back to the work list for the next person.
            return redirect("visits:worklist")
    return render(
        request,
        "visits/visit_form.html",
        {
            "section": "visits",
            "form": form,
            "elder": elder,
            # A visitor losing the signal on this form keeps the visit on the phone.
            "offline_app": _offline_app(request.user),
        },
    )


@login_required
def referral_create(request, pk):
    if not _can(request.user, services.VISIT_RECORDERS):
        raise PermissionDenied
    elder = selectors.elder_get(user=request.user, pk=pk)
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_open(user=request.user, elder=elder, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Referral opened."))
            return redirect("visits:elder-detail", pk=elder.pk)
    return render(
        request, "visits/referral_form.html", {"section": "visits", "form": form, "elder": elder}
    )


@login_required
def referral_board(request):
    """Referrals by state in tabs, filtered like /api/v1/referrals/ and paginated."""
    today = timezone.localdate()
    tab = request.GET.get("tab")
    tab = tab if tab in selectors.REFERRAL_TABS else "open"
    filters = ReferralBoardFilter(request.GET, queryset=selectors.referral_list(user=request.user))
    referrals = filters.qs if filters.is_valid() else filters.queryset.none()
    counts, rows = selectors.referral_board(referrals=referrals, tab=tab, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    return render(
        request,
        "visits/referral_board.html",
        {
            "section": "visits",
            "tab": tab,
            "counts": counts,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "tab_query": tab_query.urlencode(),
            "areas": _areas(request.user),
            "kinds": ReferralKind.choices,
            "today": today,
            "can_update": _can(request.user, services.VISIT_RECORDERS),
        },
    )


@login_required
def referral_update(request, pk):
    if not _can(request.user, services.VISIT_RECORDERS):
        raise PermissionDenied
    referral = get_object_or_404(selectors.referral_list(user=request.user), pk=pk)
    form = ReferralUpdateForm(
        request.POST or None, initial={"status": referral.status, "outcome": referral.outcome}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_update(user=request.user, referral=referral, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Referral updated."))
            return redirect("visits:referrals")
    return render(
        request,
        "visits/referral_update.html",
        {"section": "visits", "form": form, "referral": referral},
    )


def _month_param(text, today):
    """?month=2023-10 (a past month: who was not visited then); None for this month or junk."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        return None
    month = datetime.date(int(match[1]), int(match[2]), 1)
    return month if month < today.replace(day=1) else None


@login_required
def work_list(request):
    today = timezone.localdate()
    form = WorkListFilterForm(request.GET)
    errors = [] if form.is_valid() else filter_errors(form)
    within = None
    if not errors and form.cleaned_data["within"]:
        code = form.cleaned_data["within"]
        within = Region.objects.visible_to(request.user).filter(code=code).first()
    month = _month_param(request.GET.get("month"), today)
    elders = selectors.work_list(user=request.user, today=today, within=within, month=month)
    if errors:
        elders = elders.none()
    page = Paginator(elders, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visits/work_list.html",
        {
            "section": "visits",
            "page": page,
            "query": query.urlencode(),
            "areas": _areas(request.user),
            "today": today,
            "policy": policy_for(request.user),
            "month": month or today,
            "past_month": month is not None,
            "can_record": _can(request.user, services.VISIT_RECORDERS),
            "filter": form,
            "filter_errors": errors,
            "offline_app": _offline_app(request.user),
        },
        status=400 if errors else 200,
    )
