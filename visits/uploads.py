"""Reading and validating visit-log files (XLSX and CSV) fast, row by row, with exact errors.

One pass over the rows: cells are normalised with small caches (dates, enumerations), people
and visitors are looked up in dictionaries loaded with a few queries, and every problem is
reported with its row, column, value and a message in the active language.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.deferred import DeferredText as T
from core.models import Region
from core.text import decode_spreadsheet_text
from visits.idcard import InvalidIdNumber, parse_id_number
from visits.models import DIMENSIONS, Elder, Residence, Visitor
from visits.rules import URGENT_NOTE_MSGID, urgent_without_note

# Columns: key -> (Chinese header, English header, required)
COLUMNS = {
    "id_number": ("身份证号", "id_number", True),
    "name": ("姓名", "name", True),
    "visit_date": ("巡访日期", "visit_date", True),
    "visitor": ("巡访人员", "visitor", True),
    "visitor_phone": ("巡访人员电话", "visitor_phone", False),
    "method": ("巡访方式", "method", True),
    "health": ("身体状况", "health", True),
    "finances": ("经济状况", "finances", True),
    "safety": ("安全状况", "safety", True),
    "needs": ("需求状况", "needs", True),
    "help_needed": ("服务需求", "help_needed", False),
    "notes": ("备注", "notes", False),
}
HEADER_LOOKUP = {}
for _key, (_zh, _en, _required) in COLUMNS.items():
    HEADER_LOOKUP[_zh] = _key
    HEADER_LOOKUP[_en] = _key
REQUIRED = [key for key, (_zh, _en, required) in COLUMNS.items() if required]

METHODS = {
    "入户": "in_person",
    "上门": "in_person",
    "in_person": "in_person",
    "in person": "in_person",
    "电话": "phone",
    "phone": "phone",
    "视频": "video",
    "video": "video",
}
ASSESSMENTS = {
    "正常": "normal",
    "normal": "normal",
    "关注": "attention",
    "需关注": "attention",
    "attention": "attention",
    "紧急": "urgent",
    "urgent": "urgent",
}
HELPS = {
    "助洁": "cleaning",
    "cleaning": "cleaning",
    "助餐": "meals",
    "meals": "meals",
    "助浴": "bathing",
    "bathing": "bathing",
    "助医": "medical",
    "medical": "medical",
    "助行": "mobility",
    "mobility": "mobility",
    "助急": "emergency",
    "emergency": "emergency",
}
HELP_SEPARATORS = re.compile(r"[、,，;；\s]+")
DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
]
EXCEL_EPOCH = datetime.date(1899, 12, 30)
LOOKUP_CHUNK = 20000


class FileRejected(Exception):
    """The file as a whole cannot be read: nothing is stored."""


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    message: str


@dataclass
class CleanVisit:
    row: int
    elder_id: int
    visitor_id: int
    visited_on: datetime.date
    method: str
    health: str
    finances: str
    safety: str
    needs: str
    helps: list
    notes: str


@dataclass
class ValidationOutcome:
    total_rows: int = 0
    valid_rows: int = 0
    clean: list[CleanVisit] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.problems})


# --- Reading files ------------------------------------------------------------------------------


def detect_format(name: str, head: bytes) -> str:
    """The real format from the content (a renamed file is caught), checked against the name."""
    is_zip = head.startswith(b"PK\x03\x04")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not is_zip:
            raise FileRejected(_("%(name)s is not a real Excel .xlsx file.") % {"name": name})
        return "xlsx"
    if lower.endswith(".csv") or lower.endswith(".txt"):
        if is_zip or b"\x00" in head[:4096]:
            raise FileRejected(_("%(name)s is not a text CSV file.") % {"name": name})
        return "csv"
    raise FileRejected(_("Upload an .xlsx or .csv file (not %(name)s).") % {"name": name})


def decode_csv(raw: bytes) -> str:
    text = decode_spreadsheet_text(raw)
    if text is None:
        raise FileRejected(
            _("The file is neither UTF-8 nor GB18030 text; save it again as CSV or XLSX.")
        )
    return text


def check_xlsx_container(raw: bytes) -> None:
    """Refuse broken archives and zip bombs before any spreadsheet code opens them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise FileRejected(_("The .xlsx file is damaged or not a spreadsheet.")) from None
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRejected(_("The .xlsx file is not an Excel workbook."))
    unpacked = sum(info.file_size for info in archive.infolist())
    limit = settings.UPLOAD_MAX_UNPACKED_BYTES
    if unpacked > limit or unpacked > 200 * max(len(raw), 1):
        raise FileRejected(
            _("The .xlsx file unpacks to %(size)s MB, more than a visit log can be.")
            % {"size": unpacked // 1_000_000}
        )


def _is_header(cells) -> bool:
    keys = {HEADER_LOOKUP.get(str(c).strip()) for c in cells if c is not None}
    return sum(1 for key in REQUIRED if key in keys) >= len(REQUIRED) // 2


def read_rows(raw: bytes, file_format: str) -> tuple[list, Iterator[tuple[int, list]]]:
    """The header cells and an iterator of (row number, cells) for the data rows."""
    if file_format == "csv":
        text = decode_csv(raw)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            raise FileRejected(_("The file is empty.")) from None
        except csv.Error as error:
            raise FileRejected(_("The CSV cannot be read: %(e)s") % {"e": error}) from None
        return header, ((number, row) for number, row in enumerate(reader, start=2))
    check_xlsx_container(raw)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception:  # calamine raises its own error types for broken workbooks
        raise FileRejected(_("The .xlsx file cannot be opened as a workbook.")) from None
    for sheet_name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        for index, cells in enumerate(rows[:5]):
            if _is_header(cells):
                data = rows[index + 1 :]
                start = index + 2
                return cells, ((start + offset, row) for offset, row in enumerate(data))
    raise FileRejected(
        _("No sheet has the visit-log columns (身份证号, 姓名, 巡访日期 ...); use the template.")
    )


def map_header(header: list) -> dict[str, tuple[int, str]]:
    """Column key -> (index, header as written in the file)."""
    mapping = {}
    for index, title in enumerate(header):
        key = HEADER_LOOKUP.get(str(title).strip().lstrip("\ufeff")) if title is not None else None
        if key and key not in mapping:
            mapping[key] = (index, str(title).strip())
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in mapping]
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(columns)s") % {"columns": "、".join(missing)}
        )
    return mapping


