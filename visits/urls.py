from django.urls import path

from core.access import guard_patterns
from core.roles import Dataset
from visits import offline_views, upload_views, views

app_name = "visits"
urlpatterns = [
    path("", views.elder_list, name="index"),
    path("elders/new/", views.elder_create, name="elder-create"),
    path("elders/<int:pk>/", views.elder_detail, name="elder-detail"),
    path("elders/<int:pk>/edit/", views.elder_edit, name="elder-edit"),
    path("elders/<int:pk>/visit/", views.visit_create, name="visit-create"),
    path("elders/<int:pk>/referral/", views.referral_create, name="referral-create"),
    path("referrals/", views.referral_board, name="referrals"),
    path("referrals/<int:pk>/", views.referral_update, name="referral-update"),
    path("worklist/", views.work_list, name="worklist"),
    path("offline/", offline_views.offline_app, name="offline"),
    path("offline/data/", offline_views.offline_data, name="offline-data"),
    path("uploads/", upload_views.upload_list, name="uploads"),
    path(
        "uploads/template.<str:file_format>", upload_views.template_download, name="upload-template"
    ),
    path("uploads/<int:pk>/", upload_views.upload_detail, name="upload-detail"),
    path("uploads/<int:pk>/errors/", upload_views.upload_errors, name="upload-errors"),
    path(
        "uploads/<int:pk>/confirm/",
        upload_views.upload_action,
        {"action": "confirm"},
        name="upload-confirm",
    ),
    path(
        "uploads/<int:pk>/cancel/",
        upload_views.upload_action,
        {"action": "cancel"},
        name="upload-cancel",
    ),
]
urlpatterns = guard_patterns(Dataset.VISITS, urlpatterns)
