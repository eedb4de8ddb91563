from django.urls import path

from core.access import guard_patterns
from core.roles import Dataset
from funding import views

app_name = "funding"
urlpatterns = [
    path("", views.allocation_list, name="index"),
    path("new/", views.allocation_create, name="create"),
    path("<int:pk>/", views.allocation_detail, name="detail"),
    path("<int:pk>/advance/", views.allocation_advance, name="advance"),
    path("<int:pk>/adjust/", views.allocation_adjust, name="adjust"),
    path("reports/", views.reports, name="reports"),
    path("budgets/", views.budget_list, name="budgets"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget"),
]
urlpatterns = guard_patterns(Dataset.FUNDING, urlpatterns)
