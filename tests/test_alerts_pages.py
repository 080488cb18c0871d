"""The subscription pages: follow with double opt-in, confirm, manage, unsubscribe, webhooks.

Each is CSRF-protected (but the one-click unsubscribe, RFC 8058), rate-limited, and never
kept by the cache of the public pages.
"""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import resolve
from pytest_django.asserts import assertContains, assertNotContains

from alerts.models import Delivery, Endpoint, Event, Follow, Subscriber, Topic
from tests.factories import ParticipantFactory, TreatyFactory
from tests.test_alerts import endpoint, follow


@pytest.fixture
def treaty(db):
    return TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")


@pytest.fixture
def viet_nam(db):
    return ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN", names={"fr": "Viêt Nam"})


def subscribe(client, **data):
    form = {
        "email": "reader@example.org",
        "treaty": "hanoi-convention",
        "participant": "",
        "topics": ["verified", "entry_into_force"],
        "language": "en",
        **data,
    }
    return client.post("/alerts/", form)


def link_in(message, name):
    (url,) = re.findall(rf"http://127\.0\.0\.1:8000(/alerts/{name}/[^/\s]+/)", message.body)
    return url


# Following, with double opt-in


def test_the_form_offers_the_treaty_participants_and_topics(client, treaty, viet_nam):
    response = client.get("/alerts/", {"participant": "vnm"})
    assertContains(response, '<option value="hanoi-convention" selected>Hanoi Convention</option>')
    assertContains(response, '<option value="VNM" selected>Viet Nam</option>')
    assertContains(response, "The signature deadline: 30, 7 and 1 days before")
    assertContains(response, 'name="csrfmiddlewaretoken"')


def test_following_asks_the_address_to_confirm_and_sends_nothing_else(
    client, treaty, viet_nam, worker
):
    with worker():
        response = subscribe(client, participant="VNM", language="fr")
    assert response.status_code == 302
    assert response["Location"] == "/alerts/sent/"
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    # In the language chosen: the participant's French name.
    assert "Viêt Nam" in message.subject
    assert "List-Unsubscribe" not in message.extra_headers
    follow_ = Follow.objects.get()
    assert (follow_.participant, follow_.confirmed_at) == (viet_nam, None)
    assert follow_.topics == [Topic.VERIFIED, Topic.ENTRY_INTO_FORCE]
    assert follow_.subscriber.language == "fr"


def test_the_confirmation_link_shows_a_button_then_confirms(client, treaty, worker):
    with worker():
        subscribe(client)
    url = link_in(mail.outbox[0], "confirm")
    page = client.get(url)
    assertContains(page, "Confirm your alert")
    assertContains(page, "reader@example.org receives alerts by e-mail about: Hanoi Convention.")
    # A mail scanner that follows the link confirms nothing.
    assert Follow.objects.get().confirmed_at is None
    response = client.post(url, follow=True)
    assertContains(response, "Confirmed. You follow: Hanoi Convention.")
    assert Follow.objects.get().confirmed_at is not None
    assert Subscriber.objects.get().confirmed_at is not None
    assert response.redirect_chain[-1][0] == f"/alerts/manage/{Subscriber.objects.get().token}/"


def test_a_forged_or_old_confirmation_link_does_not_work(client, treaty, worker):
    with worker():
        subscribe(client)
    url = link_in(mail.outbox[0], "confirm")
    response = client.post(url[:-3] + "xx/")
    assertContains(response, "This link does not work", status_code=404)
    assert Follow.objects.get().confirmed_at is None


def test_following_an_address_already_confirmed_mails_its_link_and_says_the_same(
    client, treaty, worker
):
    follow("reader@example.org", treaty, topics=[Topic.VERIFIED])
    with worker():
        response = subscribe(client, topics=["threshold"])
    assert response["Location"] == "/alerts/sent/"
    (message,) = mail.outbox
    assert message.subject == "Your Treatytrack alerts"
    # Nobody but the address's reader changes what it follows.
    assert Follow.objects.get().topics == [Topic.VERIFIED]


def test_a_wrong_form_says_what_is_wrong_and_keeps_what_was_typed(client, treaty, viet_nam):
    response = subscribe(client, email="not an address", participant="VNM", topics=["threshold"])
    assert response.status_code == 400
    assertContains(response, "Enter a valid email address.", status_code=400)
    assertContains(response, "concern the treaty as a whole", status_code=400)
    assertContains(response, 'value="not an address"', status_code=400)
    assert not Subscriber.objects.exists()


def test_a_lost_link_is_mailed_to_a_known_address_only(client, treaty, worker):
    follow("reader@example.org", treaty)
    with worker():
        known = client.post("/alerts/link/", {"email": "Reader@Example.org"})
        unknown = client.post("/alerts/link/", {"email": "nobody@example.org"})
    assert known["Location"] == unknown["Location"] == "/alerts/sent/"
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"]
    assert f"/alerts/manage/{Subscriber.objects.get().token}/" in message.body


# Unsubscribing


def test_one_click_unsubscribes_without_a_csrf_token(treaty):
    subscriber = follow("reader@example.org", treaty).subscriber
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/alerts/unsubscribe/{subscriber.token}/one-click/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Follow.objects.exists()


