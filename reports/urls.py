from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("api/v1/treaties/<str:slug>/reports.csv", views.reports_csv, name="reports_csv"),
    path("api/v1/treaties/<str:slug>/reports.json", views.reports_json, name="reports_json"),
]
