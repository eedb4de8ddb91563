from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """Page numbers with a client-chosen page size (partner systems page through large lists)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000