def test_the_unsubscribe_link_is_a_page_with_one_button(client, treaty):
    subscriber = follow("reader@example.org", treaty).subscriber
    url = f"/alerts/unsubscribe/{subscriber.token}/"
    assertContains(client.get(url), "No more alerts by e-mail to reader@example.org.")
    assert Follow.objects.exists()
    assertContains(client.post(url), "Unsubscribed")
    assert not Follow.objects.exists()
    assert client.get(f"/alerts/unsubscribe/{subscriber.token}/one-click/")["Location"] == url


def test_an_unsubscribed_address_gets_no_alert_already_on_its_way(treaty, worker):
    subscriber = follow("reader@example.org", treaty).subscriber
    event = Event.objects.create(kind=Event.Kind.SIGNATURE_CLOSING, key="x", treaty=treaty)
    Delivery.objects.create(event=event, email=subscriber.email, subscriber=subscriber)
    subscriber.unsubscribe()
    with worker():
        from alerts.tasks import deliver_due

        deliver_due.enqueue()
    assert not mail.outbox
    assert Delivery.objects.get().status == "cancelled"


def test_an_unknown_token_is_a_404(client, db):
    assert client.get("/alerts/manage/nobody/").status_code == 404
    assert client.post("/alerts/unsubscribe/nobody/one-click/").status_code == 404


# CSRF, limits, cache


@pytest.mark.parametrize(
    "path",
    ["/alerts/", "/alerts/link/", "/alerts/unsubscribe/{token}/", "/alerts/manage/{token}/forget/"],
)
def test_the_subscription_forms_need_their_csrf_token(treaty, path):
    subscriber = follow("reader@example.org", treaty).subscriber
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(path.format(token=subscriber.token), {"email": "a@example.org"})
    assert response.status_code == 403
    assert Follow.objects.count() == 1


def test_mail_asked_for_one_address_is_limited(client, treaty, settings, worker):
    settings.ALERTS_MAIL_LIMIT = 2
    with worker():
        assert subscribe(client).status_code == 302
        assert subscribe(Client(REMOTE_ADDR="10.0.0.2")).status_code == 302
        response = subscribe(Client(REMOTE_ADDR="10.0.0.3"))
    assertContains(response, "Too many requests", status_code=429)
    assert len(mail.outbox) == 2


def test_requests_from_one_client_are_limited(client, treaty, settings):
    settings.ALERTS_REQUEST_LIMIT = 3
    for n in range(3):
        assert subscribe(client, email=f"reader{n}@example.org").status_code == 302
    assert subscribe(client, email="reader4@example.org").status_code == 429
    subscriber = Subscriber.objects.first()
    assert client.post(f"/alerts/manage/{subscriber.token}/forget/").status_code == 429
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()
    # Reading is counted apart, at four times the rate.
    assert client.get(f"/alerts/manage/{subscriber.token}/").status_code == 200


@pytest.mark.parametrize("page", ["manage/{token}/", "unsubscribe/{token}/", "confirm/{confirm}/"])
def test_every_page_reached_by_a_token_is_limited_too(client, treaty, settings, page):
    settings.ALERTS_REQUEST_LIMIT = 2
    assert subscribe(client).status_code == 302
    follow = Follow.objects.get()
    url = "/alerts/" + page.format(token=follow.subscriber.token, confirm="x" * 20)
    for _ in range(8):
        assert client.get(url).status_code != 429
    assertContains(client.get(url), "Too many requests", status_code=429)
    # Another client reads on; the form itself is read freely.
    assert Client(REMOTE_ADDR="10.0.0.9").get(url).status_code != 429
    assert client.get("/alerts/").status_code == 200


@pytest.mark.parametrize("name", ["subscribe", "confirm", "manage", "unsubscribe", "endpoint"])
def test_no_subscription_page_is_a_public_copy(client, treaty, name):
    subscriber = follow("reader@example.org", treaty).subscriber
    hook = endpoint("reader@example.org", treaty, "http://127.0.0.1:9/hook")
    paths = {
        "subscribe": "/alerts/",
        "confirm": f"/alerts/confirm/{Follow.objects.get().confirmation_token}/",
        "manage": f"/alerts/manage/{subscriber.token}/",
        "unsubscribe": f"/alerts/unsubscribe/{subscriber.token}/",
        "endpoint": f"/alerts/manage/{subscriber.token}/webhooks/{hook.pk}/",
    }
    assert not hasattr(resolve(paths[name]).func, "public")
    response = client.get(paths[name])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# The subscriber's page


@pytest.fixture
def reader(treaty):
    return follow("reader@example.org", treaty, topics=[Topic.VERIFIED]).subscriber


def test_the_page_lists_what_the_address_follows(client, reader, viet_nam):
    follow("reader@example.org", reader.follows.get().treaty, viet_nam, confirmed=False)
    response = client.get(f"/alerts/manage/{reader.token}/")
    assertContains(response, "reader@example.org")
    assertContains(response, "<h3>Hanoi Convention</h3>", html=True)
    assertContains(response, "<h3>Viet Nam, on the Hanoi Convention</h3>", html=True)
    assertContains(response, "Not confirmed yet")


