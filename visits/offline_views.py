"""The visitor's offline app (离线巡访): app shell, its data, the service worker and manifest.

Only the app shell (no personal data in its HTML) and the vendored static assets are cached
by the service worker; the people of the visitor's own area travel as JSON into the phone's
IndexedDB store, which logging out clears.
"""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.roles import Role
from facilities.choices import SixHelps
from visits import selectors
from visits.models import DIMENSIONS, Assessment, Method

# Everything the shell needs, precached when the service worker installs.
SHELL_ASSETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "css/portal.css",
    "favicon.svg",
    "vendor/dexie/dexie.min.js",
    "js/offline/store.js",
    "js/offline/app.js",
    "js/offline/register.js",
    "js/offline/logout.js",
    "js/offline/form_fallback.js",
    "icons/visitor-192.png",
    "icons/visitor-512.png",
    "icons/visitor.svg",
)
SERVICE_WORKER_SOURCE = "js/offline/sw.js"


def _visitor_profile(user):
    """The offline app is the visitor's: other roles' wider areas never go onto a phone."""
    profile = getattr(user, "visitor_profile", None)
    if user.role != Role.VISITOR or profile is None or not profile.is_active:
        raise PermissionDenied(_("The offline app is for visitors with a visitor profile."))
    return profile


@login_required
def offline_app(request):
    profile = _visitor_profile(request.user)
    return render(
        request,
        "visits/offline_app.html",
        {
            "section": "visits",
            "profile": profile,
            "max_age_days": settings.OFFLINE_MAX_AGE_DAYS,
            "offline_config": _shell_config(request, profile),
            "methods": Method.choices,
            "assessments": Assessment.choices,
            "dimensions": list(DIMENSIONS.items()),
            "helps": SixHelps.choices,
        },
    )


def _shell_config(request, profile) -> dict:
    """Labels and rules the phone needs without a server, in the reader's language."""
    return {
        "user": request.user.pk,
        "visitor": {"id": profile.pk, "name": profile.name},
        "maxAgeDays": settings.OFFLINE_MAX_AGE_DAYS,
        "urls": {
            "data": reverse("visits:offline-data"),
            "visits": "/api/v1/visits/",
            "login": reverse("login") + "?next=" + reverse("visits:offline"),
            "shell": reverse("visits:offline"),
        },
        "visitLabel": _("Visit"),
        "correctLabel": _("Correct and resend"),
        "discardLabel": _("Delete"),
        "ageUnit": _(" years"),
        "fieldLabels": {
            "visited_on": _("visit date"),
            "visitor": _("visitor"),
            "elder": _("older person"),
            "method": _("method"),
            **{
                f"{name}_note": _("%(dimension)s note") % {"dimension": label}
                for name, label in DIMENSIONS.items()
            },
        },
        "methods": dict(Method.choices),
        "assessments": dict(Assessment.choices),
        "dimensions": {name: str(label) for name, label in DIMENSIONS.items()},
        "helps": dict(SixHelps.choices),
        "messages": {
            "future": _("A visit cannot be dated in the future."),
            "noDate": _("Enter the visit date."),
            "urgentNote": _("Say what is urgent."),
            "noDimension": _("Assess at least one dimension."),
            "online": _("Online"),
            "offline": _("Offline"),
            "waiting": _("waiting to be sent: %(n)s"),
            "refreshed": _("list refreshed %(time)s"),
            "neverRefreshed": _("list not yet downloaded: go online once"),
            "stale": _(
                "The cached list was older than %(days)s days and has been removed from this "
                "phone. Go online to download it again."
            ),
            "savedOffline": _("Saved on this phone; it will be sent when the network returns."),
            "savedSending": _("Saved on this phone; sending now."),
            "pending": _("Waiting to be sent"),
            "sending": _("Sending"),
            "stored": _("Stored"),
            "duplicate": _("Already stored (sent again, stored once)"),
            "refused": _("Refused"),
            "conflict": _("Refused: the phone-made id names a different visit"),
            "loginAgain": _("Your login has expired: log in again, then send."),
            "referralOpened": _("Urgent findings were referred to the county."),
            "visitedByOther": _("visited by %(visitor)s on %(date)s"),
            "newSinceRefresh": _("new since the last refresh"),
            "visitedByMe": _("visited this month"),
            "neverVisited": _("never visited"),
            "lastVisit": _("last visit %(date)s"),
            "everyoneVisited": _("Everyone has been visited this month."),
            "notFound": _("This person is not in the cached list."),
            "needsNetwork": _("This page needs the network."),
            "confirmDiscard": _("Delete this visit from the phone? It has not been stored."),
            "queuedHere": _("recorded on this phone, not yet sent"),
            "refusedHere": _("refused by the server: correct it on this phone"),
        },
    }


