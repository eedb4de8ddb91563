from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Regions and accounts")

    def ready(self):
        from core import (
            login_throttle,  # noqa: F401  (counts failed logins)
            lookups,  # noqa: F401  (registers field__any_of)
        )
        from core.admin_widgets import install

        install()  # the admin's autocomplete never answers 500 on a bad id
