from django.urls import path

from visits import views

app_name = "visits"
urlpatterns = [
    path("", views.elder_list, name="index"),
    path("elders/new/", views.elder_create, name="elder-create"),
    path("elders/<int:pk>/", views.elder_detail, name="elder-detail"),
    path("elders/<int:pk>/edit/", views.elder_edit, name="elder-edit"),
    path("elders/<int:pk>/visit/", views.visit_create, name="visit-create"),
    path("elders/<int:pk>/referral/", views.referral_create, name="referral-create"),
    path("referrals/", views.referral_board, name="referrals"),
    path("referrals/<int:pk>/", views.referral_update, name="referral-update"),
    path("worklist/", views.work_list, name="worklist"),
]
