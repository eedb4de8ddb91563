from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core import selectors
from core.access import granted_datasets
from core.roles import Role
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
    """Liveness for the container health check: the app answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
