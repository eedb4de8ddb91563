"""Rules of the care network, enforced alike for forms, the API, imports and demo data."""

import datetime
import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region
from core.regions import RegionLevel
from core.roles import Role
from core.scope import scope_covers
from core.services import audit_changes, audit_record, audit_snapshot
from facilities.choices import KIND_REGION_LEVELS, CareFunction, FacilityKind, SixHelps
from facilities.models import (
    CapacityRecord,
    Facility,
    Inspection,
    InspectionDraw,
    InspectionResult,
    Inspector,
)

# Jilin's bounding box (about 121.6-131.3 E, 40.8-46.4 N): a facility outside it is a typo.
JILIN_LONGITUDE = (Decimal("121.6"), Decimal("131.3"))
JILIN_LATITUDE = (Decimal("40.8"), Decimal("46.4"))
# A mainland mobile number, or a landline with its area code (0433-7512345, 04337512345).
PHONE_PATTERN = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

# An inspection's result, as the audit trail keeps it.
RESULT_FIELDS = {
    "inspected_on",
    "result",
    "findings",
    "rectification_deadline",
    "rectified_on",
    "is_published",
}
# Fields whose change is kept in the capacity history.
CAPACITY_FIELDS = ("status", "total_beds", "nursing_beds", "dementia_beds", "residents")
FACILITY_EDITORS = {Role.PROVINCIAL_ADMIN, Role.PREFECTURE_OFFICER, Role.COUNTY_OFFICER}


def ensure_can_edit_region(*, user, region: Region) -> None:
    """Only officers (and administrators) edit facilities, and only inside their own subtree."""
    if user is None:  # system callers: imports, demo data
        return
    if not (user.is_superuser or user.role in FACILITY_EDITORS):
        raise PermissionDenied(_("Your role may not change facilities."))
    if not scope_covers(user, region):
        raise PermissionDenied(_("This region is outside your area."))


