"""The demo, run at a small scale, can be used for every role's daily task on the day it runs."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from core.models import User
from core.roles import Role
from facilities.models import Facility, Inspection, Inspector
from funding import selectors
from funding.models import Allocation, AllocationStatus
from funding.services import allocation_create
from visits.models import Referral, ReferralKind, ReferralStatus, Visit, Visitor

pytestmark = pytest.mark.django_db

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def test_the_demo_is_coherent(db):
    """One demo run (it takes a while), every check on it."""
    call_command("generate_demo", "--scale", "0.02", "--seed", "7")
    a_county_officer_can_allocate_from_a_current_year_budget()
    the_seed_figures_hold()
    workflow_dates_follow_the_workflow_and_never_the_future()
    no_visit_inspection_or_referral_after_today_and_recent_ones_exist()
    referrals_in_every_state_most_resolved_and_kinds_match_notes()
    people_have_realistic_names_phones_and_e_mails()


def a_county_officer_can_allocate_from_a_current_year_budget():
    today = timezone.localdate()
    officer = User.objects.get(username="hunchun")
    budgets = [
        b for b in selectors.budget_list(user=officer) if b.year == today.year and b.remaining > 0
    ]
    assert budgets, "no budget of the current year with money left"
    budget = budgets[0]
    program = budget.program
    extra = {}
    if program.kind == "operating_per_person":
        extra["persons_served"] = 1
    if program.kind == "construction_per_m2":
        pytest.fail("the first open budget should not need a facility")
    allocation = allocation_create(
        user=officer,
        program=program,
        year=budget.year,
        source=budget.source,
        region=officer.region,
        amount=min(budget.remaining, Decimal("1000")),
        **extra,
    )
    assert allocation.status == AllocationStatus.PLANNED


def the_seed_figures_hold():
    admin = User.objects.get(username="admin")
    yearly = {r["year"]: r for r in selectors.yearly_totals(user=admin)}
    assert yearly[2022]["total"] == Decimal("170000000.00")
    assert yearly[2023]["total"] == Decimal("210000000.00")
    assert yearly[2023]["growth"].quantize(Decimal("0.001")) == Decimal("0.235")
    assert yearly[2022]["lottery_meets_rule"] and yearly[2023]["lottery_meets_rule"]


def workflow_dates_follow_the_workflow_and_never_the_future():
    today = timezone.localdate()
    allocations = Allocation.objects.all()
    assert allocations.filter(year=today.year).exists()
    assert not allocations.filter(planned_on__isnull=True).exists()
    assert not allocations.filter(approved_on__lt=F("planned_on")).exists()
    assert not allocations.filter(disbursed_on__lt=F("approved_on")).exists()
    assert not allocations.filter(settled_on__lt=F("disbursed_on")).exists()
    for field in ("planned_on", "approved_on", "disbursed_on", "settled_on"):
        assert not allocations.filter(**{f"{field}__gt": today}).exists(), field
    # a step's date is there exactly when the allocation reached it
    assert not allocations.filter(
        Q(status=AllocationStatus.PLANNED, approved_on__isnull=False)
        | Q(status=AllocationStatus.APPROVED, disbursed_on__isnull=False)
        | Q(status=AllocationStatus.DISBURSED, settled_on__isnull=False)
        | Q(status=AllocationStatus.SETTLED, settled_on__isnull=True)
    ).exists()


def no_visit_inspection_or_referral_after_today_and_recent_ones_exist():
    today = timezone.localdate()
    assert not Visit.objects.filter(visited_on__gt=today).exists()
    assert not Inspection.objects.filter(inspected_on__gt=today).exists()
    assert not Inspection.objects.filter(rectified_on__gt=today).exists()
    assert not Referral.objects.filter(opened_at__gt=timezone.now()).exists()
    # inspections in the last months, not only 2023
    assert Inspection.objects.filter(planned_date__year=today.year).exists()
    # a referral is opened on the day of its visit
    for referral in Referral.objects.select_related("visit")[:50]:
        assert timezone.localdate(referral.opened_at) == referral.visit.visited_on


def referrals_in_every_state_most_resolved_and_kinds_match_notes():
    counts = {s: Referral.objects.filter(status=s).count() for s in ReferralStatus.values}
    assert all(counts.values()), counts
    done = counts[ReferralStatus.RESOLVED] + counts[ReferralStatus.CLOSED]
    assert done > sum(counts.values()) / 2
    assert not Referral.objects.filter(
        status__in=[ReferralStatus.RESOLVED, ReferralStatus.CLOSED], outcome=""
    ).exists()
    # the kind follows the dimension, and the note is about that dimension
    health_notes = set(
        Referral.objects.filter(kind=ReferralKind.MEDICAL).values_list("description", flat=True)
    )
    assert health_notes and all(
        any(word in note for word in ("血压", "病", "医", "药", "疼")) for note in health_notes
    ), health_notes
    assert not Referral.objects.filter(kind=ReferralKind.MEDICAL, description__contains="取暖")


def people_have_realistic_names_phones_and_e_mails():
    assert not Visitor.objects.filter(name__endswith="巡访员").exists()
    assert all(PHONE.match(p) for p in Visitor.objects.values_list("phone", flat=True))
    assert all(
        PHONE.match(p)
        for p in Facility.objects.exclude(manager_phone="").values_list("manager_phone", flat=True)
    )
    assert all(PHONE.match(p) for p in Inspector.objects.values_list("phone", flat=True))
    for user in User.objects.all():
        assert user.email and "@" in user.email, user.username
    visitor = User.objects.get(username="visitor")
    assert not visitor.first_name.endswith("巡访员")
    assert User.objects.get(role=Role.COUNTY_OFFICER, username="hunchun").email
