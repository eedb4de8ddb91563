from rest_framework.permissions import SAFE_METHODS, BasePermission


class ReadOnlyRolesCannotWrite(BasePermission):
    """Leadership and partner departments read; the services decide what others may write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or not user.is_read_only
