"""Rules of the subsidy money: budgets, rates and caps, regions, the forward-only workflow,
adjusting entries, and an audit row for every change, in the same transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Role
from core.scope import scope_covers
from core.services import audit_changes, audit_record, audit_snapshot
from funding.models import (
    Allocation,
    AllocationStatus,
    Budget,
    Program,
    ProgramKind,
)

PLANNERS = {Role.PROVINCIAL_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER}
# Who may move an allocation into each status: the department approves and disburses; the
# county that spent the money settles it.
STEP_ROLES = {
    AllocationStatus.APPROVED: {Role.PROVINCIAL_ADMIN},
    AllocationStatus.DISBURSED: {Role.PROVINCIAL_ADMIN},
    AllocationStatus.SETTLED: {Role.PROVINCIAL_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER},
}
CENT = Decimal("0.01")


def _snapshot(allocation: Allocation) -> dict:
    return audit_snapshot(allocation)


def _ensure_planner(user, region) -> None:
    if not (user.is_superuser or user.role in PLANNERS):
        raise PermissionDenied(_("Your role may not plan allocations."))
    if not scope_covers(user, region):
        raise PermissionDenied(_("This region is outside your area."))


def yuan(value) -> Decimal:
    """Money is exact: decimals to the cent, never floats."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal or str, never float")
    return Decimal(value).quantize(CENT)


