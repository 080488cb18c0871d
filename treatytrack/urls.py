from django.contrib import admin
from django.urls import include, path

from treatytrack import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("depositary/import/", include("imports.urls")),
    path("", include("ratifications.urls")),
    path("", include("states.urls")),
]
