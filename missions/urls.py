from django.urls import path

from missions import views

app_name = "missions"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("submit/", views.submit, name="submit"),
    path("validate/", views.validate, name="validate"),
    path("submissions/<int:pk>/edit/", views.edit, name="edit"),
    path("submissions/<int:pk>/validate/", views.validate, name="validate_edit"),
    path("submissions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("submissions/<int:pk>/history/", views.history, name="history"),
    path(
        "participants/<iso3:iso3>/history/", views.participant_history, name="participant_history"
    ),
    path("reports/new/", views.report, name="report"),
    path("reports/<int:pk>/withdraw/", views.withdraw_report, name="withdraw_report"),
]
