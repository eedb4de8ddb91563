from django.urls import path

from core.access import guard_patterns
from core.roles import Dataset
from indicators import views

urlpatterns = guard_patterns(
    Dataset.INDICATORS,
    [
        path("", views.dashboard, name="dashboard"),
        path("rollup/", views.recompute, name="dashboard-recompute"),
        path("rollup/<int:pk>/", views.run_detail, name="dashboard-run"),
        path("targets/", views.target_list, name="targets"),
        path("targets/new/", views.target_edit, name="target-create"),
        path("targets/<int:pk>/", views.target_edit, name="target-edit"),
        path("targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    ],
)
