from django.urls import path

from core import views
from core.access import dataset_required
from core.roles import Dataset

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("dashboard/", dataset_required(Dataset.INDICATORS)(views.dashboard), name="dashboard"),
    path("regions/", views.region_browser, name="region-browser"),
    path("audit/", views.audit_log, name="audit-log"),
    path("regions/<str:code>/", views.region_browser, name="region-detail"),
]
