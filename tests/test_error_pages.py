"""The error pages (templates/400.html, 403.html, 404.html, 500.html): in the site's layout
and the visitor's language, saying what happened and where to go, with the right status.

DEBUG off, as in production: only then does Django show them.
"""

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, override_settings
from django.utils import translation
from django.views.defaults import permission_denied

from tests.factories import TreatyFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production")]


@pytest.fixture
def production():
    with override_settings(DEBUG=False):
        yield


@pytest.fixture
def treaty():
    """The default treaty, for the dashboard at `/`."""
    return TreatyFactory(slug="hanoi-convention")


def assert_in_the_layout(response, status, heading, language="en"):
    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    # The site's header, stylesheet and footer, and the page's own heading.
    assert '<header class="site-header">' in html
    assert "/static/css/site.css" in html
    assert '<footer class="site-footer">' in html
    assert f'<h1 id="error-heading">{heading}</h1>' in html
    assert f"Error {status}" in html or language != "en"
    # Where to go: the dashboard and the participants.
    assert '<a href="/">' in html
    assert '<a href="/#participants-heading">' in html
    return html


def in_french(html):
    """The layout's words, already translated: the page is in the visitor's language."""
    assert '<html lang="fr" dir="ltr">' in html
    assert "Tableau de bord" in html


def test_an_unknown_address_is_a_404_in_the_layout(client):
    html = assert_in_the_layout(client.get("/no-such-page/"), 404, "Page not found")
    assert "There is no page at this address." in html
    # Signed out: the header offers to sign in, and the language switcher comes back here.
    assert ">Sign in</a>" in html
    assert "/language/fr/?next=%2Fno-such-page%2F" in html


def test_an_unknown_participant_is_a_404_in_french_for_a_french_reader(client):
    response = client.get("/participants/QQQ/", headers={"Accept-Language": "fr"})
    in_french(assert_in_the_layout(response, 404, "Page non trouvée", "fr"))


def test_a_bad_host_is_a_400_in_the_layout(client):
    response = client.get("/", headers={"Host": "attacker.example"})
    html = assert_in_the_layout(response, 400, "The request could not be understood")
    assert "attacker.example" not in html


def test_a_bad_host_is_a_400_in_french_for_a_french_reader(client):
    response = client.get("/", headers={"Host": "attacker.example", "Accept-Language": "fr"})
    in_french(response.content.decode())
    assert response.status_code == 400


def test_the_dashboards_bad_parameter_page_shares_the_layout(client, treaty):
    response = client.get("/", {"as_of": "2025-02-30"})
    html = assert_in_the_layout(response, 400, "That address has a mistake in it")
    assert "as_of" in html
    assert '<a href="/">Start again without it</a>' in html


def test_a_signed_in_user_without_access_gets_a_403_saying_why_and_how_to_switch(client):
    client.force_login(UserFactory(username="reader"))
    response = client.get("/mission/", headers={"Accept-Language": "en"})
    html = assert_in_the_layout(response, 403, "You cannot open this page")
    # The view's own reason, then who is signed in and the way to another account.
    assert "Your account is not linked to a mission." in html
    assert "You are signed in as reader" in html
    assert '<a href="/accounts/login/?next=/mission/">Sign in with another account</a>' in html


def test_a_403_in_french_for_a_french_reader(client):
    client.force_login(UserFactory(username="lecteur"))
    response = client.get("/depositary/", headers={"Accept-Language": "fr"})
    assert response.status_code == 403
    in_french(response.content.decode())


def test_a_403_for_someone_signed_out_offers_to_sign_in():
    request = RequestFactory().get("/depositary/import/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert "It is for signed-in mission or depositary staff." in html
    assert '<a href="/accounts/login/?next=/depositary/import/">Sign in</a>' in html


def test_a_form_sent_without_its_csrf_token_is_a_403_in_the_layout(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert_in_the_layout(response, 403, "This form could not be sent")


@pytest.fixture
def failing_client():
    """A client that gets the 500 page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def test_an_error_in_a_view_is_a_500_in_the_layout(failing_client, treaty):
    with mock.patch("ratifications.views._render_dashboard", side_effect=RuntimeError("boom")):
        response = failing_client.get("/")
    html = assert_in_the_layout(response, 500, "Something went wrong on our side")
    assert "boom" not in html
    # Rendered without a request: no account links, no language switcher, no script
    # (the CSP nonce is a request's).
    assert 'class="account"' not in html
    assert 'class="languages"' not in html
    assert "<script" not in html


def test_the_500_page_shows_in_french_when_the_database_is_down(failing_client):
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed")
    # The cache middleware reads the database before LocaleMiddleware chooses the
    # language; this thread's last request was in English.
    translation.activate("en")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        response = failing_client.get("/", headers={"Accept-Language": "fr"})
    assert response.status_code == 500
    in_french(response.content.decode())
    assert '<h1 id="error-heading">' in response.content.decode()
