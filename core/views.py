from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults

from core import selectors
from core.access import granted_datasets
from core.audit_trail import audit_trail_rows
from core.exports import tabular_response
from core.filters import AuditEntryFilter
from core.forms import LoginForm
from core.models import AuditEntry
from core.roles import Role
from core.scope import scope_for

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_MAX_ROWS = 100_000


@login_required
def home(request):
    root = selectors.region_root_for(user=request.user)
    return render(
        request,
        "core/home.html",
        {
            "root": root,
            "scope": scope_for(request.user),
            "level_counts": selectors.region_level_counts(user=request.user),
            "granted_datasets": granted_datasets(request.user)
            if request.user.role == Role.PARTNER
            else None,
        },
    )


@login_required
def region_browser(request, code=None):
    """Drill down the hierarchy, never above or beside the user's own subtree."""
    if code is None:
        region = selectors.region_root_for(user=request.user)
    else:
        region = selectors.region_get_visible(user=request.user, code=code)
    children = (
        selectors.region_children_with_counts(user=request.user, region=region) if region else []
    )
    ancestors = selectors.region_ancestors(user=request.user, region=region) if region else []
    return render(
        request,
        "core/regions.html",
        {"region": region, "children": children, "ancestors": ancestors, "section": "regions"},
    )


@login_required
def notifications(request):
    """The user's notifications; opening the page marks them read."""
    items = list(request.user.notifications.all()[:100])
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "core/notifications.html", {"items": items})


def healthz(request):
    """The container health check: the database answers and a page renders through the
    template engine and the static files' manifest (a missing entry is a 500, as on every page).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return render(request, "core/healthz.html")


def can_read_audit_log(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role == Role.PROVINCIAL_ADMIN)


@login_required
def audit_log(request):
    """The audit trail for the provincial administrator: filtered, paginated, exported (XLSX).
    Read only: nothing on this page (or anywhere in the portal) edits or deletes an entry."""
    if not can_read_audit_log(request.user):
        raise PermissionDenied
    filters = AuditEntryFilter(
        request.GET, queryset=AuditEntry.objects.select_related("actor").order_by("-at", "-id")
    )
    entries = filters.qs
    if request.GET.get("format") == "xlsx":
        rows = audit_trail_rows(entries[:AUDIT_EXPORT_MAX_ROWS])
        return tabular_response(
            rows=(
                [
                    timezone.localtime(row.entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                    row.actor,
                    row.entry.actor.username if row.entry.actor else "",
                    row.action,
                    row.object_label,
                    row.entry.object_id,
                    _audit_changes_text(row),
                    row.entry.request_id,
                    row.entry.client_address or "",
                ]
                for row in rows
            ),
            headers=[
                _("time"),
                _("user"),
                _("username"),
                _("action"),
                _("object"),
                _("object id"),
                _("Changes"),
                _("request id"),
                _("client address"),
            ],
            filename="audit-log",
            file_format="xlsx",
        )
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "section": "audit",
            "filter": filters,
            "page": page,
            "rows": audit_trail_rows(page.object_list),
            "query": query.urlencode(),
        },
    )


def _audit_changes_text(row) -> str:
    if row.correction:
        text = _("Correction") + f": {row.correction.amount}"
        if row.correction.purpose:
            text += f" ({row.correction.purpose})"
        return text + " → #" + row.correction.original_id
    return "\n".join(
        f"{change.label}: {change.before} → {change.after}"
        if change.before is not None
        else f"{change.label}: {change.after}"
        for change in row.changes
    )


class PortalLoginView(LoginView):
    """Django's login with the lock-out: a locked-out attempt answers 429 with Retry-After."""

    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked_out", False):
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_SECONDS)
        return response


# Error pages: the portal's layout (templates/403.html, 404.html, 500.html); under /api/ the
# API's JSON error format instead.


def _api(request) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": str(_("You do not have permission."))}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": str(_("Server error."))}, status=500)
    return defaults.server_error(request)
