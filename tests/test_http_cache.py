"""HTTP caching: what a CDN may keep, what a browser must ask again, and Vary.

An anonymous visitor's public page or data may be kept by a shared cache for 30
seconds (then served stale for 30 more while it revalidates); anything personal,
never: a signed-in visitor's page, a page with a CSRF token, the workspaces.
"""

import gzip

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from accounts.models import depositary_group
from ratifications.conditional import Fingerprint, Validators, respond
from tests.factories import UserFactory
from treatytrack import caching
from treatytrack.http import CacheControlMiddleware

PUBLIC = "public, max-age=30, stale-while-revalidate=30"
STATUS = "/api/v1/treaties/hanoi-convention/status"
OPEN_DATA = [
    STATUS,
    "/api/v1/treaties/hanoi-convention/actions.csv",
    "/treaties/hanoi-convention/feed/",
    "/treaties/hanoi-convention/calendar.ics",
    "/participants/VNM/feed/",
]
# The embedded card is interface, in the visitor's language, like the pages.
PAGES = [
    "/",
    "/treaties/hanoi-convention/",
    "/participants/VNM/",
    "/treaties/hanoi-convention/embed/",
]


def vary(response) -> set[str]:
    return {name.strip() for name in response.get("Vary", "").split(",") if name.strip()}


@pytest.mark.parametrize("url", PAGES + OPEN_DATA)
def test_an_anonymous_visitors_copy_may_be_kept_by_a_shared_cache(client, defaults, url):
    response = client.get(url)
    assert response["Cache-Control"] == PUBLIC
    assert response["ETag"] and response["Last-Modified"]
    not_modified = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified["Cache-Control"] == PUBLIC


@pytest.mark.parametrize("url", PAGES + OPEN_DATA)
def test_a_signed_in_visitors_copy_is_private_and_asked_again(client, defaults, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response["Cache-Control"] == "private, no-cache"
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_the_dashboard_varies_on_what_changes_it(client, defaults):
    assert vary(client.get("/")) >= {
        "Cookie",
        "Accept-Language",
        "Accept-Encoding",
        "HX-Request",
        "HX-Target",
        "HX-History-Restore-Request",
    }
    assert vary(client.get("/participants/VNM/")) >= {"Cookie", "Accept-Language"}
    assert "Accept-Language" in vary(client.get("/treaties/hanoi-convention/embed/"))


@pytest.mark.parametrize("url", OPEN_DATA)
def test_open_data_varies_on_encoding_only(client, defaults, url):
    # It is in English for everyone (docs/open-data.md): one copy per encoding.
    response = client.get(url)
    assert "Accept-Encoding" in vary(response)
    assert not vary(response) & {"Cookie", "Accept-Language"}


def test_a_signed_in_visitors_page_is_never_given_to_an_anonymous_one(client, defaults):
    client.force_login(UserFactory(username="depositary-clerk"))
    assert "depositary-clerk" in client.get("/").content.decode()
    client.logout()
    page = client.get("/").content.decode()
    assert "depositary-clerk" not in page
    assert "Sign in" in page


def test_the_language_is_part_of_the_cached_copy(client, defaults):
    english = client.get("/")
    french = client.get("/", headers={"Accept-Language": "fr"})
    assert french["Content-Language"] == "fr"
    assert french["ETag"] != english["ETag"]
    client.cookies["django_language"] = "es"
    spanish = client.get("/")
    assert spanish["Content-Language"] == "es"
    assert spanish["ETag"] not in (english["ETag"], french["ETag"])


@pytest.fixture
def depositary_staff(db):
    user = UserFactory()
    user.groups.add(depositary_group())
    return user


@pytest.mark.parametrize(
    "url",
    [
        "/depositary/",
        "/depositary/actions/new/",
        "/depositary/import/",
        "/mission/",
        "/accounts/password_change/",
    ],
)
def test_the_workspaces_are_never_stored(client, defaults, depositary_staff, url):
    client.force_login(depositary_staff)
    response = client.get(url)
    assert response.status_code in (200, 403)
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_the_sign_in_page_with_its_csrf_token_is_never_stored(client, db):
    response = client.get("/accounts/login/")
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_an_error_page_is_not_kept(client, defaults):
    response = client.get("/", {"as_of": "yesterday"})
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"


# The safety nets: a public page that turns out personal.


@pytest.fixture
def anonymous_request(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/some/page/")
    request.user = AnonymousUser()
    return request


def test_a_page_that_uses_a_csrf_token_is_neither_public_nor_kept(anonymous_request):
    def render():
        # A form for a POST on a public page: a language switcher, say.
        return HttpResponse(f"<form>{get_token(anonymous_request)}</form>")

    validators = Validators(Fingerprint(count=1, changed=None), per_user=True)
    response = CacheControlMiddleware(lambda request: respond(request, validators, render))(
        anonymous_request
    )
    assert response["Cache-Control"] == "private, no-cache"
    etag = validators.etag(anonymous_request)
    assert caching.get_many([f"response:http://testserver:identity:{etag}"]) == {}


def test_a_public_response_that_sets_a_cookie_is_made_private(anonymous_request):
    def view(request):
        response = HttpResponse("hello")
        response["Cache-Control"] = PUBLIC
        response.set_cookie("chosen", "yes")
        return response

    response = CacheControlMiddleware(view)(anonymous_request)
    assert response["Cache-Control"] == "private, no-cache"


def test_a_public_response_to_a_visitor_with_a_session_is_made_private(anonymous_request):
    anonymous_request.COOKIES["sessionid"] = "abc"

    def view(request):
        return HttpResponse("hello", headers={"Cache-Control": PUBLIC})

    response = CacheControlMiddleware(view)(anonymous_request)
    assert response["Cache-Control"] == "private, no-cache"


# Compression, and the kept copy.


def test_a_client_that_takes_gzip_gets_the_same_data_compressed(client, defaults):
    plain = client.get(STATUS)
    compressed = client.get(STATUS, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert compressed["ETag"] == plain["ETag"]
    assert plain["ETag"].startswith('W/"')


def test_a_kept_page_is_served_without_a_nonce_in_its_policy(client, defaults):
    """The nonce of a kept copy would be every visitor's: the copy's policy has none.

    The page loads its scripts from the site itself, which the policy allows.
    """
    first = client.get("/")
    assert "'nonce-" in first["Content-Security-Policy"]
    kept = client.get("/")
    assert kept.content == first.content
    assert "'nonce-" not in kept["Content-Security-Policy"]
    assert "script-src 'self'" in kept["Content-Security-Policy"]
    assert '<script src="/static/' in kept.content.decode()


def test_the_benchmarks_trivial_view_is_not_served_unless_asked_for(client, db):
    assert client.get("/bench/trivial").status_code == 404
