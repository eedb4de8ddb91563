"""Reads of the care network, scoped to the reader."""

import datetime

from django.db.models import Count, OuterRef, Subquery, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from facilities.choices import FacilityStatus
from facilities.models import CapacityRecord, Facility, Inspection


def facility_list(*, user):
    return Facility.objects.visible_to(user).with_region()


def facility_get(*, user, pk: int) -> Facility:
    return get_object_or_404(facility_list(user=user), pk=pk)


def facility_capacity_history(*, facility: Facility):
    return facility.capacity_records.select_related("recorded_by").order_by(
        "-effective_date", "-id"
    )


def facility_inspections(*, facility: Facility):
    return facility.inspections.select_related("inspector").order_by("-planned_date", "-id")


def capacity_records_as_of(*, facilities, on: datetime.date):
    """For each facility, the capacity record that held on a date (one correlated subquery)."""
    latest = (
        CapacityRecord.objects.filter(facility=OuterRef("facility"), effective_date__lte=on)
        .order_by("-effective_date", "-id")
        .values("id")[:1]
    )
    return CapacityRecord.objects.filter(
        facility__in=facilities.values("id"), effective_date__lte=on, id=Subquery(latest)
    )


def capacity_totals_as_of(*, facilities, on: datetime.date, operating_only: bool = True) -> dict:
    """Beds and residents summed in SQL over what held on a date (the monthly roll-ups use it)."""
    records = capacity_records_as_of(facilities=facilities, on=on)
    if operating_only:
        records = records.filter(status=FacilityStatus.OPERATING)
    totals = records.aggregate(
        facilities=Count("id"),
        total_beds=Sum("total_beds"),
        nursing_beds=Sum("nursing_beds"),
        dementia_beds=Sum("dementia_beds"),
        residents=Sum("residents"),
    )
    return {key: value or 0 for key, value in totals.items()}


def inspection_list(*, user):
    return Inspection.objects.visible_to(user).select_related(
        "facility", "facility__region", "inspector"
    )


def inspection_overdue(*, user, today: datetime.date | None = None):
    return inspection_list(user=user).overdue(today or timezone.localdate())


def inspection_published():
    """Published results are public by policy (一公开): no login, no personal data."""
    return (
        Inspection.objects.filter(is_published=True)
        .exclude(result="")
        .select_related("facility", "facility__region", "facility__region__parent")
        .order_by("-inspected_on", "-id")
    )


def facility_map_points(*, queryset) -> list[dict]:
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "kind": row["kind"],
            "beds": row["total_beds"],
            "value": [float(row["longitude"]), float(row["latitude"])],
        }
        for row in queryset.filter(longitude__isnull=False, latitude__isnull=False).values(
            "id", "name", "kind", "total_beds", "longitude", "latitude"
        )
    ]


def facility_totals(*, facilities) -> dict:
    """Sums over every facility the filters leave, not just the page shown (one query)."""
    totals = facilities.order_by().aggregate(
        count=Count("id"),
        total_beds=Sum("total_beds"),
        nursing_beds=Sum("nursing_beds"),
        dementia_beds=Sum("dementia_beds"),
        residents=Sum("residents"),
    )
    return {key: value or 0 for key, value in totals.items()}
