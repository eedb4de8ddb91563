from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Monthly indicator roll-ups, targets and the leadership dashboard.

    Reads from the domain apps (visits, facilities, funding); nothing imports this app back.
    """

    name = "indicators"
    verbose_name = _("Indicators")
