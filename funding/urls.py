from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import ModulePendingView

app_name = "funding"
urlpatterns = [
    path(
        "",
        ModulePendingView.as_view(title=_("Funding"), section="funding"),
        name="index",
    ),
]