# --- Validating rows ----------------------------------------------------------------------------


class DateParser:
    """Dates in the accepted spellings and Excel cells, cached (files repeat few dates)."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, value) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 20000 < value < 80000:  # an Excel serial number not formatted as a date
                return EXCEL_EPOCH + datetime.timedelta(days=int(value))
            value = str(int(value))
        text = str(value).strip()
        if text in self.cache:
            return self.cache[text]
        parsed = None
        for pattern in DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    parsed = datetime.date(*(int(part) for part in match.groups()))
                except ValueError:
                    parsed = None
                break
        self.cache[text] = parsed
        return parsed


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _id_text(value) -> tuple[str, bool]:
    """The ID as text; False when Excel stored it as a number (18 digits do not survive that)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)), False
    return _text(value), True


class ScopeLookups:
    """People and visitors of the uploader's area, loaded with a handful of queries."""

    def __init__(self, *, user, region: Region):
        self.user = user
        self.region = region
        self.visitors_by_name: dict[str, list[tuple[int, str, str]]] = {}
        for visitor_id, name, phone, code, level, active in (
            Visitor.objects.visible_to(user)
            .filter(region__code__startswith=region.code_prefix)
            .values_list("id", "name", "phone", "region__code", "region__level", "is_active")
        ):
            if active:
                prefix = Region(code=code, level=level).code_prefix
                self.visitors_by_name.setdefault(name, []).append((visitor_id, phone, prefix))
        self.elders: dict[str, tuple] = {}

    def load_elders(self, id_numbers: set[str]) -> None:
        wanted = [n for n in id_numbers if n not in self.elders]
        visible = Elder.objects.visible_to(self.user).filter(
            village__code__startswith=self.region.code_prefix
        )
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            for row in visible.filter(id_number__any_of=chunk).values_list(
                "id_number",
                "id",
                "name",
                "birth_date",
                "village__code",
                "village__name",
                "residence",
                "residence_since",
            ):
                self.elders[row[0]] = row[1:]


def _cell_texts(cells, indexes) -> list[str]:
    """The cells of the mapped columns as stripped text (CSV cells are already strings)."""
    width = len(cells)
    out = []
    for index in indexes:
        value = cells[index] if index < width else None
        if value.__class__ is str:
            out.append(value.strip())
        else:
            out.append(_text(value))
    return out


def _cell_reader(indexes: list[int], absent: int):
    """A fast reader of a row's mapped cells: one C-level itemgetter call when every cell is
    text (CSV rows always are), the careful path otherwise (Excel numbers, dates, short rows).
    """
    present = [index for index in indexes if index != absent]
    getter = itemgetter(*present)
    absent_positions = [position for position, index in enumerate(indexes) if index == absent]

    def read(cells) -> list[str]:
        try:
            texts = [cell.strip() for cell in getter(cells)]
        except (IndexError, AttributeError, TypeError):
            return _cell_texts(cells, indexes)
        for position in absent_positions:
            texts.insert(position, "")
        return texts

    return read


