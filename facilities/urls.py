from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import ModulePendingView

app_name = "facilities"
urlpatterns = [
    path(
        "",
        ModulePendingView.as_view(title=_("Facilities"), section="facilities"),
        name="index",
    ),
]
