"""Rules of the home-visit system, called alike by forms, the API, uploads and demo data."""

import contextlib
import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from psycopg.copy import QueuedLibpqWriter

from core import audit
from core.deferred import DeferredText
from core.models import Notification, Region, User
from core.regions import RegionLevel
from core.roles import Role
from core.scope import scope_covers
from core.services import audit_changes, audit_record, audit_snapshot
from core.tasks import send_notification_email
from facilities.choices import SixHelps
from visits import uploads
from visits.idcard import InvalidIdNumber, parse_id_number
from visits.models import (
    DIMENSION_MSGIDS,
    DIMENSIONS,
    AccessKind,
    Assessment,
    Elder,
    PersonalDataAccess,
    Referral,
    ReferralKind,
    ReferralStatus,
    Residence,
    UploadRowError,
    UploadStatus,
    Visit,
    Visitor,
    VisitUpload,
)
from visits.personal_data import mask_id_number, policy_for, redact_id_numbers
from visits.rules import urgent_note_message, urgent_without_note

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


ARCHIVED_ELSEWHERE = gettext_lazy(
    "This ID number cannot be archived here. If the person has moved into your area, ask the "
    "provincial civil-affairs department (the portal administrator) to transfer the archive."
)


def archive_duplicate_problem(*, user, id_number: str) -> str | None:
    """Why this (valid, normalised) number cannot be archived by this user, or None.

    Archived in the user's area: "already archived". Archived anywhere else: it cannot be
    archived here (ask for a transfer), naming neither the area nor the person, and the
    attempt goes to the personal-data access log. Every check of a new archive's number
    (form validation included) goes through here.
    """
    existing = Elder.objects.filter(id_number=id_number).select_related("village").first()
    if existing is None:
        return None
    if user is None or scope_covers(user, existing.village):
        return _("This person is already archived.")
    personal_data_log(user=user, elder=existing, kind=AccessKind.ARCHIVE_REFUSED)
    return ARCHIVED_ELSEWHERE


def elder_validate(elder: Elder, *, user=None) -> None:
    """The archive rules for a new or changed archive, all reported at once (forms use it to
    show every problem in one answer; no writes)."""
    errors: dict[str, list[str]] = {}
    if elder.pk is None and elder.id_number:
        try:
            parsed = parse_id_number(elder.id_number, today=timezone.localdate())
        except InvalidIdNumber as error:
            errors["id_number"] = [str(error)]
        else:
            duplicate = archive_duplicate_problem(user=user, id_number=parsed.number)
            if duplicate:
                errors["id_number"] = [duplicate]
    try:
        _archive_fields_validate(elder)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def elder_create(*, user, id_number: str, **fields) -> Elder:
    """Archive an older person; birth date and sex come from the ID number.

    A number archived outside the user's area is refused without naming that area or the
    person, and the attempt is written to the personal-data access log (outside the
    transaction, so the refusal keeps it).
    """
    try:
        parsed = parse_id_number(id_number, today=timezone.localdate())
    except InvalidIdNumber as error:
        raise ValidationError({"id_number": str(error)}) from None
    elder = Elder(id_number=parsed.number, birth_date=parsed.birth_date, sex=parsed.sex, **fields)
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    _archive_fields_validate(elder)
    duplicate = archive_duplicate_problem(user=user, id_number=parsed.number)
    if duplicate:
        raise ValidationError({"id_number": duplicate})
    elder.full_clean(exclude=["village", "institution", "assigned_visitor", "id_number"])
    try:
        with transaction.atomic():
            elder.save()
            audit_record(actor=user, action="create", obj=elder, after=audit_snapshot(elder))
    except IntegrityError:  # archived at the same moment by someone else, somewhere
        raise ValidationError({"id_number": ARCHIVED_ELSEWHERE}) from None
    return elder