def sum_yuan(value) -> Decimal:
    """A database SUM as exact cents (SQLite returns decimals that went through floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def _check_rules(allocation: Allocation) -> None:
    program = allocation.program
    errors = {}
    if allocation.facility_id and not allocation.facility.region.is_within(allocation.region):
        errors["facility"] = _("The facility %(facility)s is not in %(region)s.") % {
            "facility": allocation.facility.name,
            "region": allocation.region.name,
        }
    if (
        program.facility_kind
        and allocation.facility_id
        and (allocation.facility.kind != program.facility_kind)
    ):
        errors["facility"] = _("This program funds %(kind)s facilities only.") % {
            "kind": program.get_facility_kind_display()
        }
    if program.kind == ProgramKind.CONSTRUCTION and allocation.adjusts_id is None:
        if not allocation.floor_area:
            errors["floor_area"] = _("A construction allocation needs the floor area.")
        elif program.rate:
            ceiling = yuan(allocation.floor_area * program.rate)
            if program.cap_per_project is not None:
                ceiling = min(ceiling, program.cap_per_project)
            if allocation.amount > ceiling:
                errors["amount"] = _(
                    "At most %(ceiling)s yuan: %(area)s m² × %(rate)s yuan/m², capped at "
                    "%(cap)s yuan a project."
                ) % {
                    "ceiling": ceiling,
                    "area": allocation.floor_area,
                    "rate": program.rate,
                    "cap": program.cap_per_project,
                }
    if program.kind == ProgramKind.PER_PERSON and allocation.adjusts_id is None and program.rate:
        if not allocation.persons_served:
            errors["persons_served"] = _("A per-person subsidy needs the persons served.")
        elif allocation.amount > yuan(allocation.persons_served * program.rate):
            errors["amount"] = _("At most %(n)s persons × %(rate)s yuan.") % {
                "n": allocation.persons_served,
                "rate": program.rate,
            }
    if errors:
        raise ValidationError(errors)


def allocation_validate(allocation: Allocation) -> None:
    """The rules a new allocation must meet, without writing or locking: the amount, the
    program's rate and cap, the facility, and whether its budget exists and has room (the
    service checks the budget again under the lock). Forms call it to show every problem."""
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)

    if allocation.amount is not None and allocation.amount <= 0:
        errors["amount"] = [_("The amount must be above zero.")]
    if allocation.program_id:
        try:
            _check_rules(allocation)
        except ValidationError as error:
            collect(error)
        if allocation.year and allocation.source and allocation.amount and not errors:
            try:
                _check_budget(allocation, allocation.amount, lock=False)
            except ValidationError as error:
                collect(error)
    if errors:
        raise ValidationError(errors)


def _check_budget(allocation: Allocation, extra: Decimal, *, lock: bool = True) -> None:
    """Lock the budget row, then sum what is allocated: two officers allocating the last money
    at the same moment are served one after the other, and the second is refused."""
    budgets = Budget.objects.select_for_update() if lock else Budget.objects.all()
    budget = budgets.filter(
        program=allocation.program, year=allocation.year, source=allocation.source
    ).first()
    if budget is None:
        raise ValidationError(
            {
                "source": _("%(program)s has no %(year)s budget from this source.")
                % {"program": allocation.program.name_zh, "year": allocation.year}
            }
        )
    # SQLite sums decimals through floats: back to exact cents (PostgreSQL is exact already).
    used = sum_yuan(
        Allocation.objects.filter(
            program=allocation.program, year=allocation.year, source=allocation.source
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    if used + extra > budget.amount:
        raise ValidationError(
            {
                "amount": _(
                    "Over budget: %(used)s of %(budget)s yuan already allocated, %(left)s left."
                )
                % {"used": used, "budget": budget.amount, "left": budget.amount - used}
            }
        )


@transaction.atomic
def allocation_create(
    *,
    user,
    program: Program,
    year: int,
    source: str,
    region,
    amount,
    on: datetime.date | None = None,
    **fields,
) -> Allocation:
    """Plan an allocation (dated today, or `on` for records entered late: never the future)."""
    _ensure_planner(user, region)
    today = timezone.localdate()
    if on is not None and on > today:
        raise ValidationError({"planned_on": _("A date cannot be in the future.")})
    allocation = Allocation(
        program=program,
        year=year,
        source=source,
        region=region,
        amount=yuan(amount),
        planned_by=user,
        planned_on=on or today,
        **fields,
    )
    if allocation.amount <= 0:
        raise ValidationError({"amount": _("The amount must be above zero.")})
    _check_rules(allocation)
    allocation.full_clean(exclude=["program", "region", "facility", "planned_by", "adjusts"])
    _check_budget(allocation, allocation.amount)
    allocation.save()
    audit_record(
        actor=user, action="create", obj=allocation, before=None, after=_snapshot(allocation)
    )
    return allocation


@transaction.atomic
def allocation_update(*, user, allocation: Allocation, **fields) -> Allocation:
    """Only a planned allocation is edited; after approval corrections are adjusting entries."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.status != AllocationStatus.PLANNED:
        raise ValidationError(
            _("Only a planned allocation can be edited; after disbursement enter an adjustment.")
        )
    _ensure_planner(user, allocation.region)
    before = _snapshot(allocation)
    old_amount = allocation.amount
    for name, value in fields.items():
        setattr(allocation, name, yuan(value) if name == "amount" else value)
    _ensure_planner(user, allocation.region)
    _check_rules(allocation)
    _check_budget(allocation, allocation.amount - old_amount)
    allocation.save()
    audit_record(
        actor=user, action="update", obj=allocation, before=before, after=_snapshot(allocation)
    )
    return allocation


@transaction.atomic
def allocation_advance(
    *, user, allocation: Allocation, on: datetime.date | None = None
) -> Allocation:
    """Move one step forward (planned → approved → disbursed → settled), never back."""
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    target = allocation.next_status
    if target is None:
        raise ValidationError(_("A settled allocation has no further step."))
    if not (user.is_superuser or user.role in STEP_ROLES[AllocationStatus(target)]):
        raise PermissionDenied(
            _("Your role may not mark an allocation %(status)s.")
            % {"status": AllocationStatus(target).label}
        )
    if not scope_covers(user, allocation.region):
        raise PermissionDenied(_("This region is outside your area."))
    on = on or timezone.localdate()
    previous = getattr(allocation, f"{allocation.status}_on")
    if on > timezone.localdate():
        raise ValidationError(_("A date cannot be in the future."))
    if previous is not None and on < previous:
        raise ValidationError(
            _("%(status)s on %(date)s cannot come before the step before it (%(previous)s).")
            % {
                "status": AllocationStatus(target).label,
                "date": on.isoformat(),
                "previous": previous.isoformat(),
            }
        )
    before = _snapshot(allocation)
    allocation.status = target
    setattr(allocation, f"{target}_by", user)
    setattr(allocation, f"{target}_on", on)
    allocation.save()
    audit_record(
        actor=user, action=target, obj=allocation, before=before, after=_snapshot(allocation)
    )
    return allocation


