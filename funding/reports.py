"""The finance reports as one XLSX workbook (a sheet per report)."""

import io

from django.utils.translation import gettext as _

from core.exports import SafeWorkbook, excel_safe


def reports_workbook(context) -> bytes:
    workbook = SafeWorkbook(write_only=True)  # every cell through excel_safe
    prefectures = context["prefectures"]
    sheet = workbook.create_sheet(_("By year, program, prefecture"))
    codes = sorted(prefectures)
    sheet.append([_("Year"), _("Program"), *[prefectures[c] for c in codes], _("Total")])
    for year, programs in context["pivot"].items():
        for code, by_prefecture in programs.items():
            values = [by_prefecture.get(c) for c in codes]
            sheet.append(
                [
                    year,
                    excel_safe(context["programs"].get(code, code)),
                    *values,
                    sum(v for v in values if v is not None),
                ]
            )
    sheet = workbook.create_sheet(_("Yearly totals"))
    sheet.append(
        [
            _("Year"),
            _("Total (yuan)"),
            _("Growth"),
            _("Welfare lottery"),
            _("Lottery share"),
            _("Share of the province"),
            _("Planned, not counted (yuan)"),
        ]
    )
    for row in context["yearly"]:
        sheet.append(
            [
                row["year"],
                row["total"],
                row["growth"],
                row["lottery"],
                row["lottery_share"],
                row["share_of_province"],
                row["planned"],
            ]
        )
    sheet = workbook.create_sheet(_("Disbursement"))
    sheet.append([_("Program"), _("Allocated"), _("Disbursed"), _("Share")])
    for row in context["progress"]:
        sheet.append(
            [excel_safe(row["program__name_zh"]), row["allocated"], row["disbursed"], row["share"]]
        )
    sheet = workbook.create_sheet(_("Per-person subsidies"))
    sheet.append([_("Prefecture"), _("Facilities"), _("Residents"), _("Subsidy (yuan)")])
    for row in context["per_person"]:
        sheet.append([row["prefecture_name"], row["facilities"], row["residents"], row["subsidy"]])
    sheet = workbook.create_sheet(_("Renovations"))
    renovations = context["renovations"]
    sheet.append([_("Households renovated"), _("Target"), _("Share"), _("Share of the province")])
    sheet.append(
        [
            renovations["households"],
            renovations["target"],
            renovations["share"],
            renovations["share_of_province"],
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