@transaction.atomic
def elder_update(*, elder: Elder, user, **fields) -> Elder:
    """The ID number (and with it birth date and sex) is not changed here."""
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    snapshot = audit_snapshot(elder)
    for name, value in fields.items():
        setattr(elder, name, value)
    _ensure(user, ARCHIVE_EDITORS, elder.village)
    _archive_fields_validate(elder)
    elder.full_clean(exclude=["village", "institution", "assigned_visitor", "id_number"])
    elder.save()
    before, after = audit_changes(snapshot, audit_snapshot(elder))
    audit_record(actor=user, action="update", obj=elder, before=before, after=after)
    return elder


def personal_data_log(
    *,
    user,
    kind: str,
    elder: Elder | None = None,
    id_number: str = "",
    ip_address: str | None = None,
) -> PersonalDataAccess:
    """One row of the personal-data access log (who, when, whom, what, from where)."""
    return PersonalDataAccess.objects.create(
        user=user,
        elder=elder,
        kind=kind,
        id_number_masked=mask_id_number(elder.id_number if elder else id_number),
        ip_address=ip_address,
    )


def elder_reveal_id_number(*, user, elder: Elder, ip_address: str | None = None) -> str:
    """The full ID number, only for a user the masking policy lets open the full view of this
    person (their area, a role that works with people); every view is logged, with the client
    address of the current request."""
    if not policy_for(user).may_reveal(elder):
        raise PermissionDenied
    if ip_address is None:
        ip_address = audit.current().client_address
    personal_data_log(user=user, elder=elder, kind=AccessKind.DETAIL_VIEW, ip_address=ip_address)
    return elder.id_number


def elder_search_by_id_number(*, user, queryset, id_number: str, ip_address: str | None = None):
    """People of `queryset` (already scoped to the user) with exactly this ID number: a
    complete, valid number or nobody. Each search is logged like a full-ID view, found or not.
    """
    try:
        number = parse_id_number(id_number, today=timezone.localdate()).number
    except InvalidIdNumber:
        return queryset.none()
    found = list(queryset.filter(id_number=number)[:1])
    personal_data_log(
        user=user,
        kind=AccessKind.ID_SEARCH,
        elder=found[0] if found else None,
        id_number=number,
        ip_address=ip_address,
    )
    return queryset.filter(pk__in=[elder.pk for elder in found])


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


def _county_officers_by_code(county_codes: set[str]) -> dict[str, list[User]]:
    officers: dict[str, list[User]] = {}
    for officer in (
        User.objects.filter(role=Role.COUNTY_OFFICER, region__code__in=county_codes, is_active=True)
        .select_related("region")
        .order_by("id")
    ):
        officers.setdefault(officer.region.code, []).append(officer)
    return officers


