from django.urls import path

from states import views

app_name = "states"

urlpatterns = [
    path("participants/<str:iso3>/", views.participant, name="participant"),
    path("participants/<str:iso3>/feed/", views.participant_feed, name="feed"),
]
