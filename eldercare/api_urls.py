"""The one REST API router (/api/v1/): each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from core import apis as core_apis
from facilities import apis as facility_apis

router = DefaultRouter()
router.register("regions", core_apis.RegionViewSet, basename="region")
router.register("me", core_apis.CurrentUserViewSet, basename="me")
router.register("facilities", facility_apis.FacilityViewSet, basename="facility")
router.register("inspections", facility_apis.InspectionViewSet, basename="inspection")

app_name = "api"
urlpatterns = router.urls
