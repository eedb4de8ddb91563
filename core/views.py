from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core import selectors
from core.forms import LoginForm
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
    """Liveness for the container health check: the app answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class PortalLoginView(LoginView):
    """Django's login with the lock-out: a locked-out attempt answers 429 with Retry-After."""

    form_class = LoginForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked_out", False):
            response.status_code = 429
            response["Retry-After"] = str(settings.LOGIN_LOCKOUT_SECONDS)
        return response
