"""API rate limits: DRF's throttles, reading their rates when asked (settings can change)."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from core.audit import client_address


class RatesFromSettings:
    def get_rate(self):
        # DRF copies the rates into a class attribute at import; read the live settings instead.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF would believe any X-Forwarded-For; only the trusted proxy's is (core.audit).
        return client_address(request) or "unknown"


class UserRateThrottle(RatesFromSettings, throttling.UserRateThrottle):
    """Per authenticated user (a token authenticates as its user); per address otherwise."""


class AnonRateThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous calls (the schema, refused calls) per client address."""