@never_cache
@login_required
def offline_data(request):
    """The visitor's own area as JSON, for the phone's store (never cached by the worker)."""
    profile = _visitor_profile(request.user)
    today = timezone.localdate()
    elders = selectors.offline_bundle(user=request.user, today=today)
    methods = dict(Method.choices)
    payload = {
        "user": request.user.pk,
        "visitor": profile.pk,
        "generatedAt": timezone.now().isoformat(),
        "today": today.isoformat(),
        "elders": [
            {
                "id": elder.pk,
                "name": elder.name,
                "village": elder.village.name,
                "idMasked": elder.masked_id_number,
                "age": elder.age_on(today),
                "categories": [str(c.label) for c in elder.categories_on(today)],
                "phone": elder.phone,
                "address": elder.household_address,
                "lastVisit": elder.last_visit.isoformat() if elder.last_visit else None,
                "visitedThisMonth": elder.visited_this_month,
                "visits": [
                    {
                        "id": visit.pk,
                        "date": visit.visited_on.isoformat(),
                        "visitor": visit.visitor.name,
                        "visitorId": visit.visitor_id,
                        "method": str(methods.get(visit.method, visit.method)),
                        "urgent": [str(DIMENSIONS[d]) for d in visit.urgent_dimensions()],
                        "clientId": str(visit.client_id) if visit.client_id else None,
                    }
                    for visit in elder.recent_visits
                ],
            }
            for elder in elders
        ],
    }
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@cache
def _service_worker_body(asset_urls: tuple[str, ...], shell_url: str) -> str:
    path = finders.find(SERVICE_WORKER_SOURCE) or staticfiles_storage.path(SERVICE_WORKER_SOURCE)
    with open(path, encoding="utf-8") as source:
        code = source.read()
    # A new version (new asset hashes, new worker code) replaces the old caches on activation.
    version = hashlib.sha256((code + "".join(asset_urls)).encode()).hexdigest()[:12]
    header = (
        f"const VERSION = {json.dumps(version)};\n"
        f"const SHELL_URL = {json.dumps(shell_url)};\n"
        f"const PRECACHE = {json.dumps(list(asset_urls))};\n"
    )
    return header + code


def service_worker(request):
    """/sw.js: the worker, with the hashed asset URLs; its scope is the visitor's pages."""
    urls = tuple(staticfiles_storage.url(name) for name in SHELL_ASSETS)
    response = HttpResponse(
        _service_worker_body(urls, reverse("visits:offline")),
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/visits/"
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request):
    body = {
        "name": _("Jilin home visits (offline)"),
        "short_name": _("Home visits"),
        "description": _("The visitor's work list and visit form, usable without a signal."),
        "lang": "zh-Hans",
        "start_url": reverse("visits:offline"),
        "scope": "/visits/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {
                "src": staticfiles_storage.url("icons/visitor-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": staticfiles_storage.url("icons/visitor-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {
                "src": staticfiles_storage.url("icons/visitor.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            },
        ],
    }
    return JsonResponse(
        body,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
