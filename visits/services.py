"""Rules of the home-visit system, called alike by forms, the API, uploads and demo data."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.regions import RegionLevel
from core.roles import Role
from core.scope import scope_covers
from core.services import notify
from facilities.choices import SixHelps
from visits.idcard import InvalidIdNumber, parse_id_number
from visits.models import (
    DIMENSIONS,
    Assessment,
    Elder,
    PersonalDataAccess,
    Referral,
    ReferralKind,
    ReferralStatus,
    Residence,
    Visit,
    Visitor,
)

ARCHIVE_EDITORS = {
    Role.PROVINCIAL_ADMIN,
    Role.PREFECTURE_OFFICER,
    Role.COUNTY_OFFICER,
    Role.TOWNSHIP_STAFF,
}
VISIT_RECORDERS = ARCHIVE_EDITORS | {Role.VISITOR}
URGENT_REFERRAL_DAYS = 3
REFERRAL_DAYS = 14
# Which help an urgent finding in each dimension calls for.
URGENT_REFERRAL_KIND = {
    "health": ReferralKind.MEDICAL,
    "finances": ReferralKind.SOCIAL_RELIEF,
    "safety": ReferralKind.EMERGENCY,
    "needs": ReferralKind.EMERGENCY,
}


def _ensure(user, roles, region: Region) -> None:
    if user is None:  # system callers: demo data
        return
    if not (user.is_superuser or user.role in roles):
        raise PermissionDenied(_("Your role may not do this."))
    if not scope_covers(user, region):
        raise PermissionDenied(_("This older person lives outside your area."))


# --- Archives ----------------------------------------------------------------------------------


def _archive_fields_validate(elder: Elder) -> None:
    errors = {}
    if elder.village_id and elder.village.level != RegionLevel.VILLAGE:
        errors["village"] = _("Choose a village or community, not a %(level)s.") % {
            "level": elder.village.get_level_display()
        }
    if elder.has_dementia and not elder.is_incapacitated:
        errors["has_dementia"] = _("Dementia is recorded as a kind of incapacity: tick both.")
    if elder.residence == Residence.IN_INSTITUTION and not elder.institution_id:
        errors["institution"] = _("Name the institution the person lives in.")
    if elder.residence != Residence.AT_HOME and not elder.residence_since:
        errors["residence_since"] = _("Give the date of this change.")
    if elder.residence_since and elder.residence_since > timezone.localdate():
        errors["residence_since"] = _("This date is in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def elder_create(*, user, id_number: str, **fields) -> Elder:
    """Archive an older person; birth date and sex come from the ID number."""
    try:
        parsed = parse_id_number(id_number, today=timezone.localdate())
    except InvalidIdNumber as error:
        raise ValidationError({"id_number": str(error)}) from None
    elder = Elder(id_number=parsed.number, birth_date=parsed.birth_date, sex=parsed.sex, **fields)
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    _archive_fields_validate(elder)
    if Elder.objects.filter(id_number=parsed.number).exists():
        raise ValidationError({"id_number": _("This person is already archived.")})
    elder.full_clean(exclude=["village", "institution", "assigned_visitor", "id_number"])
    try:
        with transaction.atomic():
            elder.save()
    except IntegrityError:  # archived at the same moment by someone else
        raise ValidationError({"id_number": _("This person is already archived.")}) from None
    return elder


@transaction.atomic
def elder_update(*, elder: Elder, user, **fields) -> Elder:
    """The ID number (and with it birth date and sex) is not changed here."""
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    for name, value in fields.items():
        setattr(elder, name, value)
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    _archive_fields_validate(elder)
    elder.full_clean(exclude=["village", "institution", "assigned_visitor", "id_number"])
    elder.save()
    return elder


def elder_reveal_id_number(*, user, elder: Elder, ip_address: str | None = None) -> str:
    """The full ID number, only for a user whose scope covers the person; every view is logged."""
    if not scope_covers(user, elder.village) or user.role == Role.PARTNER:
        raise PermissionDenied
    PersonalDataAccess.objects.create(user=user, elder=elder, ip_address=ip_address)
    return elder.id_number


# --- Visits ------------------------------------------------------------------------------------


def visit_problems(
    *, elder: Elder, visitor: Visitor, visited_on: datetime.date, today: datetime.date
) -> dict[str, str]:
    """Why a visit cannot be recorded, by field (empty when it can). Uploads use it row by row."""
    problems = {}
    if visited_on > today:
        problems["visited_on"] = _("A visit cannot be dated in the future.")
    elif visited_on < elder.birth_date:
        problems["visited_on"] = _("The visit is dated before the person was born.")
    elif (
        elder.residence == Residence.DECEASED
        and elder.residence_since
        and visited_on > elder.residence_since
    ):
        problems["visited_on"] = _("The person died on %(date)s, before this visit.") % {
            "date": elder.residence_since.isoformat()
        }
    if not visitor.covers(elder.village):
        problems["visitor"] = _(
            "%(visitor)s works in %(area)s, which does not include %(village)s."
        ) % {"visitor": visitor.name, "area": visitor.region.name, "village": elder.village.name}
    elif not visitor.is_active:
        problems["visitor"] = _("%(visitor)s is no longer an active visitor.") % {
            "visitor": visitor.name
        }
    return problems


def _county_officers(village: Region):
    county_code = village.code[:6] + "000000"
    return User.objects.filter(role=Role.COUNTY_OFFICER, region__code=county_code, is_active=True)


def _open_urgent_referrals(visit: Visit, user) -> list[Referral]:
    urgent = visit.urgent_dimensions()
    if not urgent:
        return []
    officers = list(_county_officers(visit.elder.village))
    due = visit.visited_on + datetime.timedelta(days=URGENT_REFERRAL_DAYS)
    referrals = [
        Referral(
            elder=visit.elder,
            visit=visit,
            kind=URGENT_REFERRAL_KIND[dimension],
            dimension=dimension,
            description=getattr(visit, f"{dimension}_note") or str(DIMENSIONS[dimension]),
            assignee=officers[0] if officers else None,
            due_date=due,
            opened_by=user,
        )
        for dimension in urgent
    ]
    Referral.objects.bulk_create(referrals)
    notify(
        users=officers,
        title=_("Urgent: %(name)s (%(village)s) — %(dimensions)s")
        % {
            "name": visit.elder.name,
            "village": visit.elder.village.name,
            "dimensions": "、".join(str(DIMENSIONS[d]) for d in urgent),
        },
        body=_("Visit of %(date)s by %(visitor)s. %(notes)s")
        % {
            "date": visit.visited_on.isoformat(),
            "visitor": visit.visitor.name,
            "notes": " ".join(
                getattr(visit, f"{d}_note") for d in urgent if getattr(visit, f"{d}_note")
            ),
        },
        link=reverse("visits:elder-detail", args=[visit.elder_id]),
    )
    return referrals


def _helps_validate(helps: list[str]) -> None:
    unknown = set(helps or []) - set(SixHelps.values)
    if unknown:
        raise ValidationError(
            {
                "helps_needed": _("Unknown helps: %(values)s")
                % {"values": ", ".join(sorted(unknown))}
            }
        )


@transaction.atomic
def visit_record(
    *,
    user,
    elder: Elder,
    visitor: Visitor,
    visited_on: datetime.date,
    method: str,
    health: str = Assessment.NORMAL,
    finances: str = Assessment.NORMAL,
    safety: str = Assessment.NORMAL,
    needs: str = Assessment.NORMAL,
    source: str = "form",
    **details,
) -> Visit:
    """Record a visit; every urgent dimension opens a referral and alerts the county at once."""
    _ensure(user, VISIT_RECORDERS, elder.village)
    if user is not None and user.role == Role.VISITOR:
        own = getattr(user, "visitor_profile", None)
        if own is not None and own.pk != visitor.pk:
            raise ValidationError({"visitor": _("A visitor records their own visits.")})
    problems = visit_problems(
        elder=elder, visitor=visitor, visited_on=visited_on, today=timezone.localdate()
    )
    if problems:
        raise ValidationError(problems)
    _helps_validate(details.get("helps_needed", []))
    visit = Visit(
        elder=elder,
        visitor=visitor,
        visited_on=visited_on,
        method=method,
        health=health,
        finances=finances,
        safety=safety,
        needs=needs,
        source=source,
        recorded_by=user,
        **details,
    )
    visit.full_clean(exclude=["elder", "visitor", "recorded_by"], validate_unique=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        raise ValidationError(
            {
                "visited_on": _("%(visitor)s already recorded a visit to %(name)s on %(date)s.")
                % {"visitor": visitor.name, "name": elder.name, "date": visited_on.isoformat()}
            }
        ) from None
    _open_urgent_referrals(visit, user)
    return visit


# --- Referrals ---------------------------------------------------------------------------------


@transaction.atomic
def referral_open(
    *,
    user,
    elder: Elder,
    kind: str,
    description: str = "",
    visit: Visit | None = None,
    assignee: User | None = None,
    due_date: datetime.date | None = None,
) -> Referral:
    _ensure(user, VISIT_RECORDERS, elder.village)
    if visit is not None and visit.elder_id != elder.pk:
        raise ValidationError({"visit": _("The visit is of another person.")})
    if assignee is not None and not scope_covers(assignee, elder.village):
        raise ValidationError({"assignee": _("The assignee does not work in this area.")})
    referral = Referral(
        elder=elder,
        visit=visit,
        kind=kind,
        description=description,
        assignee=assignee,
        due_date=due_date or timezone.localdate() + datetime.timedelta(days=REFERRAL_DAYS),
        opened_by=user,
    )
    referral.full_clean(exclude=["elder", "visit", "assignee", "opened_by"])
    referral.save()
    return referral


# Which statuses a referral may move to from each status.
REFERRAL_TRANSITIONS = {
    ReferralStatus.OPEN: {
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.RESOLVED,
        ReferralStatus.CLOSED,
    },
    ReferralStatus.IN_PROGRESS: {ReferralStatus.RESOLVED, ReferralStatus.CLOSED},
    ReferralStatus.RESOLVED: {ReferralStatus.CLOSED, ReferralStatus.IN_PROGRESS},
    ReferralStatus.CLOSED: set(),
}


@transaction.atomic
def referral_update(
    *, user, referral: Referral, status: str, outcome: str = "", assignee: User | None = None
) -> Referral:
    _ensure(user, VISIT_RECORDERS, referral.elder.village)
    if (
        status != referral.status
        and status not in REFERRAL_TRANSITIONS[ReferralStatus(referral.status)]
    ):
        raise ValidationError(
            {
                "status": _("A %(from)s referral cannot become %(to)s.")
                % {"from": referral.get_status_display(), "to": ReferralStatus(status).label}
            }
        )
    if status in (ReferralStatus.RESOLVED, ReferralStatus.CLOSED) and not (
        outcome or referral.outcome
    ):
        raise ValidationError({"outcome": _("Say what was done before resolving or closing.")})
    referral.status = status
    if outcome:
        referral.outcome = outcome
    if assignee is not None:
        if not scope_covers(assignee, referral.elder.village):
            raise ValidationError({"assignee": _("The assignee does not work in this area.")})
        referral.assignee = assignee
    referral.closed_at = timezone.now() if status == ReferralStatus.CLOSED else None
    referral.save()
    return referral


@transaction.atomic
def visits_bulk_record(*, visits: list[Visit], user) -> int:
    """Insert already-validated visits in bulk, skipping ones already stored (same person, day
    and visitor); urgent findings open referrals and alert the county as a form entry does.

    Returns how many were inserted. Uploads and demo data use it.
    """
    if not visits:
        return 0
    elder_ids = {visit.elder_id for visit in visits}
    stored = set(
        Visit.objects.filter(elder_id__in=elder_ids).values_list(
            "elder_id", "visited_on", "visitor_id"
        )
    )
    fresh, seen = [], set()
    for visit in visits:
        key = (visit.elder_id, visit.visited_on, visit.visitor_id)
        if key in stored or key in seen:
            continue
        seen.add(key)
        visit.recorded_by = user
        fresh.append(visit)
    Visit.objects.bulk_create(fresh, batch_size=2000)
    urgent = [visit for visit in fresh if visit.urgent_dimensions()]
    if urgent:
        loaded = Visit.objects.filter(pk__in=[v.pk for v in urgent]).select_related(
            "elder", "elder__village", "visitor"
        )
        for visit in loaded:
            _open_urgent_referrals(visit, user)
    return len(fresh)
