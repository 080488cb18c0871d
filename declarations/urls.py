from django.urls import path

from declarations import views, workspaces

app_name = "declarations"

# Mounted at the site's root, after the workspaces' own apps: full paths here.
urlpatterns = [
    # Public
    path("treaties/<slug:slug>/articles/", views.by_article, name="by_article"),
    path("treaties/<slug:slug>/articles/<int:article>/", views.by_article, name="article"),
    path("api/v1/treaties/<str:slug>/declarations.csv", views.declarations_csv, name="csv"),
    path("api/v1/treaties/<str:slug>/declarations.json", views.declarations_json, name="json"),
    # Missions
    path("mission/declarations/", workspaces.mission, name="mission"),
    path("mission/declarations/new/", workspaces.submit, name="submit"),
    path("mission/declarations/validate/", workspaces.validate, name="validate"),
    path("mission/declarations/<int:pk>/edit/", workspaces.edit, name="edit"),
    path("mission/declarations/<int:pk>/validate/", workspaces.validate, name="validate_edit"),
    path("mission/declarations/<int:pk>/withdraw/", workspaces.withdraw, name="withdraw"),
    path(
        "mission/declarations/<int:pk>/history/", workspaces.mission_history, name="mission_history"
    ),
    # The depositary
    path("depositary/declarations/", workspaces.queue, name="queue"),
    path("depositary/declarations/new/", workspaces.enter, name="enter"),
    path("depositary/declarations/validate/", workspaces.validate_entry, name="validate_entry"),
    path("depositary/declarations/<int:pk>/verify/", workspaces.verify, name="verify"),
    path("depositary/declarations/<int:pk>/reject/", workspaces.reject, name="reject"),
    path("depositary/declarations/<int:pk>/undo/", workspaces.undo, name="undo"),
    path("depositary/declarations/<int:pk>/history/", workspaces.history, name="history"),
]
