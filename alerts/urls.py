from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", views.sent, name="sent"),
    path("link/", views.link, name="link"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("manage/<slug:token>/", views.manage, name="manage"),
    path("manage/<slug:token>/language/", views.language, name="language"),
    path("manage/<slug:token>/follows/", views.add_follow, name="add_follow"),
    path("manage/<slug:token>/follows/<int:pk>/", views.change_follow, name="change_follow"),
    path("manage/<slug:token>/follows/<int:pk>/stop/", views.stop_follow, name="stop_follow"),
    path("manage/<slug:token>/webhooks/", views.add_endpoint, name="add_endpoint"),
    path("manage/<slug:token>/webhooks/<int:pk>/", views.endpoint, name="endpoint"),
    path(
        "manage/<slug:token>/webhooks/<int:pk>/enable/",
        views.enable_endpoint,
        name="enable_endpoint",
    ),
    path(
        "manage/<slug:token>/webhooks/<int:pk>/remove/",
        views.remove_endpoint,
        name="remove_endpoint",
    ),
    path("manage/<slug:token>/forget/", views.forget, name="forget"),
    path("unsubscribe/<slug:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<slug:token>/one-click/", views.one_click, name="one_click"),
]
