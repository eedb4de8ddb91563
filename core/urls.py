from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("regions/", views.region_browser, name="region-browser"),
    path("audit/", views.audit_log, name="audit-log"),
    path("regions/<str:code>/", views.region_browser, name="region-detail"),
]
