from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter

from accounts import views as accounts_views
from states.converters import Iso3
from treatytrack import i18n, views

# `<iso3:code>`: a participant's code in every app's URLs.
register_converter(Iso3, "iso3")

# The error pages are Django's views with templates/400.html, 403.html, 404.html and
# 500.html; those of 400 and 500 in the visitor's language whenever the error happened.
handler400 = views.bad_request
handler500 = views.server_error

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # The language switcher's links (docs/languages.md).
    path("language/<str:code>/", i18n.set_language, name="set_language"),
    # Sign-in, sign-out and passwords: Django's own views (templates/registration/), the
    # password reset with a limit on requests (accounts/views.py).
    path("accounts/password_reset/", accounts_views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/", include("accounts.urls")),
    path("mission/", include("missions.urls")),
    path("depositary/import/", include("imports.urls")),
    path("depositary/", include("depositary.urls")),
    # Following a treaty by e-mail or webhook (docs/alerts.md).
    path("alerts/", include("alerts.urls")),
    path("", include("reports.urls")),
    path("", include("declarations.urls")),
    path("", include("ratifications.urls")),
]

if settings.BENCH_TRIVIAL_VIEW:
    urlpatterns.append(path("bench/trivial", views.trivial, name="bench_trivial"))
