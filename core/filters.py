import django_filters

from core.models import Region


class RegionSubtreeFilter(django_filters.CharFilter):
    """A region code; keeps rows in that region's subtree."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        region = Region.objects.filter(code=value).first()
        return queryset.within(region) if region else queryset.none()
