"""Reads of the audit trail as people read it: field labels, choice labels, names and amounts
in the reader's language, and a correction (an adjusting entry) shown as an entry of its own.

Generic over the models (through the app registry): the core imports no domain app. Used by the
audit-log page and the allocation page (template `core/_audit_rows.html`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import AuditEntry, User

EMPTY = "—"

# Action codes -> what the reader sees (unknown codes are shown as they are).
ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Edited"),
    "adjust": gettext_lazy("Correction"),
    "approved": gettext_lazy("Approved"),
    "disbursed": gettext_lazy("Disbursed"),
    "settled": gettext_lazy("Settled"),
    "import": gettext_lazy("Imported"),
    "bulk_create": gettext_lazy("Created in bulk"),
    "draw": gettext_lazy("Inspections drawn"),
    "record_result": gettext_lazy("Inspection result recorded"),
    "rectified": gettext_lazy("Rectification closed"),
    "open_urgent": gettext_lazy("Urgent referrals opened"),
    "upload": gettext_lazy("File uploaded"),
    "validate": gettext_lazy("File validated"),
    "confirm": gettext_lazy("Import confirmed"),
    "cancel": gettext_lazy("Cancelled"),
    "admin_create": gettext_lazy("Created in the admin"),
    "admin_change": gettext_lazy("Changed in the admin"),
    "admin_delete": gettext_lazy("Deleted in the admin"),
}

# Keys of batch entries (counts), which are not model fields.
COUNT_LABELS = {
    "rows": gettext_lazy("rows"),
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "by_level": gettext_lazy("by level"),
    "given": gettext_lazy("given"),
    "inserted": gettext_lazy("inserted"),
    "skipped": gettext_lazy("skipped (already stored)"),
    "facilities": gettext_lazy("facilities"),
    "capacity_records": gettext_lazy("capacity records"),
    "candidates": gettext_lazy("candidates"),
    "inspections": gettext_lazy("inspections"),
    "referrals": gettext_lazy("referrals"),
    "visits": gettext_lazy("visits"),
    "notifications": gettext_lazy("notifications"),
    "total_rows": gettext_lazy("rows"),
    "valid_rows": gettext_lazy("valid rows"),
    "rejected_rows": gettext_lazy("rejected rows"),
    "imported_rows": gettext_lazy("imported rows"),
    "duplicate_rows": gettext_lazy("duplicates"),
    "retry": gettext_lazy("retry"),
    "datasets": gettext_lazy("datasets"),
    "message": gettext_lazy("message"),
}


@dataclass
class Change:
    label: str
    before: str | None  # None: a value set at creation (no "before")
    after: str


@dataclass
class Correction:
    """An adjusting entry: its amount and purpose, the adjustment and the original it corrects."""

    amount: str
    purpose: str
    adjustment_id: str
    adjustment_url: str | None
    original_id: str
    original_url: str | None


@dataclass
class TrailRow:
    entry: AuditEntry
    action: str
    actor: str
    object_label: str
    object_url: str | None
    changes: list[Change] = field(default_factory=list)
    correction: Correction | None = None
    other_object: bool = False  # shown on another object's trail (an adjustment's own steps)
    corrects_subject: bool = False  # a correction of the object whose trail this is


def user_display_name(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.username


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model else object_type


def object_type_choices() -> list[tuple[str, str]]:
    """The object types present in the trail, labelled (one DISTINCT query)."""
    types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True)
    return [(value, object_type_label(value)) for value in types.distinct()]


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a count or an extra key
        return None
    # A batch entry's count may share its name with a reverse relation ("visits"): a count.
    return field if getattr(field, "concrete", False) else None


def _pk(value):
    return value if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None


class _Names:
    """Names of the objects entries refer to, loaded in one query per model."""

    def __init__(self):
        self.wanted: dict[type, set] = {}
        self.loaded: dict[type, dict] = {}

    def want(self, model, pk):
        if model is not None and _pk(pk) is not None:
            self.wanted.setdefault(model, set()).add(int(pk))

    def load(self):
        for model, pks in self.wanted.items():
            self.loaded[model] = model._default_manager.in_bulk(pks)

    def get(self, model, pk):
        return self.loaded.get(model, {}).get(int(pk)) if _pk(pk) is not None else None


def _format(model_field, value, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if model_field is None:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, dict):
            return "、".join(f"{key}: {item}" for key, item in value.items())
        if isinstance(value, list):
            return "、".join(str(item) for item in value)
        return str(value)
    if model_field.is_relation and model_field.many_to_one:
        related = names.get(model_field.related_model, value)
        if related is None:
            return f"#{value}"
        return user_display_name(related) if isinstance(related, User) else str(related)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DecimalField):
        try:
            return f"{Decimal(value):,.{model_field.decimal_places}f}"
        except (InvalidOperation, TypeError, ValueError):
            return str(value)
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "Y-m-d H:i")
    if isinstance(model_field, models.DateField) and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            return value
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _label(model_field, key: str) -> str:
    if model_field is not None:
        return str(model_field.verbose_name)
    return str(COUNT_LABELS.get(key, key))


def _url(obj) -> str | None:
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if get_url else None


def _in_field_order(model, values: dict):
    """The items in the model's field order (JSON columns do not keep the order written)."""
    order = {f.name: n for n, f in enumerate(model._meta.fields)} if model is not None else {}
    return sorted(values.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def audit_trail_rows(entries, *, subject=None) -> list[TrailRow]:
    """The entries as readable rows. `subject` is the object whose page shows the trail: entries
    of other objects shown there (an adjustment's) are marked, and a correction of the subject
    reads as its own entry, linked, never as a change of the subject."""
    entries = list(entries)
    names = _Names()
    objects = _Names()
    for entry in entries:
        model = _model(entry.object_type)
        objects.want(model, entry.object_id)
        for values in (entry.before or {}, entry.after or {}):
            if not isinstance(values, dict):
                continue
            for key, value in values.items():
                model_field = _field(model, key)
                if model_field is not None and model_field.is_relation and model_field.many_to_one:
                    names.want(model_field.related_model, value)
    names.load()
    objects.load()
    subject_key = (subject._meta.label_lower, str(subject.pk)) if subject is not None else None

    rows = []
    for entry in entries:
        model = _model(entry.object_type)
        obj = objects.get(model, entry.object_id)
        label = object_type_label(entry.object_type)
        if entry.object_id:
            label = f"{label} {entry.object_repr or '#' + entry.object_id}"
        row = TrailRow(
            entry=entry,
            action=action_label(entry.action),
            actor=user_display_name(entry.actor),
            object_label=label,
            object_url=_url(obj) if obj is not None else None,
            other_object=subject_key is not None
            and subject_key != (entry.object_type, entry.object_id),
        )
        before = entry.before if isinstance(entry.before, dict) else None
        after = entry.after if isinstance(entry.after, dict) else {}
        if (
            row.other_object
            and obj is not None
            and subject is not None
            and getattr(obj, "adjusts_id", None) == subject.pk
        ):
            row.object_label = _("adjusting entry #%(id)s") % {"id": entry.object_id}
        if entry.action == "adjust" and _field(model, "adjusts") is not None:
            original = names.get(model, after.get("adjusts")) or objects.get(
                model, after.get("adjusts")
            )
            row.correction = Correction(
                amount=_format(_field(model, "amount"), after.get("amount"), names),
                purpose=after.get("purpose") or "",
                adjustment_id=entry.object_id,
                adjustment_url=row.object_url,
                original_id=str(after.get("adjusts") or ""),
                original_url=_url(original) if original is not None else None,
            )
            row.corrects_subject = subject_key == (entry.object_type, row.correction.original_id)
            rows.append(row)
            continue
        if not after and before:  # a deletion: what the object was
            for key, value in _in_field_order(model, before):
                if value not in (None, "", [], {}, False):
                    model_field = _field(model, key)
                    row.changes.append(
                        Change(_label(model_field, key), _format(model_field, value, names), EMPTY)
                    )
        for key, value in _in_field_order(model, after):
            model_field = _field(model, key)
            if before is not None:
                if before.get(key) == value:
                    continue
                row.changes.append(
                    Change(
                        _label(model_field, key),
                        _format(model_field, before.get(key), names),
                        _format(model_field, value, names),
                    )
                )
            elif value not in (None, "", [], {}, False):
                row.changes.append(
                    Change(_label(model_field, key), None, _format(model_field, value, names))
                )
        rows.append(row)
    return rows