ORDER = list(COLUMNS)  # positions of the columns in a row's texts
(ID, NAME, DATE, VISITOR, PHONE, METHOD, HEALTH, FINANCES, SAFETY, NEEDS, HELP, NOTES) = range(
    len(ORDER)
)
DIMENSION_POSITIONS = [(name, ORDER.index(name)) for name in DIMENSIONS]
REQUIRED_POSITIONS = [ORDER.index(key) for key in REQUIRED]


NOT_ONE_OF = gettext_noop("%(value)s is not one of %(allowed)s")


def _judge_visitor(visitors_by_name, name, phone, elder) -> tuple[int | None, str]:
    named = visitors_by_name.get(name) or []
    candidates = named
    if candidates and phone:
        candidates = [c for c in candidates if c[1] == phone]
    if elder is not None and candidates:
        candidates = [c for c in candidates if elder[3].startswith(c[2])]
    if len(candidates) == 1:
        return candidates[0][0], ""
    if len(candidates) > 1:
        return None, T(gettext_noop("several visitors have this name: give the visitor's phone"))
    if named:
        return None, T(
            gettext_noop("this visitor does not work in %(village)s"),
            village=elder[4] if elder else "-",
        )
    return None, T(gettext_noop("no visitor of this name in your area"))


def _judge_values(key) -> tuple:
    """Method and the four assessments of a row, and the problems with them."""
    invalid = NOT_ONE_OF
    problems = []
    method = METHODS.get(key[0]) or METHODS.get(key[0].lower())
    if method is None:
        problems.append((METHOD, key[0], T(invalid, value=key[0], allowed="入户 / 电话 / 视频")))
    assessed = []
    for index, text in zip((HEALTH, FINANCES, SAFETY, NEEDS), key[1:], strict=True):
        value = ASSESSMENTS.get(text) or ASSESSMENTS.get(text.lower())
        if value is None:
            problems.append((index, text, T(invalid, value=text, allowed="正常 / 关注 / 紧急")))
        assessed.append(value)
    return (method, *assessed, problems)


def _judge_helps(text: str) -> tuple[list[str], list]:
    invalid = NOT_ONE_OF
    helps, problems = [], []
    for part in HELP_SEPARATORS.split(text):
        if not part:
            continue
        code = HELPS.get(part) or HELPS.get(part.lower())
        if code is None:
            problems.append(
                (HELP, part, T(invalid, value=part, allowed="助洁 助餐 助浴 助医 助行 助急"))
            )
        elif code not in helps:
            helps.append(code)
    return helps, problems