@transaction.atomic
def allocation_adjust(*, user, allocation: Allocation, amount, purpose: str) -> Allocation:
    """A correction after disbursement: a new entry (positive or negative) that adjusts the
    original, which itself is never edited."""
    if allocation.status not in (AllocationStatus.DISBURSED, AllocationStatus.SETTLED):
        raise ValidationError(
            _(
                "Only a disbursed allocation is corrected by an adjustment; "
                "edit a planned one instead."
            )
        )
    _ensure_planner(user, allocation.region)
    delta = yuan(amount)
    if delta == 0:
        raise ValidationError({"amount": _("An adjustment changes the amount.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say why the amount is corrected.")})
    adjustment = Allocation(
        program=allocation.program,
        year=allocation.year,
        source=allocation.source,
        region=allocation.region,
        facility=allocation.facility,
        amount=delta,
        document_number=allocation.document_number,
        purpose=purpose,
        adjusts=allocation,
        planned_by=user,
        planned_on=timezone.localdate(),
    )
    net = (
        allocation.amount
        + sum_yuan(allocation.adjustments.aggregate(total=Sum("amount"))["total"] or 0)
        + delta
    )
    if net < 0:
        raise ValidationError(
            {"amount": _("The adjustments would take the allocation below zero.")}
        )
    if delta > 0:
        _check_budget(adjustment, delta)
    adjustment.save()
    # The correction is an entry of its own, on the adjusting allocation (its `adjusts` names
    # the original): the original is not changed and its trail links to this entry.
    audit_record(actor=user, action="adjust", obj=adjustment, after=_snapshot(adjustment))
    return adjustment


# --- Budgets -----------------------------------------------------------------------------------

BUDGET_EDITORS = {Role.PROVINCIAL_ADMIN}


def _ensure_budget_editor(user) -> None:
    if user is None or not (user.is_superuser or user.role in BUDGET_EDITORS):
        raise PermissionDenied(_("Only the provincial administrator sets budgets."))


def budget_check(budget: Budget) -> None:
    """The budget rules (forms call it to report them by field): never below what is already
    allocated from it. Writes nothing."""
    _check_budget_covers_allocations(budget)


def _check_budget_covers_allocations(budget: Budget) -> None:
    used = sum_yuan(
        Allocation.objects.filter(
            program=budget.program, year=budget.year, source=budget.source
        ).aggregate(total=Sum("amount"))["total"]
    )
    if budget.amount < used:
        raise ValidationError(
            {"amount": _("%(used)s yuan is already allocated from this budget.") % {"used": used}}
        )


@transaction.atomic
def budget_create(*, user, program: Program, year: int, source: str, amount) -> Budget:
    _ensure_budget_editor(user)
    budget = Budget(program=program, year=year, source=source, amount=yuan(amount))
    budget.full_clean()
    budget_check(budget)
    budget.save()
    audit_record(actor=user, action="create", obj=budget, after=audit_snapshot(budget))
    return budget


@transaction.atomic
def budget_update(*, user, budget: Budget, **fields) -> Budget:
    """Change a budget (its amount, or program, year and source); never below what is already
    allocated from it."""
    _ensure_budget_editor(user)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    snapshot = audit_snapshot(budget)
    for name, value in fields.items():
        setattr(budget, name, yuan(value) if name == "amount" else value)
    budget.full_clean()
    budget_check(budget)
    budget.save()
    before, after = audit_changes(snapshot, audit_snapshot(budget))
    audit_record(actor=user, action="update", obj=budget, before=before, after=after)
    return budget