def _open_urgent_referrals(visits: list[Visit], user) -> list[Referral]:
    """Every urgent dimension of these visits opens a referral; the county officers of each
    person's county get a notification per visit at once and one e-mail listing them all.

    Loaded visits come with elder, village and visitor; a handful of queries for any number.
    """
    urgent_visits = [visit for visit in visits if visit.urgent_dimensions()]
    if not urgent_visits:
        return []
    officers = _county_officers_by_code(
        {visit.elder.village.code[:6] + "000000" for visit in urgent_visits}
    )
    referrals, notifications, digests = [], [], {}
    for visit in urgent_visits:
        urgent = visit.urgent_dimensions()
        county_officers = officers.get(visit.elder.village.code[:6] + "000000", [])
        due = visit.visited_on + datetime.timedelta(days=URGENT_REFERRAL_DAYS)
        for dimension in urgent:
            referrals.append(
                Referral(
                    elder=visit.elder,
                    visit=visit,
                    kind=URGENT_REFERRAL_KIND[dimension],
                    dimension=dimension,
                    description=getattr(visit, f"{dimension}_note")
                    or visit.notes
                    or str(DIMENSIONS[dimension]),
                    assignee=county_officers[0] if county_officers else None,
                    due_date=due,
                    opened_by=user,
                )
            )
        title_text = DeferredText(
            gettext_noop("Urgent: %(name)s (%(village)s) — %(dimensions)s"),
            name=visit.elder.name,
            village=visit.elder.village.name,
            dimensions=[DeferredText(DIMENSION_MSGIDS[d]) for d in urgent],
        )
        notes = " ".join(getattr(visit, f"{d}_note") for d in urgent if getattr(visit, f"{d}_note"))
        body_text = DeferredText(
            gettext_noop("Visit of %(date)s by %(visitor)s. %(notes)s"),
            date=visit.visited_on.isoformat(),
            visitor=visit.visitor.name,
            # Free text typed by a visitor may quote an ID number: notifications and e-mails
            # carry it masked (the masking policy).
            notes=redact_id_numbers(notes or visit.notes),
        )
        title, body = str(title_text), str(body_text)
        link = reverse("visits:elder-detail", args=[visit.elder_id])
        for officer in county_officers:
            notifications.append(
                Notification(
                    user=officer,
                    title=title[:200],
                    body=body,
                    title_spec=title_text.spec,
                    body_spec=body_text.spec,
                    link=link,
                )
            )
            if officer.email:
                digests.setdefault(officer.email, []).append(f"{title}\n{body}\n{link}")
    Referral.objects.bulk_create(referrals, batch_size=2000)
    Notification.objects.bulk_create(notifications, batch_size=2000)
    if len(referrals) == 1:
        audit_record(
            actor=user, action="open_urgent", obj=referrals[0], after=audit_snapshot(referrals[0])
        )
    else:
        audit_record(
            actor=user,
            action="open_urgent",
            object_type=Referral._meta.label_lower,
            after={
                "referrals": len(referrals),
                "visits": [visit.pk for visit in urgent_visits][:200],
                "notifications": len(notifications),
            },
        )
    for email, items in digests.items():
        subject = (
            items[0].split("\n", 1)[0]
            if len(items) == 1
            else _("%(n)s urgent findings from home visits") % {"n": len(items)}
        )
        transaction.on_commit(
            lambda subject=subject, items=items, email=email: send_notification_email.delay(
                subject=subject, body="\n\n".join(items), recipients=[email]
            )
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
    client_id: uuid.UUID | None = None,
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
    assessments = {"health": health, "finances": finances, "safety": safety, "needs": needs}
    for dimension in urgent_without_note(
        assessments=assessments,
        notes={name: details.get(f"{name}_note", "") for name in assessments},
        general_note=details.get("notes", ""),
    ):
        problems[f"{dimension}_note"] = urgent_note_message()
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
        client_id=client_id,
        **details,
    )
    visit.full_clean(exclude=["elder", "visitor", "recorded_by"], validate_unique=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        if client_id is not None and Visit.objects.filter(client_id=client_id).exists():
            raise ClientIdTaken from None
        raise ValidationError(
            {
                "visited_on": _("%(visitor)s already recorded a visit to %(name)s on %(date)s.")
                % {"visitor": visitor.name, "name": elder.name, "date": visited_on.isoformat()}
            }
        ) from None
    audit_record(actor=user, action="create", obj=visit, after=audit_snapshot(visit))
    _open_urgent_referrals([visit], user)
    return visit


class ClientIdTaken(Exception):
    """Another request stored a visit under this phone-made id first."""


class IdempotencyConflict(Exception):
    """A phone-made id already names a visit with other content (the API answers 409)."""

    def __init__(self, message: str, visit: Visit | None = None):
        super().__init__(message)
        self.message = message
        self.visit = visit


# What a phone sends for one visit: the same values mean the same visit.
VISIT_CONTENT_FIELDS = (
    "visited_on",
    "method",
    "health",
    "health_note",
    "finances",
    "finances_note",
    "safety",
    "safety_note",
    "needs",
    "needs_note",
    "notes",
)


def _same_visit(visit: Visit, *, elder: Elder, visitor: Visitor, fields: dict) -> bool:
    if visit.elder_id != elder.pk or visit.visitor_id != visitor.pk:
        return False
    defaults = dict.fromkeys(DIMENSIONS, Assessment.NORMAL)
    for name in VISIT_CONTENT_FIELDS:
        sent = fields.get(name, defaults.get(name, ""))
        if getattr(visit, name) != sent:
            return False
    return sorted(visit.helps_needed or []) == sorted(fields.get("helps_needed") or [])


@transaction.atomic
def visit_record_once(
    *, user, client_id: uuid.UUID, elder: Elder, visitor: Visitor, **fields
) -> tuple[Visit, bool]:
    """Record a visit made on a phone under its phone-made id (the idempotency key).

    Returns (visit, duplicate): the same id sent again with the same content gives back the
    stored visit (no second referral, no second notification); with other content, or from
    another account, it raises IdempotencyConflict. A refused visit stores nothing, so the
    corrected one may be sent under the same id.
    """
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is None:
        try:
            visit = visit_record(
                user=user, client_id=client_id, elder=elder, visitor=visitor, **fields
            )
            return visit, False
        except ClientIdTaken:
            existing = Visit.objects.get(client_id=client_id)
    if user is None or existing.recorded_by_id != user.pk:
        # Never say what another account stored under this id.
        raise IdempotencyConflict(
            _("This phone-made id (%(key)s) is already used by another visit.") % {"key": client_id}
        )
    if _same_visit(existing, elder=elder, visitor=visitor, fields=fields):
        return existing, True
    raise IdempotencyConflict(
        _(
            "This phone-made id (%(key)s) is already used for another visit with different "
            "content (visit of %(name)s on %(date)s). Record the changed visit as a new one."
        )
        % {"key": client_id, "name": existing.elder.name, "date": existing.visited_on.isoformat()},
        visit=existing,
    )


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
    audit_record(actor=user, action="create", obj=referral, after=audit_snapshot(referral))
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
    snapshot = audit_snapshot(referral)
    referral.status = status
    if outcome:
        referral.outcome = outcome
    if assignee is not None:
        if not scope_covers(assignee, referral.elder.village):
            raise ValidationError({"assignee": _("The assignee does not work in this area.")})
        referral.assignee = assignee
    referral.closed_at = timezone.now() if status == ReferralStatus.CLOSED else None
    referral.save()
    before, after = audit_changes(snapshot, audit_snapshot(referral))
    audit_record(actor=user, action="update", obj=referral, before=before, after=after)
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
    audit_record(
        actor=user,
        action="bulk_create",
        object_type=Visit._meta.label_lower,
        after={"given": len(visits), "inserted": len(fresh), "skipped": len(visits) - len(fresh)},
    )
    urgent = [visit for visit in fresh if visit.urgent_dimensions()]
    if urgent:
        loaded = Visit.objects.filter(pk__in=[v.pk for v in urgent]).select_related(
            "elder", "elder__village", "visitor"
        )
        _open_urgent_referrals(list(loaded), user)
    return len(fresh)


# --- Visit-log uploads -------------------------------------------------------------------------

UPLOADERS = ARCHIVE_EDITORS


def upload_create(*, user, uploaded_file) -> VisitUpload:
    """Check the file as a whole at once (size, real format, zip bombs, readable header), store
    it, and queue the row-by-row validation. A rejected file leaves nothing behind."""
    from visits.tasks import validate_upload_task

    if user.is_read_only or not (user.is_superuser or user.role in UPLOADERS):
        raise PermissionDenied(_("Your role may not upload visit logs."))
    if user.region is None:
        raise PermissionDenied(_("Your account has no region."))
    name = uploaded_file.name or "upload"
    if uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("%(name)s is %(size)s MB; the limit is %(max)s MB.")
                % {
                    "name": name,
                    "size": uploaded_file.size // 1_000_000,
                    "max": settings.UPLOAD_MAX_BYTES // 1_000_000,
                }
            }
        )
    raw = uploaded_file.read()
    try:
        file_format = uploads.detect_format(name, raw[:8192])
        header, _rows = uploads.read_rows(raw, file_format)
        uploads.map_header(header)
    except uploads.FileRejected as error:
        raise ValidationError({"file": str(error)}) from None
    upload = VisitUpload(
        uploader=user,
        region=user.region,
        # Everyone who may read the upload sees its name: an ID number in it is kept masked.
        original_name=redact_id_numbers(name)[:255],
        file_format=file_format,
        file_size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    upload.file.save(f"visits-{uuid.uuid4().hex}.{file_format}", ContentFile(raw), save=False)
    with transaction.atomic():
        upload.save()
        audit_record(
            actor=user,
            action="upload",
            obj=upload,
            after=audit_snapshot(
                upload,
                fields={"original_name", "file_format", "file_size", "sha256", "region", "status"},
            ),
        )
        transaction.on_commit(lambda: validate_upload_task.delay(upload.pk))
    return upload


def _run_validation(upload, progress=None, sink=None):
    raw = upload.file.open("rb").read()
    upload.file.close()
    header, rows = uploads.read_rows(raw, upload.file_format)
    lookups = uploads.ScopeLookups(user=upload.uploader, region=upload.region)
    return uploads.validate_rows(
        header=header,
        rows=rows,
        lookups=lookups,
        max_rows=settings.UPLOAD_MAX_ROWS,
        progress=progress,
        sink=sink or _CountOnly(),
    )


class _CountOnly:
    """The preview keeps no rows, only counts them."""

    def start(self, elder_ids):
        pass

    def add(self, clean):
        pass


def upload_validate(*, upload_id: int) -> VisitUpload:
    """First pass: check every row, keep the problems, then wait for the officer to confirm."""
    upload = VisitUpload.objects.select_related("uploader", "region").get(pk=upload_id)
    if upload.status not in (UploadStatus.QUEUED, UploadStatus.VALIDATING):
        return upload
    VisitUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.VALIDATING)

    def progress(done, total):
        VisitUpload.objects.filter(pk=upload.pk).update(processed_rows=done, total_rows=total)

    try:
        outcome = _run_validation(upload, progress)
    except uploads.FileRejected as error:
        with transaction.atomic():
            VisitUpload.objects.filter(pk=upload.pk).update(
                status=UploadStatus.FAILED,
                message=redact_id_numbers(str(error)),
                finished_at=timezone.now(),
            )
            audit_record(
                actor=upload.uploader,
                action="validate",
                obj=upload,
                before={"status": upload.status},
                after={
                    "status": UploadStatus.FAILED,
                    "message": redact_id_numbers(str(error))[:300],
                },
            )
        upload.refresh_from_db()
        return upload
    with transaction.atomic():
        UploadRowError.objects.filter(upload=upload).delete()
        UploadRowError.objects.bulk_create(
            [
                UploadRowError(
                    upload=upload,
                    row=p.row,
                    column=p.column[:50],
                    value=p.value[:300],
                    message=str(p.message)[:300],
                    message_spec=getattr(p.message, "spec", None),
                )
                for p in outcome.problems
            ],
            batch_size=5000,
        )
        VisitUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.AWAITING_CONFIRMATION,
            total_rows=outcome.total_rows,
            processed_rows=outcome.total_rows,
            valid_rows=outcome.valid_rows,
            rejected_rows=outcome.rejected_rows,
            validated_at=timezone.now(),
            message="",
        )
        audit_record(
            actor=upload.uploader,
            action="validate",
            obj=upload,
            before={"status": upload.status},
            after={
                "status": UploadStatus.AWAITING_CONFIRMATION,
                "total_rows": outcome.total_rows,
                "valid_rows": outcome.valid_rows,
                "rejected_rows": outcome.rejected_rows,
            },
        )
    upload.refresh_from_db()
    return upload


