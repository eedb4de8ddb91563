"""State changes of the core: the region hierarchy and accounts."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import DatasetGrant, Region, User
from core.regions import InvalidRegionCode, RegionLevel, expected_parent_code, level_of_code
from core.roles import Role
from core.text import decode_spreadsheet_text

# Accepted headers (English or Chinese) -> field.
REGION_HEADERS = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "name": "name",
    "名称": "name",
    "parent_code": "parent_code",
    "上级代码": "parent_code",
    "is_urban": "is_urban",
    "城乡": "is_urban",
    "是否城镇": "is_urban",
    "longitude": "longitude",
    "经度": "longitude",
    "latitude": "latitude",
    "纬度": "latitude",
}
REQUIRED_REGION_COLUMNS = ("code", "name", "parent_code", "is_urban")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "城镇", "城市", "urban"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "乡村", "农村", "rural", ""}
IMPORTABLE_LEVELS = {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE}
BULK_BATCH = 2000


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str

    def __str__(self):
        return _("line %(line)s, column %(column)s (%(value)s): %(message)s") % {
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class RegionImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class RegionImportResult:
    created: int = 0
    updated: int = 0
    rows: int = 0
    by_level: dict = field(default_factory=dict)


def decode_text(raw: bytes) -> str:
    text = decode_spreadsheet_text(raw)
    if text is not None:
        return text
    raise RegionImportError(
        [RowError(0, "-", "-", _("the file is neither UTF-8 nor GB18030 text"))]
    )


def _parse_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    return None


def _parse_coordinate(value: str, low: int, high: int) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    number = Decimal(value)  # InvalidOperation handled by the caller
    if not low <= number <= high:
        raise InvalidOperation
    return number.quantize(Decimal("0.000001"))


def regions_import_csv(*, raw: bytes, user=None) -> RegionImportResult:
    """Load townships and villages; any bad row means nothing is written and every error is told.

    Rows may come in any order; a parent may be an existing region or another row of the file.
    Existing codes are updated in place, so re-importing a file is harmless.
    """
    reader = csv.reader(io.StringIO(decode_text(raw)))
    try:
        header = next(reader)
    except StopIteration:
        raise RegionImportError([RowError(1, "-", "-", _("the file is empty"))]) from None
    columns = {}
    for index, title in enumerate(header):
        key = REGION_HEADERS.get(title.strip().lower()) or REGION_HEADERS.get(title.strip())
        if key:
            columns[key] = index
    missing = [name for name in REQUIRED_REGION_COLUMNS if name not in columns]
    if missing:
        raise RegionImportError(
            [RowError(1, name, "", _("required column is missing")) for name in missing]
        )

    errors: list[RowError] = []
    parsed: dict[str, dict] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code, name, parent_code = cell("code"), cell("name"), cell("parent_code")
        row_errors = []
        level = None
        try:
            level = level_of_code(code)
        except InvalidRegionCode as error:
            row_errors.append(RowError(line, "code", code, str(error)))
        if level is not None and level not in IMPORTABLE_LEVELS:
            row_errors.append(
                RowError(line, "code", code, _("only townships and villages can be imported"))
            )
            level = None
        if code in parsed:
            row_errors.append(
                RowError(
                    line,
                    "code",
                    code,
                    _("duplicate code, first seen on line %(line)s")
                    % {"line": parsed[code]["line"]},
                )
            )
        if not name:
            row_errors.append(RowError(line, "name", name, _("the name is required")))
        elif len(name) > 100:
            row_errors.append(
                RowError(line, "name", name, _("the name is longer than 100 characters"))
            )
        if level is not None:
            expected = expected_parent_code(code, level)
            if parent_code != expected:
                row_errors.append(
                    RowError(
                        line,
                        "parent_code",
                        parent_code,
                        _("the parent of %(code)s must be %(expected)s")
                        % {"code": code, "expected": expected},
                    )
                )
        is_urban = _parse_bool(cell("is_urban"))
        if is_urban is None:
            row_errors.append(
                RowError(line, "is_urban", cell("is_urban"), _("use 1/0, true/false or 是/否"))
            )
        coordinates = {}
        for column, low, high in (("longitude", -180, 180), ("latitude", -90, 90)):
            try:
                coordinates[column] = _parse_coordinate(cell(column), low, high)
            except InvalidOperation:
                row_errors.append(RowError(line, column, cell(column), _("not a valid coordinate")))
        errors.extend(row_errors)
        if not row_errors:
            parsed[code] = {
                "line": line,
                "code": code,
                "name": name,
                "level": level,
                "parent_code": parent_code,
                "is_urban": is_urban,
                **coordinates,
            }

    parent_codes = {row["parent_code"] for row in parsed.values()}
    existing_parents = set(
        Region.objects.filter(code__in=parent_codes).values_list("code", flat=True)
    )
    for row in parsed.values():
        if row["parent_code"] not in existing_parents and row["parent_code"] not in parsed:
            errors.append(
                RowError(
                    row["line"],
                    "parent_code",
                    row["parent_code"],
                    _("the parent region does not exist (neither stored nor in this file)"),
                )
            )
    if errors:
        errors.sort(key=lambda error: error.line)
        raise RegionImportError(errors)
    if not parsed:
        raise RegionImportError([RowError(2, "-", "-", _("the file has no data rows"))])
    return _write_regions(list(parsed.values()), user=user)


@transaction.atomic
def _write_regions(rows: list[dict], *, user=None) -> RegionImportResult:
    result = RegionImportResult(rows=len(rows))
    existing = {
        region.code: region for region in Region.objects.filter(code__in=[r["code"] for r in rows])
    }
    for level in (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        level_rows = [row for row in rows if row["level"] == level]
        if not level_rows:
            continue
        parent_ids = dict(
            Region.objects.filter(code__in={row["parent_code"] for row in level_rows}).values_list(
                "code", "id"
            )
        )
        to_create, to_update = [], []
        for row in level_rows:
            values = {
                "name": row["name"],
                "is_urban": row["is_urban"],
                "longitude": row["longitude"],
                "latitude": row["latitude"],
            }
            region = existing.get(row["code"])
            if region is None:
                to_create.append(
                    Region(
                        code=row["code"],
                        level=level,
                        parent_id=parent_ids[row["parent_code"]],
                        **values,
                    )
                )
            else:
                for key, value in values.items():
                    setattr(region, key, value)
                to_update.append(region)
        Region.objects.bulk_create(to_create, batch_size=BULK_BATCH)
        Region.objects.bulk_update(
            to_update, ["name", "is_urban", "longitude", "latitude"], batch_size=BULK_BATCH
        )
        result.created += len(to_create)
        result.updated += len(to_update)
        result.by_level[level] = len(level_rows)
    audit_record(
        actor=user,
        action="import",
        object_type=Region._meta.label_lower,
        after={
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "by_level": {str(level): count for level, count in result.by_level.items()},
        },
    )
    return result


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    region: Region | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    datasets: list[str] | None = None,
    is_staff: bool | None = None,
    actor: User | None = None,
) -> User:
    """Create an account whose role fits its region level; administrators get the Django admin."""
    user = User(
        username=username,
        role=role,
        region=region,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=(role == Role.PROVINCIAL_ADMIN) if is_staff is None else is_staff,
        is_superuser=role == Role.PROVINCIAL_ADMIN,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    if datasets:
        if role != Role.PARTNER:
            raise ValidationError({"datasets": _("Only partner departments get dataset grants.")})
        DatasetGrant.objects.bulk_create(
            [DatasetGrant(user=user, dataset=dataset) for dataset in datasets]
        )
    after = audit_snapshot(user, fields={"username", "role", "region", "is_staff", "is_superuser"})
    after.update(first_name=first_name, last_name=last_name, datasets=sorted(datasets or []))
    audit_record(actor=actor, action="create", obj=user, before=None, after=after)
    return user


# Fields never copied into an audit row (secrets, and the personal number itself).
AUDIT_EXCLUDED_FIELDS = {"password", "id_number"}


def _json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file field
        return value.name or ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = value.astimezone(datetime.UTC)  # one instant, one text, whatever the zone
    return str(value)  # Decimal, date, datetime, UUID: their exact text


def audit_snapshot(obj, *, fields=None) -> dict:
    """The object's concrete fields as JSON-safe values (foreign keys as ids, decimals and dates
    as text), by field name; the primary key, `updated_at` stamps and excluded fields left out."""
    data = {}
    for model_field in obj._meta.concrete_fields:
        if model_field.primary_key or model_field.name in AUDIT_EXCLUDED_FIELDS:
            continue
        if getattr(model_field, "auto_now", False):  # the entry's own time says when
            continue
        if fields is not None and model_field.name not in fields:
            continue
        data[model_field.name] = _json_value(model_field.value_from_object(obj))
    return data


def audit_changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only what changed, before and after."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str | None = None,
    object_id: str = "",
    object_repr: str | None = None,
):
    """Write the audit row in the caller's transaction (it stands or falls with the change).

    `obj` is the object changed; a batch (imports, bulk inserts) passes `object_type` instead,
    with counts in `after`. The request id and client address come from the current request
    (core.audit), or from the task's message when a Celery worker runs the service.
    """
    from core import audit
    from core.models import AuditEntry

    context = audit.current()
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = "" if obj.pk is None else str(obj.pk)
        if object_repr is None:
            object_repr = str(obj)
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        object_repr=(object_repr or "")[:200],
        before=_json_value(before),
        after=_json_value(after),
        request_id=context.request_id,
        client_address=context.client_address,
    )
