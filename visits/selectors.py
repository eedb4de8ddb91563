"""Reads of the home-visit system, scoped to the reader."""

import datetime

from django.db.models import BooleanField, Case, Count, F, Max, Q, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from visits.models import (
    OPEN_STATUSES,
    Elder,
    Referral,
    ReferralStatus,
    Visit,
    Visitor,
    month_bounds,
)


def elder_list(*, user):
    return Elder.objects.visible_to(user).select_related("village", "village__parent")


def elder_get(*, user, pk: int) -> Elder:
    return get_object_or_404(
        elder_list(user=user).select_related("institution", "assigned_visitor"), pk=pk
    )


def elder_timeline(*, elder: Elder) -> list[tuple[datetime.date, str, object]]:
    """Visits and referrals of a person, newest first (two queries).

    A referral is dated by its local day (Asia/Shanghai), as staff read it: its UTC day is the
    day before for everything opened between 00:00 and 08:00 local time.
    """
    visits = elder.visits.select_related("visitor").order_by("-visited_on", "-id")
    referrals = elder.referrals.select_related("assignee").order_by("-opened_at")
    events = [(v.visited_on, "visit", v) for v in visits]
    events += [(timezone.localdate(r.opened_at), "referral", r) for r in referrals]
    return sorted(events, key=lambda event: event[0], reverse=True)


def visitor_list(*, user):
    return Visitor.objects.visible_to(user).select_related("region")


def visit_list(*, user):
    return Visit.objects.visible_to(user).select_related("elder", "elder__village", "visitor")


def referral_list(*, user):
    return Referral.objects.visible_to(user).select_related(
        "elder", "elder__village__parent", "assignee", "visit"
    )


REFERRAL_TABS = {
    "open": (ReferralStatus.OPEN,),
    "in_progress": (ReferralStatus.IN_PROGRESS,),
    "done": (ReferralStatus.RESOLVED, ReferralStatus.CLOSED),
}


def referral_board(*, referrals, tab: str, today: datetime.date):
    """One tab of the referral board: overdue first, then by due date, each row marked.

    `referrals` is the reader's already filtered queryset; the counts per tab come from one
    aggregate query so the tab badges agree with what the filters leave.
    """
    by_status = dict(
        referrals.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = {
        name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in REFERRAL_TABS.items()
    }
    rows = referrals.filter(status__in=REFERRAL_TABS[tab]).annotate(
        is_overdue=Case(
            When(status__in=OPEN_STATUSES, due_date__lt=today, then=True),
            default=False,
            output_field=BooleanField(),
        )
    )
    if tab == "done":
        rows = rows.order_by(F("closed_at").desc(nulls_last=True), "-id")
    else:
        rows = rows.order_by("-is_overdue", "due_date", "id")
    return counts, rows


def work_list(*, user, today: datetime.date, within=None, month: datetime.date | None = None):
    """Key elders not yet visited this month (or in `month`), longest without a visit first.

    The page field staff open every morning: one query, with the last visit date computed by
    the database on the (elder, visited_on) index. For a past month (the dashboard's link from
    a visit rate) the last visit counts up to that month's end.
    """
    month = month or today
    start, end = month_bounds(month.year, month.month)
    queryset = Elder.objects.visible_to(user).key_in_month(month.year, month.month)
    if within is not None:
        queryset = queryset.within(within)
    last_visit = Max("visits__visited_on")
    if end < today:
        last_visit = Max("visits__visited_on", filter=Q(visits__visited_on__lte=end))
    return (
        queryset.annotate(last_visit=last_visit)
        .filter(Q(last_visit__lt=start) | Q(last_visit__isnull=True))
        .select_related("village", "village__parent", "assigned_visitor")
        .order_by(F("last_visit").asc(nulls_first=True), "village__code", "name")
    )


OFFLINE_RECENT_VISITS = 3


def offline_bundle(*, user, today: datetime.date) -> list[Elder]:
    """What a visitor's phone keeps for offline work: this month's key elders of the
    visitor's own area (never wider) with their last visits, in the work-list order.

    Three queries whatever the number of people: elders, their recent visits, the visitors.
    """
    start, _end = month_bounds(today.year, today.month)
    elders = list(
        Elder.objects.visible_to(user)
        .key_in_month(today.year, today.month)
        .annotate(last_visit=Max("visits__visited_on"))
        .select_related("village")
        .order_by(F("last_visit").asc(nulls_first=True), "village__code", "name")
    )
    recent: dict[int, list[Visit]] = {}
    if elders:
        visits = (
            Visit.objects.filter(elder_id__in=[e.pk for e in elders])
            .select_related("visitor")
            .order_by("elder_id", "-visited_on", "-id")
        )
        for visit in visits.filter(visited_on__gte=start - datetime.timedelta(days=400)):
            kept = recent.setdefault(visit.elder_id, [])
            if len(kept) < OFFLINE_RECENT_VISITS:
                kept.append(visit)
    for elder in elders:
        elder.recent_visits = recent.get(elder.pk, [])
        elder.visited_this_month = bool(elder.last_visit and elder.last_visit >= start)
    return elders
