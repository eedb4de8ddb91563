"""Build visit-log files for the upload tests and the benchmark."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

ZH = [
    "身份证号",
    "姓名",
    "巡访日期",
    "巡访人员",
    "巡访人员电话",
    "巡访方式",
    "身体状况",
    "经济状况",
    "安全状况",
    "需求状况",
    "服务需求",
    "备注",
]
EN = [
    "id_number",
    "name",
    "visit_date",
    "visitor",
    "visitor_phone",
    "method",
    "health",
    "finances",
    "safety",
    "needs",
    "help_needed",
    "notes",
]


def row(elder, who, date="2023-06-05", **overrides):
    values = {
        "id_number": elder.id_number,
        "name": elder.name,
        "visit_date": date,
        "visitor": who.name,
        "visitor_phone": "",
        "method": "入户",
        "health": "正常",
        "finances": "正常",
        "safety": "正常",
        "needs": "正常",
        "help_needed": "",
        "notes": "",
    }
    values.update(overrides)
    return [values[key] for key in EN]


def csv_bytes(rows, header=ZH, encoding="utf-8"):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    data = text.getvalue()
    if encoding == "utf-8-sig":
        return "\ufeff".encode() + data.encode("utf-8")
    return data.encode(encoding)


def xlsx_bytes(rows, header=ZH, sheet_title="巡访记录", extra_sheets=()):
    workbook = Workbook()
    for title in extra_sheets:
        workbook.create_sheet(title).append(["说明", "这里不是数据"])
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_file(data: bytes, name: str):
    return SimpleUploadedFile(name, data)
