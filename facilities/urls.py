from django.urls import path

from core.access import guard_patterns
from core.roles import Dataset
from facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="index"),
    path("new/", views.facility_create, name="create"),
    path("map/", views.facility_map, name="map"),
    path("map/data/", views.facility_map_data, name="map-data"),
    path("<int:pk>/", views.facility_detail, name="detail"),
    path("<int:pk>/edit/", views.facility_edit, name="edit"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/draw/", views.inspection_draw, name="inspection-draw"),
    path("inspections/<int:pk>/result/", views.inspection_record, name="inspection-record"),
    path(
        "inspections/<int:pk>/rectified/",
        views.inspection_rectified,
        name="inspection-rectified",
    ),
    path("inspections/published/", views.inspections_published, name="inspections-published"),
]
# The published inspection results are public (双随机一公开): no grant needed.
urlpatterns = guard_patterns(Dataset.FACILITIES, urlpatterns, exempt=("inspections-published",))