def _ensure_upload_owner(user, upload) -> None:
    if user is None:
        return
    if not (
        user.is_superuser
        or user.pk == upload.uploader_id
        or (user.role in UPLOADERS and scope_covers(user, upload.region))
    ):
        raise PermissionDenied(_("This upload is not yours."))


def upload_confirm(*, user, upload) -> VisitUpload:
    """Import the valid rows (again after a failed import: the upload can be retried)."""
    from visits.tasks import import_upload_task

    _ensure_upload_owner(user, upload)
    with transaction.atomic():
        locked = VisitUpload.objects.select_for_update().get(pk=upload.pk)
        # A failed import, or one whose worker died, may be confirmed again: the import is
        # one transaction and skips rows already stored, so running it twice is harmless.
        retry = locked.validated_at is not None and locked.status in (
            UploadStatus.FAILED,
            UploadStatus.IMPORTING,
        )
        if locked.status != UploadStatus.AWAITING_CONFIRMATION and not retry:
            raise ValidationError(
                _("This upload is %(status)s; only a validated upload can be imported.")
                % {"status": locked.get_status_display()}
            )
        before = {"status": locked.status}
        locked.status = UploadStatus.IMPORTING
        locked.message = ""
        locked.save(update_fields=["status", "message"])
        audit_record(
            actor=user,
            action="confirm",
            obj=locked,
            before=before,
            after={"status": locked.status, "retry": retry},
        )
        actor_id = user.pk if user is not None else None
        transaction.on_commit(lambda: import_upload_task.delay(locked.pk, actor_id=actor_id))
    return locked


