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
    path("participants/<str:iso3>/history/", views.participant_history, name="participant_history"),
    path("audit/", views.audit, name="audit"),
]
