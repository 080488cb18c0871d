from django.urls import path

from ratifications import projection_views, views

app_name = "ratifications"

urlpatterns = [
    path("", views.home, name="home"),
    path("treaties/<slug:slug>/", views.dashboard, name="dashboard"),
    path("treaties/<slug:slug>/feed/", views.feed, name="feed"),
    path("treaties/<slug:slug>/calendar.ics", views.calendar, name="calendar"),
    path("treaties/<slug:slug>/embed/", views.embed, name="embed"),
    path("api/v1/treaties/<str:slug>/status", views.status_api, name="status_api"),
    path("api/v1/treaties/<str:slug>/actions.csv", views.actions_csv, name="actions_csv"),
    # When it might enter into force, and what if (docs/projection.md).
    path("treaties/<slug:slug>/projection/", projection_views.method, name="projection"),
    path("treaties/<slug:slug>/what-if/", projection_views.what_if, name="what_if"),
    path(
        "api/v1/treaties/<str:slug>/projection",
        projection_views.projection_api,
        name="projection_api",
    ),
    path("api/v1/treaties/<str:slug>/what-if", projection_views.what_if_api, name="what_if_api"),
    path("participants/<iso3:iso3>/", views.participant, name="participant"),
    path("participants/<iso3:iso3>/feed/", views.participant_feed, name="participant_feed"),
]