@transaction.atomic
def upload_cancel(*, user, upload) -> VisitUpload:
    _ensure_upload_owner(user, upload)
    if upload.status != UploadStatus.AWAITING_CONFIRMATION:
        raise ValidationError(_("Only an upload awaiting confirmation can be cancelled."))
    before = {"status": upload.status}
    upload.status = UploadStatus.CANCELLED
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "finished_at"])
    audit_record(
        actor=user, action="cancel", obj=upload, before=before, after={"status": upload.status}
    )
    return upload


def upload_import(*, upload_id: int, actor_id: int | None = None) -> VisitUpload:
    """Second pass: validate again (the archives may have changed) and insert every valid row
    in one transaction: all of them or, if anything fails, none; duplicates are skipped.

    `actor_id` is the user who confirmed the import (the audit row's actor; the uploader when
    not given). The visits are recorded as the uploader's."""
    upload = VisitUpload.objects.select_related("uploader", "region").get(pk=upload_id)
    if upload.status != UploadStatus.IMPORTING:
        return upload
    actor = User.objects.filter(pk=actor_id).first() if actor_id else upload.uploader
    try:
        with transaction.atomic():
            sink = VisitSink(upload=upload, user=upload.uploader)
            outcome = _run_validation(upload, sink=sink)
            inserted = sink.finish()
            counts = {
                "status": UploadStatus.DONE,
                "imported_rows": inserted,
                "duplicate_rows": outcome.valid_rows - inserted,
                "valid_rows": outcome.valid_rows,
                "rejected_rows": outcome.rejected_rows,
            }
            VisitUpload.objects.filter(pk=upload.pk).update(**counts, finished_at=timezone.now())
            audit_record(
                actor=actor,
                action="import",
                obj=upload,
                before={"status": UploadStatus.IMPORTING},
                after=counts,
            )
    except Exception as error:
        message = _("The import stopped and nothing was imported; try again. (%(error)s)") % {
            "error": redact_id_numbers(str(error))[:200]
        }
        with transaction.atomic():
            VisitUpload.objects.filter(pk=upload.pk).update(
                status=UploadStatus.FAILED, message=message
            )
            audit_record(
                actor=actor,
                action="import",
                obj=upload,
                before={"status": UploadStatus.IMPORTING},
                after={"status": UploadStatus.FAILED, "message": message[:300]},
            )
        raise
    upload.refresh_from_db()
    return upload


