"""The six UN languages (docs/languages.md): the switcher, its view, and open data in English.

The language of a page comes from the language cookie, set by `set_language`
when someone picks one in the switcher, or else from the browser's
Accept-Language header (Django's LocaleMiddleware). The switcher is made of
plain GET links rather than Django's POST `set_language` form: a form would put
a CSRF token, and with it a per-visitor cookie, into every public page, which
must stay cacheable and the same for everyone who reads it in one language.
Choosing a language only changes how the site looks to the one who chose it,
so a link that sets it is safe to follow, by anyone, any number of times.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.middleware import locale
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

# Each language in its own name, as a reader of that language looks for it.
LANGUAGE_NAMES = {
    "ar": "العربية",
    "zh-hans": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}


def languages(request):
    """Context processor: the switcher's links, each leading back to this very view.

    `next` is the full path with its query string (the filters, `as_of`), so
    the page comes back as it was, in the other language.
    """
    current = translation.get_language()
    here = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "dir": "rtl" if translation.get_language_info(code)["bidi"] else "ltr",
                "url": f"{reverse('set_language', args=[code])}?{urlencode({'next': here})}",
                "current": code == current,
            }
            for code, _name in settings.LANGUAGES
        ]
    }


@require_safe
def set_language(request, code):
    """Remember the language in Django's language cookie, then go back to `next`.

    A `next` on another site (or not a URL of this one) is refused: the
    visitor lands on the dashboard instead, so the link cannot send anyone
    elsewhere.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("ratifications:home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    # A redirect that sets a cookie is never reused from a cache.
    add_never_cache_headers(response)
    return response


def in_english(view):
    """Open data (JSON, CSV, Atom, iCalendar) is in English whatever the visitor's language.

    The UN Treaty Collection's English names, English words, one representation
    per URL: the same bytes for every client, so a feed reader or a cache
    shares one copy (`@public(translated=False)` keys it so).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override("en"):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = "en"
        return response

    return wrapped


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, but a response in a language its view fixed (`in_english`) says so and does
    not vary on Accept-Language: it is the same whatever the reader's language."""

    def process_response(self, request, response):
        if "Content-Language" in response.headers:
            return response
        return super().process_response(request, response)
