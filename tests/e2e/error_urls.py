"""The site's URLs plus three that fail on purpose, for the browser checks of the error pages."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from treatytrack.urls import handler400, handler500
from treatytrack.urls import urlpatterns as site_urls

__all__ = ["handler400", "handler500", "urlpatterns"]


def _failing(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("errors/400/", _failing(SuspiciousOperation("a test of the 400 page"))),
    path("errors/403/", _failing(PermissionDenied)),
    path("errors/500/", _failing(RuntimeError("a test of the 500 page"))),
    *site_urls,
]