# Visit imports take this PostgreSQL advisory lock for their transaction, so that two imports
# never insert the same visit between one's duplicate check and its COPY.
IMPORT_LOCK_KEY = 7_424_001
COPY_COLUMNS = (
    "elder_id",
    "visitor_id",
    "visited_on",
    "method",
    "health",
    "health_note",
    "finances",
    "finances_note",
    "safety",
    "safety_note",
    "needs",
    "needs_note",
    "helps_needed",
    "notes",
    "source",
    "upload_id",
    "recorded_by_id",
    "created_at",
)
COPY_BATCH = 5000


def _copy_text(value: str) -> str:
    """A value in COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


class VisitSink:
    """Receives validated rows and inserts the ones not stored yet (same person, day and
    visitor), then opens the referrals of the urgent ones. Must run inside a transaction.

    PostgreSQL: under an import lock, the stored keys of the file's people are read once,
    then the new rows stream into the table by COPY while validation goes on, so the server
    indexes rows while Python checks the next ones. Elsewhere: bulk_create at the end.
    """

    def __init__(self, *, upload, user):
        self.upload, self.user = upload, user
        self.inserted = 0
        self.seen: set = set()
        self.pending: list = []
        self.stack = contextlib.ExitStack()
        self.copy = None
        self.postgres = connection.vendor == "postgresql"
        self.dates: dict = {}

    def start(self, elder_ids) -> None:
        elder_ids = list(elder_ids)
        if not self.postgres:
            self.seen = set(
                Visit.objects.filter(elder__id__any_of=elder_ids).values_list(
                    "elder_id", "visited_on", "visitor_id"
                )
            )
            return
        table = Visit._meta.db_table
        cursor = self.stack.enter_context(connection.cursor())
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        cursor.execute(
            f"SELECT elder_id, visited_on, visitor_id FROM {table} WHERE elder_id = ANY(%s)",
            [elder_ids],
        )
        self.seen = set(cursor.fetchall())
        # A writer thread sends the rows, so Python goes on validating while the server takes
        # in and indexes the rows already sent (psycopg's own cursor: Django's wrapper does
        # not pass `writer` on).
        raw_cursor = cursor.cursor
        self.copy = self.stack.enter_context(
            raw_cursor.copy(
                f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN",
                writer=QueuedLibpqWriter(raw_cursor),
            )
        )
        recorded_by = str(self.user.pk) if self.user else "\\N"  # \N is COPY's NULL
        self.tail = f"\tupload\t{self.upload.pk}\t{recorded_by}\t{timezone.now().isoformat()}\n"

    def add(self, c) -> None:
        key = (c.elder_id, c.visited_on, c.visitor_id)
        if key in self.seen:
            return
        self.seen.add(key)
        self.inserted += 1
        if not self.postgres:
            self.pending.append(c)
            return
        day = self.dates.get(c.visited_on)
        if day is None:
            day = self.dates[c.visited_on] = c.visited_on.isoformat()
        helps = '["' + '", "'.join(c.helps) + '"]' if c.helps else "[]"
        notes = _copy_text(c.notes) if c.notes else ""
        self.pending.append(
            f"{c.elder_id}\t{c.visitor_id}\t{day}\t{c.method}\t{c.health}\t\t{c.finances}\t\t"
            f"{c.safety}\t\t{c.needs}\t\t{helps}\t{notes}{self.tail}"
        )
        if len(self.pending) >= COPY_BATCH:
            self.copy.write("".join(self.pending))
            self.pending = []

    def finish(self) -> int:
        if self.postgres:
            if self.copy is not None and self.pending:
                self.copy.write("".join(self.pending))
            self.stack.close()
        elif self.pending:
            Visit.objects.bulk_create(
                [
                    Visit(
                        elder_id=c.elder_id,
                        visitor_id=c.visitor_id,
                        visited_on=c.visited_on,
                        method=c.method,
                        health=c.health,
                        finances=c.finances,
                        safety=c.safety,
                        needs=c.needs,
                        helps_needed=c.helps,
                        notes=c.notes,
                        source="upload",
                        upload=self.upload,
                        recorded_by=self.user,
                    )
                    for c in self.pending
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
        self.pending = []
        urgent = Q()
        for dimension in DIMENSIONS:
            urgent |= Q(**{dimension: Assessment.URGENT})
        loaded = list(
            Visit.objects.filter(upload=self.upload)
            .filter(urgent)
            .filter(referrals__isnull=True)
            .select_related("elder", "elder__village", "visitor")
        )
        _open_urgent_referrals(loaded, self.user)
        return self.inserted
