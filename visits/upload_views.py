"""Pages and downloads of visit-log uploads (the API is in visits/apis.py)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from core.deferred import render as render_deferred
from core.exports import SafeWorkbook, attachment_disposition, tabular_response
from visits import services
from visits.models import VisitUpload
from visits.personal_data import policy_for
from visits.uploads import COLUMNS

EXAMPLE_ROW = {
    "id_number": "222404194003050133",
    "name": "金顺姬",
    "visit_date": "2023-06-05",
    "visitor": "崔巡访",
    "visitor_phone": "13900000001",
    "method": "入户",
    "health": "正常",
    "finances": "关注",
    "safety": "正常",
    "needs": "紧急",
    "help_needed": "助餐、助医",
    "notes": "冬储粮不足",
}


def _explanations():
    return {
        "id_number": _(
            "18 characters; the check character may be x or X. Format the column as text in Excel."
        ),
        "name": _("Must match the archive of that ID number (catches a mistyped ID)."),
        "visit_date": _(
            "2023-06-05, 2023/6/5, 2023年6月5日, 20230605 or an Excel date; not in the future."
        ),
        "visitor": _("The visitor's name, known in your area."),
        "visitor_phone": _("Optional; tells apart two visitors of the same name."),
        "method": _("入户 / 电话 / 视频 (in_person / phone / video)"),
        "health": _("正常 / 关注 / 紧急 (normal / attention / urgent)"),
        "finances": _("正常 / 关注 / 紧急 (normal / attention / urgent)"),
        "safety": _("正常 / 关注 / 紧急 (normal / attention / urgent)"),
        "needs": _("正常 / 关注 / 紧急 (normal / attention / urgent)"),
        "help_needed": _("Optional: 助洁 助餐 助浴 助医 助行 助急, separated by 、 , ; or spaces."),
        "notes": _("Free text; required when any assessment is urgent (say what is urgent)."),
    }


def upload_scope(user):
    return VisitUpload.objects.visible_to(user).select_related("uploader")


@login_required
def template_download(request, file_format):
    if file_format not in ("xlsx", "csv"):
        raise Http404
    headers = [zh for zh, _en, _required in COLUMNS.values()]
    example = [EXAMPLE_ROW[key] for key in COLUMNS]
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerow(example)
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = SafeWorkbook()  # every cell through excel_safe
        sheet = workbook.active
        sheet.title = "巡访记录"
        sheet.append(headers)
        sheet.append(example)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            column[0].parent.column_dimensions[column[0].column_letter].width = 16
            for cell in column:
                cell.number_format = "@"  # text: ID numbers keep all 18 characters
        guide = workbook.create_sheet("填写说明")
        guide.append([_("Column (Chinese)"), _("Column (English)"), _("Required"), _("Values")])
        explanations = _explanations()
        for key, (zh, en, required) in COLUMNS.items():
            guide.append([zh, en, _("yes") if required else _("no"), explanations[key]])
        guide.column_dimensions["D"].width = 80
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = attachment_disposition(f"visit-log-template.{file_format}")
    return response


@login_required
def upload_list(request):
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        if uploaded is None:
            messages.error(request, _("Choose a file to upload."))
        else:
            try:
                upload = services.upload_create(user=request.user, uploaded_file=uploaded)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except PermissionDenied as error:
                messages.error(request, str(error))
            else:
                return redirect("visits:upload-detail", pk=upload.pk)
    return render(
        request,
        "visits/upload_list.html",
        {
            "section": "visits",
            "uploads": upload_scope(request.user)[:50],
            "can_upload": request.user.is_superuser or request.user.role in services.UPLOADERS,
        },
    )


@login_required
def upload_detail(request, pk):
    upload = get_object_or_404(upload_scope(request.user), pk=pk)
    template = (
        "visits/_upload_status.html"
        if request.headers.get("HX-Request")
        else ("visits/upload_detail.html")
    )
    return render(
        request,
        template,
        {
            "section": "visits",
            "upload": upload,
            "errors": list(
                masked_errors(
                    request.user,
                    upload,
                    upload.row_errors.values_list(*ERROR_FIELDS)[:20],
                )
            )
            if upload.validated_at
            else [],
        },
    )


@login_required
def upload_action(request, pk, action):
    upload = get_object_or_404(upload_scope(request.user), pk=pk)
    if request.method != "POST":
        return redirect("visits:upload-detail", pk=pk)
    try:
        if action == "confirm":
            services.upload_confirm(user=request.user, upload=upload)
        else:
            services.upload_cancel(user=request.user, upload=upload)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("visits:upload-detail", pk=pk)


ERROR_FIELDS = ("row", "column", "value", "message", "message_spec")


def masked_errors(user, upload, errors):
    """Row errors as the masking policy lets this user read them: the uploaded ID numbers
    whole only for the officer who uploaded the file, and only until the upload ends."""
    policy = policy_for(user)
    for row, column, value, message, spec in errors:
        message = render_deferred(spec, message)  # in the reader's language
        value, message = policy.upload_error(upload, column, value, message)
        yield row, column, value, message


def error_report(user, upload, file_format):
    headers = [_("Row"), _("Column"), _("Value"), _("Message")]
    rows = upload.row_errors.order_by("row", "id").values_list(*ERROR_FIELDS)
    return tabular_response(
        rows=masked_errors(user, upload, rows.iterator(chunk_size=5000)),
        headers=headers,
        filename=f"upload-{upload.pk}-errors",
        file_format=file_format,
    )


@login_required
def upload_errors(request, pk):
    upload = get_object_or_404(upload_scope(request.user), pk=pk)
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return error_report(request.user, upload, file_format)