def test_the_page_follows_one_more_thing_confirmed_at_once(client, reader, viet_nam):
    response = client.post(
        f"/alerts/manage/{reader.token}/follows/",
        {"new-treaty": "hanoi-convention", "new-participant": "VNM", "new-topics": ["verified"]},
    )
    assert response.status_code == 302
    added = Follow.objects.get(participant=viet_nam)
    assert added.confirmed_at is not None


def test_the_same_thing_is_not_followed_twice(client, reader):
    response = client.post(
        f"/alerts/manage/{reader.token}/follows/",
        {"new-treaty": "hanoi-convention", "new-participant": "", "new-topics": ["threshold"]},
    )
    assertContains(response, "You follow this already", status_code=400)
    assert reader.follows.count() == 1


def test_the_page_changes_the_topics_and_stops_a_follow(client, reader):
    followed = reader.follows.get()
    prefix = f"follow-{followed.pk}"
    client.post(
        f"/alerts/manage/{reader.token}/follows/{followed.pk}/",
        {f"{prefix}-treaty": "hanoi-convention", f"{prefix}-topics": ["threshold", "verified"]},
    )
    followed.refresh_from_db()
    assert followed.topics == [Topic.VERIFIED, Topic.THRESHOLD]
    client.post(f"/alerts/manage/{reader.token}/follows/{followed.pk}/stop/")
    assert not reader.follows.exists()


def test_one_address_cannot_touch_anothers_follows(client, reader, treaty):
    other = follow("other@example.org", treaty)
    response = client.post(f"/alerts/manage/{reader.token}/follows/{other.pk}/stop/")
    assert response.status_code == 404
    assert Follow.objects.filter(pk=other.pk).exists()


def test_the_page_sets_the_language_of_the_mail(client, reader):
    client.post(f"/alerts/manage/{reader.token}/language/", {"language": "ar"})
    reader.refresh_from_db()
    assert reader.language == "ar"


def test_forgetting_an_address_removes_everything(client, reader, treaty):
    endpoint("reader@example.org", treaty, "http://127.0.0.1:9/hook")
    assertContains(client.post(f"/alerts/manage/{reader.token}/forget/"), "Forgotten")
    assert not Subscriber.objects.exists()
    assert not Endpoint.objects.exists()


def test_the_subscription_pages_answer_only_their_methods(client, reader):
    assert client.put("/alerts/").status_code == 405
    assert client.get(f"/alerts/manage/{reader.token}/forget/").status_code == 405
    assert client.post(f"/alerts/manage/{reader.token}/").status_code == 405


# Webhooks on the subscriber's page


def add_webhook(client, subscriber, url, **data):
    return client.post(
        f"/alerts/manage/{subscriber.token}/webhooks/",
        {
            "webhook-url": url,
            "webhook-treaty": "hanoi-convention",
            "webhook-participant": "",
            "webhook-topics": ["verified", "threshold"],
            **data,
        },
    )


def test_a_webhook_is_added_with_a_secret_shown_on_its_page(client, reader):
    response = add_webhook(client, reader, "http://127.0.0.1:8080/hook")
    hook = Endpoint.objects.get()
    assert response["Location"] == f"/alerts/manage/{reader.token}/webhooks/{hook.pk}/"
    assert hook.secret.startswith("whsec_")
    page = client.get(response["Location"])
    assertContains(page, hook.secret)
    assertContains(page, "Nothing sent yet")


def test_a_private_webhook_url_is_refused_in_production(client, reader, settings):
    settings.ALERTS_ALLOW_PRIVATE_WEBHOOKS = False
    response = add_webhook(client, reader, "http://192.168.1.10/hook")
    assertContains(response, "private, loopback or reserved address", status_code=400)
    assertContains(response, 'value="http://192.168.1.10/hook"', status_code=400)
    assert not Endpoint.objects.exists()


def test_the_delivery_log_shows_each_attempt_and_a_disabled_webhook_can_be_enabled(
    client, reader, treaty
):
    hook = endpoint("reader@example.org", treaty, "http://127.0.0.1:9/hook")
    event = Event.objects.create(kind=Event.Kind.SIGNATURE_CLOSING, key="k", treaty=treaty)
    Delivery.objects.create(
        event=event,
        endpoint=hook,
        status="failed",
        attempts=8,
        response_status=500,
        last_error="HTTP 500 Internal Server Error",
    )
    hook.disable(8, "HTTP 500 Internal Server Error")
    page = client.get(f"/alerts/manage/{reader.token}/webhooks/{hook.pk}/")
    assertContains(page, "treaty.signature_closing")
    assertContains(page, "HTTP 500 Internal Server Error")
    assertContains(page, "Enable it again")
    client.post(f"/alerts/manage/{reader.token}/webhooks/{hook.pk}/enable/")
    hook.refresh_from_db()
    assert hook.active
    page = client.get(f"/alerts/manage/{reader.token}/webhooks/{hook.pk}/")
    assertNotContains(page, "Enable it again")
