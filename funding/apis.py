from rest_framework import mixins, serializers, viewsets

from core.models import Region
from core.permissions import ReadOnlyRolesCannotWrite
from facilities.models import Facility
from funding import selectors, services
from funding.filters import AllocationFilter, RenovationFilter
from funding.models import Allocation, Program, Renovation
from visits.personal_data import redact_id_numbers


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "kind",
            "rate",
            "cap_per_project",
            "facility_kind",
        ]


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Programs and their rule parameters (reference data)."""

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer
    filterset_fields = ["kind", "code"]


class AllocationSerializer(serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", queryset=Program.objects.all())
    region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())

    class Meta:
        model = Allocation
        fields = [
            "id",
            "program",
            "year",
            "source",
            "region",
            "facility",
            "amount",
            "floor_area",
            "persons_served",
            "document_number",
            "purpose",
            "adjusts",
            "status",
            "planned_on",
            "approved_on",
            "disbursed_on",
            "settled_on",
        ]
        read_only_fields = [
            "adjusts",
            "status",
            "planned_on",
            "approved_on",
            "disbursed_on",
            "settled_on",
        ]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["region"].queryset = Region.objects.visible_to(request.user)
            # Another area's facility answers like a missing id, never with its name.
            fields["facility"].queryset = Facility.objects.visible_to(request.user)
        return fields

    def create(self, validated_data):
        return services.allocation_create(user=self.context["request"].user, **validated_data)


class AllocationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Allocations in the caller's area; the finance department reads these (funding grant)."""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    permission_classes = [ReadOnlyRolesCannotWrite]

    def get_queryset(self):
        return selectors.allocation_list(user=self.request.user).order_by("id")


class RenovationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Renovation
        fields = ["id", "region", "household", "year", "items", "amount", "completed_on"]

    def to_representation(self, instance):
        """The household is free text: an ID number typed into it goes out masked."""
        data = super().to_representation(instance)
        data["household"] = redact_id_numbers(data["household"])
        return data


class RenovationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RenovationSerializer
    filterset_class = RenovationFilter

    def get_queryset(self):
        return (
            Renovation.objects.visible_to(self.request.user).select_related("region").order_by("id")
        )
