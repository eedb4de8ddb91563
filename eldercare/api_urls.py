"""The one REST API router (/api/v1/): each app registers its viewsets here."""

from rest_framework.routers import DefaultRouter

from core import apis as core_apis
from facilities import apis as facility_apis
from funding import apis as funding_apis
from indicators import apis as indicator_apis
from visits import apis as visit_apis

router = DefaultRouter()
router.register("regions", core_apis.RegionViewSet, basename="region")
router.register("me", core_apis.CurrentUserViewSet, basename="me")
router.register("facilities", facility_apis.FacilityViewSet, basename="facility")
router.register("inspections", facility_apis.InspectionViewSet, basename="inspection")
router.register("elders", visit_apis.ElderViewSet, basename="elder")
router.register("visits", visit_apis.VisitViewSet, basename="visit")
router.register("referrals", visit_apis.ReferralViewSet, basename="referral")
router.register("uploads", visit_apis.UploadViewSet, basename="upload")
router.register("programs", funding_apis.ProgramViewSet, basename="program")
router.register("allocations", funding_apis.AllocationViewSet, basename="allocation")
router.register("renovations", funding_apis.RenovationViewSet, basename="renovation")
router.register("indicators", indicator_apis.IndicatorValueViewSet, basename="indicator")
router.register("targets", indicator_apis.TargetViewSet, basename="target")

app_name = "api"
urlpatterns = router.urls
