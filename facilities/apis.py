from rest_framework import mixins, serializers, viewsets

from core.models import Region
from core.permissions import ReadOnlyRolesCannotWrite
from facilities import selectors, services
from facilities.filters import FacilityFilter, InspectionFilter
from facilities.forms import FacilityForm
from facilities.models import Facility, Inspection


class FacilitySerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
    region_name = serializers.CharField(source="region.name", read_only=True)
    effective_date = serializers.DateField(write_only=True, required=False)

    class Meta:
        model = Facility
        fields = [
            "id",
            *FacilityForm.Meta.fields,
            "region_name",
            "status_since",
            "updated_at",
            "effective_date",
        ]
        read_only_fields = ["status_since", "updated_at"]
        # Rules (bed bounds, tier fit) are the service's: no duplicate validators here.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["region"].queryset = Region.objects.visible_to(request.user)
        return fields

    def create(self, validated_data):
        effective_date = validated_data.pop("effective_date", None)
        return services.facility_create(
            user=self.context["request"].user, effective_date=effective_date, **validated_data
        )

    def update(self, instance, validated_data):
        effective_date = validated_data.pop("effective_date", None)
        return services.facility_update(
            facility=instance,
            user=self.context["request"].user,
            effective_date=effective_date,
            **validated_data,
        )


class FacilityViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Care facilities in the caller's area; writes go through the facility service rules."""

    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter
    permission_classes = [ReadOnlyRolesCannotWrite]

    def get_queryset(self):
        return selectors.facility_list(user=self.request.user).order_by("id")


class InspectionSerializer(serializers.ModelSerializer):
    facility_name = serializers.CharField(source="facility.name", read_only=True)
    region = serializers.CharField(source="facility.region.code", read_only=True)
    inspector_name = serializers.CharField(source="inspector.name", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "facility",
            "facility_name",
            "region",
            "inspector",
            "inspector_name",
            "draw",
            "planned_date",
            "inspected_on",
            "result",
            "findings",
            "rectification_deadline",
            "rectified_on",
            "is_published",
        ]


class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
    """Random inspections in the caller's area (draws and results are recorded on the pages)."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return selectors.inspection_list(user=self.request.user).order_by("-planned_date", "-id")
