from rest_framework import permissions, serializers, viewsets

from core.models import Region
from core.regions import RegionLevel
from indicators import selectors, services
from indicators.filters import IndicatorValueFilter, TargetFilter
from indicators.models import IndicatorValue, Target


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator_display = serializers.CharField(source="get_indicator_display", read_only=True)
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    level = serializers.CharField(source="region.level")
    month = serializers.DateField(format="%Y-%m")
    target = serializers.DecimalField(
        source="target_value", max_digits=14, decimal_places=2, allow_null=True
    )
    target_year = serializers.IntegerField(source="target.year", default=None, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "indicator",
            "indicator_display",
            "region",
            "region_name",
            "level",
            "month",
            "numerator",
            "denominator",
            "value",
            "target",
            "target_comparison",
            "target_year",
            "met",
            "computed_at",
        ]
        read_only_fields = fields


class IndicatorValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored monthly indicator values (percent for rates), in the caller's area."""

    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter

    def get_queryset(self):
        return selectors.value_list(user=self.request.user).order_by(
            "month", "indicator", "region__code"
        )


class TargetEditorOrReadOnly(permissions.BasePermission):
    """Everyone signed in reads; only the provincial administrator writes."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in permissions.SAFE_METHODS or services.may_edit_targets(user)


class TargetSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
        ),
        allow_null=True,
        required=False,
    )

    class Meta:
        model = Target
        fields = ["id", "indicator", "region", "year", "value", "comparison", "note"]
        validators = []  # the service's full_clean() checks the unique constraint


class TargetViewSet(viewsets.ModelViewSet):
    """Policy targets (region null = every region); written through the target service."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    permission_classes = [TargetEditorOrReadOnly]

    def get_queryset(self):
        return selectors.target_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.target_save(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.target_save(
            user=self.request.user, target=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.target_delete(user=self.request.user, target=instance)
