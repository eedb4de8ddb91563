"""Tabular exports (XLSX and CSV) that Excel opens safely.

Every spreadsheet the portal writes (lists, upload error reports, the funding reports, the
upload template) passes its cells through `excel_safe` and its file name through
`attachment_disposition`.
"""

import csv
import io
import re

from django.http import HttpResponse
from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What the XLSX format cannot hold (openpyxl raises IllegalCharacterError): C0 control
# characters except tab, line feed and carriage return.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SAFE_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


def excel_safe(value):
    """A cell value Excel opens safely.

    Control characters an XLSX file cannot hold are dropped; text that Excel would read as a
    formula gets a leading apostrophe (OWASP CSV injection).
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def excel_row(cells) -> list:
    return [excel_safe(cell) for cell in cells]


class SafeWorkbook(Workbook):
    """A workbook whose sheets pass every appended row through `excel_safe`."""

    def create_sheet(self, title=None, index=None):
        sheet = super().create_sheet(title, index)
        return _safe_appends(sheet)

    @property
    def active(self):
        sheet = super().active
        return _safe_appends(sheet) if sheet is not None else None

    @active.setter
    def active(self, value):
        Workbook.active.fset(self, value)


def _safe_appends(sheet):
    if not getattr(sheet, "_excel_safe", False):
        append = sheet.append
        sheet.append = lambda row: append(excel_row(row))
        sheet._excel_safe = True
    return sheet


def attachment_disposition(filename: str) -> str:
    """`Content-Disposition` for a download named by the code, never by the request."""
    if not SAFE_FILENAME.match(filename):
        raise ValueError(f"unsafe download file name: {filename!r}")
    return f'attachment; filename="{filename}"'


def tabular_response(*, rows, headers: list[str], filename: str, file_format: str):
    """An attachment of `rows` (iterables of cells) as XLSX or CSV (UTF-8 with BOM for Excel)."""
    if file_format == "xlsx":
        workbook = SafeWorkbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(excel_row(str(h) for h in headers))
        for row in rows:
            sheet.append(excel_row(row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(excel_row(str(h) for h in headers))
        for row in rows:
            writer.writerow(["" if cell is None else excel_safe(cell) for cell in row])
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment_disposition(f"{filename}.{file_format}")
    return response
