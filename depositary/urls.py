from django.urls import path

from depositary import views

app_name = "depositary"

# `import/` belongs to the CSV upload (the `imports` app, mounted before this one).
urlpatterns = [
    path("", views.queue, name="queue"),
    path("counters/", views.counters, name="counters"),
    path("verify/", views.verify_many, name="verify_many"),
    path("submissions/<int:pk>/verify/", views.verify, name="verify"),
    path("submissions/<int:pk>/reject/", views.reject, name="reject"),
    path("submissions/<int:pk>/undo/", views.undo, name="undo"),
    path("submissions/<int:pk>/history/", views.history, name="history"),
    path("actions/new/", views.enter, name="enter"),
    path("actions/validate/", views.validate, name="validate"),
    path(
        "participants/<iso3:iso3>/history/", views.participant_history, name="participant_history"
    ),
    path("audit/", views.audit, name="audit"),
    # In step with the depositary: its status file checked against the record.
    path("reconcile/", views.reconcile, name="reconcile"),
    path("reconcile/upload/", views.reconcile_upload, name="reconcile_upload"),
    path("reconcile/fetch/", views.reconcile_fetch, name="reconcile_fetch"),
    path(
        "reconcile/differences/<int:pk>/accept/",
        views.accept_difference,
        name="accept_difference",
    ),
    path(
        "reconcile/differences/<int:pk>/dismiss/",
        views.dismiss_difference,
        name="dismiss_difference",
    ),
    # Reports of steps the depositary has not recorded (reports/).
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.new_report, name="new_report"),
    path("reports/<int:pk>/withdraw/", views.withdraw_report, name="withdraw_report"),
]
