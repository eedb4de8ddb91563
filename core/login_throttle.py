"""Login lock-out: too many failed attempts for one user name or from one address.

Counted in the cache (shared Redis in production). Every login, the portal's and the admin's,
authenticates through `ThrottledModelBackend`, which refuses while a lock-out lasts; the
portal's login form says so in the reader's language (registration/login.html, status 429).
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from core.audit import client_address as audit_client_address


def client_address(request) -> str:
    """The real client behind the trusted reverse proxy (core.audit), never the proxy itself,
    so that one user's failures do not lock out everyone behind the proxy."""
    return (audit_client_address(request) if request is not None else None) or "unknown"


def _keys(username: str | None, request) -> list[tuple[str, int]]:
    name = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [
        (f"login-failures:user:{name}", settings.LOGIN_FAILURE_LIMIT),
        (
            f"login-failures:addr:{client_address(request)}",
            settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        ),
    ]


def is_locked_out(username: str | None, request) -> bool:
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(username, request))


def record_failure(username: str | None, request) -> None:
    for key, _limit in _keys(username, request):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def clear_user_failures(username: str) -> None:
    cache.delete(_keys(username, None)[0][0])


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if is_locked_out(username, request):
            request_marker(request)
            raise PermissionDenied  # authenticate() stops here; no password is checked
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


def request_marker(request) -> None:
    if request is not None:
        request.login_locked_out = True


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "login_locked_out", False):
        return  # attempts during a lock-out do not extend it
    record_failure(credentials.get("username"), request)


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    clear_user_failures(user.get_username())