def facility_validate(facility: Facility) -> None:
    """All facility rules; raises ValidationError naming the field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if facility.region_id and facility.kind:
        allowed = KIND_REGION_LEVELS[FacilityKind(facility.kind)]
        if facility.region.level not in allowed:
            add(
                "region",
                _("A %(kind)s must be attached to a %(levels)s, not to a %(level)s.")
                % {
                    "kind": FacilityKind(facility.kind).label,
                    "levels": _(" or ").join(str(RegionLevel(lv).label) for lv in sorted(allowed)),
                    "level": RegionLevel(facility.region.level).label,
                },
            )
    total = facility.total_beds or 0
    if (facility.nursing_beds or 0) > total:
        add(
            "nursing_beds",
            _("Nursing-type beds (%(n)s) cannot exceed total beds (%(total)s).")
            % {"n": facility.nursing_beds, "total": total},
        )
    if (facility.dementia_beds or 0) > total:
        add(
            "dementia_beds",
            _("Dementia-care beds (%(n)s) cannot exceed total beds (%(total)s).")
            % {"n": facility.dementia_beds, "total": total},
        )
    if total and (facility.residents or 0) > total:
        add(
            "residents",
            _("Residents (%(n)s) cannot exceed total beds (%(total)s).")
            % {"n": facility.residents, "total": total},
        )
    if facility.grade and not facility.graded_on:
        add("graded_on", _("Give the date the grade was rated."))
    if facility.medical_partnership_signed_on and not facility.medical_partner:
        add("medical_partner", _("Name the medical institution the partnership is with."))
    for field, (low, high), label in (
        ("longitude", JILIN_LONGITUDE, _("east")),
        ("latitude", JILIN_LATITUDE, _("north")),
    ):
        value = getattr(facility, field)
        if value is not None and not low <= Decimal(str(value)) <= high:
            add(
                field,
                _("%(value)s lies outside Jilin (%(low)s-%(high)s° %(direction)s).")
                % {"value": value, "low": low, "high": high, "direction": label},
            )
    phone = (facility.manager_phone or "").strip()
    if phone and not PHONE_PATTERN.match(phone):
        add(
            "manager_phone",
            _(
                "Give a mobile number (11 digits, 1[3-9]…) or a landline with its area code "
                "(0433-7512345)."
            ),
        )
    for field, allowed_values in (
        ("care_functions", CareFunction.values),
        ("helps_offered", SixHelps.values),
    ):
        unknown = set(getattr(facility, field) or []) - set(allowed_values)
        if unknown:
            add(field, _("Unknown values: %(values)s") % {"values": ", ".join(sorted(unknown))})
    if errors:
        raise ValidationError(errors)
    # The region was loaded by the caller; checking it exists again would cost a query a row.
    facility.clean_fields(exclude=["region"])


def facility_effective_date_validate(
    *, facility: Facility | None, effective_date: datetime.date | None, changes_capacity: bool
) -> None:
    """A change is effective today or earlier, and not before the latest capacity record (so
    the facility's current figures stay those of its latest record by effective date)."""
    if effective_date is None:
        return
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": _("Changes cannot take effect in the future.")})
    if facility is None or facility.pk is None or not changes_capacity:
        return
    latest = (
        CapacityRecord.objects.filter(facility=facility)
        .order_by("-effective_date", "-id")
        .values_list("effective_date", flat=True)
        .first()
    )
    if latest is not None and effective_date < latest:
        raise ValidationError(
            {
                "effective_date": _(
                    "The history already has a change from %(date)s: date this change on or "
                    "after it."
                )
                % {"date": latest.isoformat()}
            }
        )


def capacity_changes(facility: Facility, stored: Facility | None) -> bool:
    if stored is None or stored.pk is None:
        return True
    return any(getattr(facility, f) != getattr(stored, f) for f in CAPACITY_FIELDS)


def _record_capacity(facility: Facility, *, effective_date, user) -> CapacityRecord:
    return CapacityRecord.objects.create(
        facility=facility,
        effective_date=effective_date,
        recorded_by=user,
        **{field: getattr(facility, field) for field in CAPACITY_FIELDS},
    )


@transaction.atomic
def facility_create(*, user, effective_date: datetime.date | None = None, **fields) -> Facility:
    facility = Facility(**fields)
    facility_effective_date_validate(
        facility=None, effective_date=effective_date, changes_capacity=True
    )
    if facility.status_since is None:
        facility.status_since = effective_date or timezone.localdate()
    if facility.region_id:
        ensure_can_edit_region(user=user, region=facility.region)
    facility_validate(facility)
    facility.save()
    _record_capacity(facility, effective_date=effective_date or facility.status_since, user=user)
    audit_record(actor=user, action="create", obj=facility, after=audit_snapshot(facility))
    return facility


@transaction.atomic
def facility_update(
    *, facility: Facility, user, effective_date: datetime.date | None = None, **fields
) -> Facility:
    """Change a facility; a change of beds, residents or status is kept with its date."""
    ensure_can_edit_region(user=user, region=facility.region)
    before = {field: getattr(facility, field) for field in CAPACITY_FIELDS}
    snapshot = audit_snapshot(facility)
    for name, value in fields.items():
        setattr(facility, name, value)
    effective_date = effective_date or timezone.localdate()
    facility_effective_date_validate(
        facility=facility,
        effective_date=effective_date,
        changes_capacity=any(getattr(facility, f) != before[f] for f in CAPACITY_FIELDS),
    )
    if facility.status != before["status"]:
        facility.status_since = effective_date
    ensure_can_edit_region(user=user, region=facility.region)
    facility_validate(facility)
    facility.save()
    if any(getattr(facility, field) != before[field] for field in CAPACITY_FIELDS):
        _record_capacity(facility, effective_date=effective_date, user=user)
    changed_before, changed_after = audit_changes(snapshot, audit_snapshot(facility))
    audit_record(
        actor=user, action="update", obj=facility, before=changed_before, after=changed_after
    )
    return facility


@transaction.atomic
def facilities_bulk_create(
    *, facilities: list[Facility], history: dict[int, list[dict]], user=None
) -> None:
    """Create many facilities under the same rules, for imports and demo data (bulk INSERTs).

    `history` maps a facility's position in the list to earlier capacity records (dicts with
    effective_date and the capacity fields); the facility's current values are recorded last.
    """
    errors = []
    for position, facility in enumerate(facilities):
        try:
            facility_validate(facility)
        except ValidationError as error:
            errors.append(f"{position + 1}: {facility.name}: {error.messages}")
    if errors:
        raise ValidationError(errors)
    Facility.objects.bulk_create(facilities, batch_size=1000)
    records = []
    for position, facility in enumerate(facilities):
        for earlier in history.get(position, []):
            records.append(CapacityRecord(facility=facility, **earlier))
        records.append(
            CapacityRecord(
                facility=facility,
                effective_date=facility.status_since,
                **{field: getattr(facility, field) for field in CAPACITY_FIELDS},
            )
        )
    CapacityRecord.objects.bulk_create(records, batch_size=2000)
    audit_record(
        actor=user,
        action="bulk_create",
        object_type=Facility._meta.label_lower,
        after={"facilities": len(facilities), "capacity_records": len(records)},
    )


# --- Random inspections (双随机一公开) ----------------------------------------------------------


@dataclass
class DrawResult:
    draw: InspectionDraw
    inspections: list[Inspection]


@transaction.atomic
def inspection_draw(
    *,
    user,
    region: Region,
    seed: int,
    planned_date: datetime.date,
    percentage: Decimal | None = None,
    count: int | None = None,
    kind: str = "",
) -> DrawResult:
    """Draw facilities at random in a region and give each a random inspector from its pool.

    The same seed over the same facilities and pool gives the same draw. An inspector is never
    sent to a facility they inspected last time.
    """
    ensure_can_edit_region(user=user, region=region)
    if (percentage is None) == (count is None):
        raise ValidationError(_("Give either a percentage or a count, not both."))
    facilities = Facility.objects.within(region).filter(status="operating")
    if kind:
        facilities = facilities.filter(kind=kind)
    candidates = list(facilities.order_by("id").values_list("id", flat=True))
    if percentage is not None:
        if not Decimal(0) < percentage <= Decimal(100):
            raise ValidationError({"percentage": _("A percentage is above 0 and at most 100.")})
        size = int((Decimal(len(candidates)) * percentage / 100).to_integral_value(ROUND_HALF_UP))
        size = max(1, size) if candidates else 0
    else:
        if count < 1:
            raise ValidationError({"count": _("Draw at least one facility.")})
        size = min(count, len(candidates))
    pool = list(
        Inspector.objects.within(region)
        .filter(is_active=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not candidates:
        raise ValidationError(_("There is no operating facility to draw from in this region."))
    if len(pool) < 2:
        raise ValidationError(
            _("The region's inspector pool needs at least two active inspectors.")
        )
    rng = random.Random(seed)
    chosen = sorted(rng.sample(candidates, size))
    last_inspector = _last_inspectors(chosen)
    draw = InspectionDraw.objects.create(
        region=region,
        seed=seed,
        percentage=percentage,
        count=count,
        kind=kind,
        planned_date=planned_date,
        drawn_by=user,
    )
    inspections = []
    for facility_id in chosen:
        eligible = [i for i in pool if i != last_inspector.get(facility_id)]
        inspections.append(
            Inspection(
                facility_id=facility_id,
                inspector_id=rng.choice(eligible),
                draw=draw,
                planned_date=planned_date,
            )
        )
    Inspection.objects.bulk_create(inspections)
    after = audit_snapshot(draw)
    after.update(
        candidates=len(candidates),
        inspections=len(inspections),
        facilities=[inspection.facility_id for inspection in inspections][:200],
    )
    audit_record(actor=user, action="draw", obj=draw, after=after)
    return DrawResult(draw=draw, inspections=inspections)


def _last_inspectors(facility_ids: list[int]) -> dict[int, int]:
    """The inspector of each facility's most recent inspection (one query)."""
    latest: dict[int, int] = {}
    rows = (
        Inspection.objects.filter(facility_id__in=facility_ids)
        .order_by("facility_id", "-planned_date", "-id")
        .values_list("facility_id", "inspector_id")
    )
    for facility_id, inspector_id in rows:
        latest.setdefault(facility_id, inspector_id)
    return latest


@transaction.atomic
def inspection_record_result(
    *,
    inspection: Inspection,
    user,
    inspected_on: datetime.date,
    result: str,
    findings: str = "",
    rectification_deadline: datetime.date | None = None,
    publish: bool = True,
) -> Inspection:
    ensure_can_edit_region(user=user, region=inspection.facility.region)
    errors = {}
    if inspected_on > timezone.localdate():
        errors["inspected_on"] = _("An inspection cannot be dated in the future.")
    if result == InspectionResult.RECTIFY and not rectification_deadline:
        errors["rectification_deadline"] = _("Give a deadline for the rectification.")
    if rectification_deadline and rectification_deadline < inspected_on:
        errors["rectification_deadline"] = _("The deadline cannot be before the inspection.")
    if result != InspectionResult.PASSED and not findings.strip():
        errors["findings"] = _("Describe the findings.")
    if errors:
        raise ValidationError(errors)
    snapshot = audit_snapshot(inspection, fields=RESULT_FIELDS)
    inspection.inspected_on = inspected_on
    inspection.result = result
    inspection.findings = findings
    inspection.rectification_deadline = rectification_deadline
    inspection.is_published = publish
    inspection.full_clean()
    inspection.save()
    audit_record(
        actor=user,
        action="record_result",
        obj=inspection,
        before=snapshot,
        after=audit_snapshot(inspection, fields=RESULT_FIELDS),
    )
    return inspection


@transaction.atomic
def inspection_mark_rectified(*, inspection: Inspection, user, rectified_on) -> Inspection:
    ensure_can_edit_region(user=user, region=inspection.facility.region)
    if inspection.result != InspectionResult.RECTIFY:
        raise ValidationError(_("Only an inspection that required rectification can be closed."))
    before = {"rectified_on": _iso(inspection.rectified_on)}
    inspection.rectified_on = rectified_on
    inspection.save(update_fields=["rectified_on"])
    audit_record(
        actor=user,
        action="rectified",
        obj=inspection,
        before=before,
        after={"rectified_on": _iso(rectified_on)},
    )
    return inspection


def _iso(day) -> str | None:
    return day.isoformat() if day else None
