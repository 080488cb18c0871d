from django.urls import path

from ratifications import views

app_name = "ratifications"

urlpatterns = [
    path("", views.home, name="home"),
    path("treaties/<slug:slug>/", views.dashboard, name="dashboard"),
    path("treaties/<slug:slug>/feed/", views.feed, name="feed"),
    path("treaties/<slug:slug>/calendar.ics", views.calendar, name="calendar"),
    path("treaties/<slug:slug>/embed/", views.embed, name="embed"),
    path("api/v1/treaties/<str:slug>/status", views.status_api, name="status_api"),
    path("api/v1/treaties/<str:slug>/actions.csv", views.actions_csv, name="actions_csv"),
    path("participants/<iso3:iso3>/", views.participant, name="participant"),
    path("participants/<iso3:iso3>/feed/", views.participant_feed, name="participant_feed"),
]
