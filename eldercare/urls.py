from django.contrib import admin
from django.contrib.staticfiles.storage import staticfiles_storage
from django.shortcuts import redirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.views import PortalLoginView
from visits import offline_views


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the vendored icon."""
    return redirect(staticfiles_storage.url("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("sw.js", offline_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline_views.manifest, name="web-manifest"),
    path("", include("core.urls")),
    path("facilities/", include("facilities.urls")),
    path("visits/", include("visits.urls")),
    path("funding/", include("funding.urls")),
    path("accounts/login/", PortalLoginView.as_view(), name="login"),  # with the lock-out
    path("dashboard/", include("indicators.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("eldercare.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
