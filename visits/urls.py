from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.views import ModulePendingView

app_name = "visits"
urlpatterns = [
    path(
        "",
        ModulePendingView.as_view(title=_("Home visits"), section="visits"),
        name="index",
    ),
]
