from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from core import selectors
from core.scope import scope_for


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
def dashboard(request):
    root = selectors.region_root_for(user=request.user)
    return render(
        request,
        "core/dashboard.html",
        {
            "section": "dashboard",
            "root": root,
            "level_counts": selectors.region_level_counts(user=request.user),
            "children": selectors.region_children_with_counts(user=request.user, region=root)
            if root
            else [],
        },
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
