from django.urls import path

from ratifications import views

app_name = "ratifications"

urlpatterns = [
    path("", views.home, name="home"),
    path("treaties/<slug:slug>/", views.dashboard, name="dashboard"),
    path("api/v1/treaties/<slug:slug>/status", views.status_api, name="status_api"),
]