def validate_rows(
    *,
    header: list,
    rows: Iterator[tuple[int, list]],
    lookups: ScopeLookups,
    max_rows: int,
    progress=None,
    sink=None,
) -> ValidationOutcome:
    """Check every row; the clean ones come back ready to insert, the rest as problems.

    With a `sink` (the importer), clean rows are handed to it as they pass instead of being
    kept: `sink.start(elder_ids)` once the people are known, then `sink.add(clean_visit)`, so
    the database can be inserting while Python is still checking the next rows.

    Written for speed (hundreds of thousands of rows): texts are read once per cell, values
    are looked up in dictionaries, repeated dates and ID numbers are parsed once.
    """
    columns = map_header(header)
    outcome = ValidationOutcome()
    today = timezone.localdate()
    parse_date = DateParser()
    # Optional columns that are absent read as empty text from an index past the row's end.
    absent = 10**9
    indexes = [columns[key][0] if key in columns else absent for key in ORDER]
    titles = [columns[key][1] if key in columns else COLUMNS[key][0] for key in ORDER]
    id_index = indexes[ID]
    read_cells = _cell_reader(indexes, absent)
    # First pass: read the cells, so that the people can be looked up in bulk.
    staged = []
    for number, cells in rows:
        if not cells:
            continue
        texts = read_cells(cells)
        if not any(texts):
            continue
        outcome.total_rows += 1
        if outcome.total_rows > max_rows:
            raise FileRejected(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": max_rows}
            )
        raw_id = cells[id_index] if id_index < len(cells) else None
        if raw_id is not None and raw_id.__class__ is not str:
            id_text, complete = _id_text(raw_id)
            texts[ID] = id_text
        else:
            complete = True
        texts[ID] = texts[ID].upper()
        date_cell = cells[indexes[DATE]] if indexes[DATE] < len(cells) else None
        staged.append((number, texts, complete, date_cell))
    lookups.load_elders({texts[ID] for _n, texts, complete, _d in staged if complete})
    elders = lookups.elders
    if sink is not None:
        sink.start({elder[0] for elder in elders.values()})
        keep = sink.add
    else:
        keep = outcome.clean.append
    valid = 0
    visitors_by_name = lookups.visitors_by_name
    parsed_ids: dict[str, object] = {}
    visitor_cache: dict = {}
    values_cache: dict = {}
    helps_cache: dict = {}
    required_message = T(gettext_noop("this column is required"))
    urgent_message = T(URGENT_NOTE_MSGID)
    problems = outcome.problems
    for position, (number, texts, complete, date_cell) in enumerate(staged, start=1):
        found = []
        for index in REQUIRED_POSITIONS:
            if not texts[index]:
                found.append((index, "", required_message))
        if found:
            problems.extend(RowProblem(number, titles[i], v, m) for i, v, m in found)
            continue
        id_text = texts[ID]
        elder = None
        if not complete:
            found.append(
                (
                    ID,
                    id_text,
                    T(
                        gettext_noop(
                            "Excel stored the ID as a number and lost digits: "
                            "format the column as text"
                        )
                    ),
                )
            )
        else:
            parsed = parsed_ids.get(id_text)
            if parsed is None:
                try:
                    parsed = parse_id_number(id_text, today=today)
                except InvalidIdNumber as error:
                    parsed = error
                parsed_ids[id_text] = parsed
            if parsed.__class__ is InvalidIdNumber:
                found.append((ID, id_text, parsed.args[0]))
            else:
                elder = elders.get(id_text)
                if elder is None:
                    found.append(
                        (
                            ID,
                            id_text,
                            T(gettext_noop("no archive with this ID number in your area")),
                        )
                    )
                elif elder[1] != texts[NAME]:
                    found.append(
                        (
                            NAME,
                            texts[NAME],
                            T(
                                gettext_noop("the archive of this ID number is %(name)s"),
                                name=elder[1],
                            ),
                        )
                    )
        visited_on = parse_date(
            date_cell if date_cell is not None and date_cell.__class__ is not str else texts[DATE]
        )
        if visited_on is None:
            found.append(
                (
                    DATE,
                    texts[DATE],
                    T(
                        gettext_noop(
                            "not a date (use 2023-06-05, 2023/6/5, 2023年6月5日 or 20230605)"
                        )
                    ),
                )
            )
        elif visited_on > today:
            found.append(
                (DATE, texts[DATE], T(gettext_noop("A visit cannot be dated in the future.")))
            )
        elif elder is not None:
            if visited_on < elder[2]:
                found.append(
                    (
                        DATE,
                        texts[DATE],
                        T(gettext_noop("The visit is dated before the person was born.")),
                    )
                )
            elif elder[5] == Residence.DECEASED and elder[6] and visited_on > elder[6]:
                found.append(
                    (
                        DATE,
                        texts[DATE],
                        T(
                            gettext_noop("The person died on %(date)s, before this visit."),
                            date=elder[6].isoformat(),
                        ),
                    )
                )
        # Visitor, values and helps repeat across rows: each combination is judged once.
        visitor_key = (texts[VISITOR], texts[PHONE], elder[3] if elder else None)
        judged = visitor_cache.get(visitor_key)
        if judged is None:
            judged = visitor_cache[visitor_key] = _judge_visitor(
                visitors_by_name, texts[VISITOR], texts[PHONE], elder
            )
        visitor_id, visitor_problem = judged
        if visitor_problem:
            found.append((VISITOR, texts[VISITOR], visitor_problem))
        values_key = (texts[METHOD], texts[HEALTH], texts[FINANCES], texts[SAFETY], texts[NEEDS])
        values = values_cache.get(values_key)
        if values is None:
            values = values_cache[values_key] = _judge_values(values_key)
        method, health, finances, safety, needs, value_problems = values
        if value_problems:
            found.extend(value_problems)
        elif "urgent" in (health, finances, safety, needs) and urgent_without_note(
            assessments={"health": health, "finances": finances, "safety": safety, "needs": needs},
            notes={},
            general_note=texts[NOTES],
        ):
            found.append((NOTES, texts[NOTES], urgent_message))
        helps_text = texts[HELP]
        if helps_text:
            judged_helps = helps_cache.get(helps_text)
            if judged_helps is None:
                judged_helps = helps_cache[helps_text] = _judge_helps(helps_text)
            helps, help_problems = judged_helps
            if help_problems:
                found.extend(help_problems)
        else:
            helps = []
        if found:
            problems.extend(RowProblem(number, titles[i], v[:300], m) for i, v, m in found)
        else:
            valid += 1
            keep(
                CleanVisit(
                    number,
                    elder[0],
                    visitor_id,
                    visited_on,
                    method,
                    health,
                    finances,
                    safety,
                    needs,
                    list(helps),
                    texts[NOTES][:2000],
                )
            )
        if progress is not None and position % 10000 == 0:
            progress(position, len(staged))
    outcome.valid_rows = valid
    return outcome
