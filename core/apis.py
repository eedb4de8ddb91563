import django_filters
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.filters import RegionCodeFilter
from core.models import Region
from core.regions import RegionLevel


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "parent_code",
            "is_border",
            "is_urban",
            "longitude",
            "latitude",
        ]


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    parent = RegionCodeFilter(field_name="parent__code", label="parent region code")
    within = RegionCodeFilter(method="filter_within", label="region code: its subtree")

    class Meta:
        model = Region
        fields = ["level", "is_border", "is_urban"]

    def filter_within(self, queryset, name, value):
        region = Region.objects.filter(code=value).first()
        return queryset.subtree(region) if region else queryset.none()


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The administrative hierarchy, limited to the caller's region subtree."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    lookup_field = "code"

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user).select_related("parent")


class CurrentUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    region = RegionSerializer(allow_null=True)
    read_only = serializers.BooleanField(source="is_read_only")


class CurrentUserViewSet(viewsets.ViewSet):
    """Who the caller is: role, region and whether it may write."""

    serializer_class = CurrentUserSerializer

    def list(self, request, format=None):  # format: the router's .json suffix
        return Response(CurrentUserSerializer(request.user).data)
