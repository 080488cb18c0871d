"""Alerts: what each event tells, to whom, by mail and webhook, once (alerts/).

The worker's work runs here, in the test's transaction (the `worker` fixture); the real
worker process, its mail server and its webhooks are tests/test_alerts_worker.py's.
"""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from alerts import webhooks
from alerts.models import (
    DailyCheck,
    Delivery,
    Endpoint,
    Event,
    Follow,
    Subscriber,
    ToldProjection,
    Topic,
)
from alerts.tasks import daily_check, tick
from ratifications.models import Action
from ratifications.rules import ActionKind, today_in_new_york
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)
from tests.sinks import webhook_receiver


@pytest.fixture
def treaty(db):
    return TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")


@pytest.fixture
def viet_nam(treaty):
    viet_nam = ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN", names={"fr": "Viet Nam"})
    ActionFactory(treaty=treaty, participant=viet_nam, date=dt.date(2025, 10, 25))
    return viet_nam


@pytest.fixture
def submission(treaty, viet_nam):
    """Viet Nam's ratification, submitted by its mission."""
    staff = MissionStaffFactory(username="hanoi", email="mission@example.org", missions=[viet_nam])
    return SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )


@pytest.fixture
def reviewer(client, db):
    user = DepositaryStaffFactory(username="reviewer")
    client.force_login(user)
    return user


def follow(email, treaty, participant=None, topics=(Topic.VERIFIED,), *, confirmed=True, **kw):
    subscriber = Subscriber.objects.for_address(email)
    for name, value in kw.items():
        setattr(subscriber, name, value)
    subscriber.save()
    following = Follow(subscriber=subscriber, treaty=treaty, participant=participant)
    following.topics = set(topics)
    following.save()
    if confirmed:
        following.confirm()
    return following


def endpoint(owner_email, treaty, url, participant=None, topics=(Topic.VERIFIED,)):
    owner = Subscriber.objects.for_address(owner_email)
    hook = Endpoint(owner=owner, treaty=treaty, participant=participant, url=url)
    hook.topics = set(topics)
    hook.save()
    return hook


def verify(client, action):
    return client.post(f"/depositary/submissions/{action.pk}/verify/", {"version": action.version})


def mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# The depositary's decisions


def test_a_verification_mails_each_matching_subscriber_once(
    client, reviewer, treaty, submission, worker
):
    follow("treaty@example.org", treaty)
    follow("vnm@example.org", treaty, submission.participant)
    # Both follows match: one mail all the same.
    follow("both@example.org", treaty)
    follow("both@example.org", treaty, submission.participant)
    follow("other@example.org", treaty, ParticipantFactory())
    follow("eif-only@example.org", treaty, topics=[Topic.ENTRY_INTO_FORCE])
    follow("unconfirmed@example.org", treaty, confirmed=False)
    with worker():
        verify(client, submission)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "both@example.org",
        "mission@example.org",
        "treaty@example.org",
        "vnm@example.org",
    ]
    (alert,) = mails_to("vnm@example.org")
    assert alert.subject == "Verified: Viet Nam: Ratification of 2 March 2026"
    assert "The depositary verified Viet Nam: Ratification of 2 March 2026." in alert.body
    assert "Instruments counted toward entry into force: 1 of 40." in alert.body
    token = Subscriber.objects.get(email="vnm@example.org").token
    assert alert.extra_headers["List-Unsubscribe"] == (
        f"<http://127.0.0.1:8000/alerts/unsubscribe/{token}/one-click/>"
    )
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Whole, as mail clients read it, not folded into encoded words.
    assert (
        f"List-Unsubscribe: <http://127.0.0.1:8000/alerts/unsubscribe/{token}/one-click/>\n"
        in alert.message().as_string()
    )
    assert f"http://127.0.0.1:8000/alerts/manage/{token}/" in alert.body
    # Nothing is left to send, and a second run sends nothing more.
    assert not Delivery.objects.exclude(status="sent").exists()
    with worker():
        tick.enqueue()
    assert len(mail.outbox) == 4


def test_nothing_is_mailed_in_the_request(client, reviewer, treaty, submission, worker):
    follow("treaty@example.org", treaty)
    with worker():
        verify(client, submission)
        assert not mail.outbox
    assert len(mail.outbox) == 2


def test_a_decision_rolled_back_tells_nobody(treaty, submission, worker):
    follow("treaty@example.org", treaty)
    staff = DepositaryStaffFactory()
    with worker(), pytest.raises(RuntimeError), transaction.atomic():
        Action.objects.select_for_update().get(pk=submission.pk).verify(staff)
        raise RuntimeError("The transaction fails after the verification.")
    assert not Event.objects.exists()
    assert not mail.outbox


def test_each_alert_is_in_the_subscribers_language(client, reviewer, treaty, submission, worker):
    follow("fr@example.org", treaty, language="fr")
    with worker():
        verify(client, submission)
    (alert,) = mails_to("fr@example.org")
    assert alert.subject == "Vérifiée\u00a0: Viet Nam\u00a0: Ratification du 2 mars 2026"
    # The mission's mail stays in the site's language.
    assert mails_to("mission@example.org")[0].subject.startswith("Verified: ")


def test_a_rejection_is_the_missions_news_only(client, reviewer, treaty, submission, worker):
    follow("treaty@example.org", treaty)
    with worker():
        client.post(
            f"/depositary/submissions/{submission.pk}/reject/",
            {"version": submission.version, "reason": "No instrument received."},
        )
    (message,) = mail.outbox
    assert message.to == ["mission@example.org"]
    assert message.subject == "Rejected: Viet Nam: Ratification of 2 March 2026"
    assert "No instrument received." in message.body


def test_an_undone_verification_is_told_to_those_who_heard_of_it(
    client, reviewer, treaty, submission, worker
):
    follow("treaty@example.org", treaty)
    verify(client, submission)
    submission.refresh_from_db()
    with worker():
        client.post(
            f"/depositary/submissions/{submission.pk}/undo/",
            {"version": submission.version, "reason": "Deposit not received."},
        )
    (alert,) = mails_to("treaty@example.org")
    assert alert.subject == "Verification undone: Viet Nam: Ratification of 2 March 2026"
    assert "Instruments counted toward entry into force: 0 of 40." in alert.body
    (news,) = mails_to("mission@example.org")
    assert news.subject == "Decision undone: Viet Nam: Ratification of 2 March 2026"


def test_the_mail_says_what_was_decided_even_if_it_changed_since(
    client, reviewer, treaty, submission, worker
):
    follow("treaty@example.org", treaty)
    with worker():
        verify(client, submission)
        # Before the worker runs: undone, and changed by the mission.
        submission.refresh_from_db()
        submission.undo(reviewer, "Wrong date.")
        Action.objects.filter(pk=submission.pk).update(date=dt.date(2026, 3, 3))
    subjects = sorted(m.subject for m in mails_to("treaty@example.org"))
    assert subjects == [
        "Verification undone: Viet Nam: Ratification of 2 March 2026",
        "Verified: Viet Nam: Ratification of 2 March 2026",
    ]


def test_a_mission_member_who_follows_too_gets_one_mail(
    client, reviewer, treaty, submission, worker
):
    follow("mission@example.org", treaty)
    with worker():
        verify(client, submission)
    assert len(mails_to("mission@example.org")) == 1


def test_the_fortieth_instrument_announces_the_threshold(
    client, reviewer, treaty, submission, worker
):
    for _ in range(39):
        ActionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 1, 5))
    follow("threshold@example.org", treaty, topics=[Topic.THRESHOLD])
    follow("verified@example.org", treaty)
    with worker():
        verify(client, submission)
    (alert,) = mails_to("threshold@example.org")
    assert alert.subject == (
        "Hanoi Convention: the threshold is reached, entry into force on 31 May 2026"
    )
    assert "40 instruments, the last counted deposited on 2 March 2026" in alert.body
    assert len(mails_to("verified@example.org")) == 1
    # Verifying another instrument does not announce it again.
    later = SubmissionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 3, 5))
    with worker():
        verify(client, later)
    assert len(mails_to("threshold@example.org")) == 1


# Webhooks


def test_a_verification_calls_each_matching_endpoint_signed(
    client, reviewer, treaty, submission, worker
):
    with webhook_receiver() as receiver:
        hook = endpoint("owner@example.org", treaty, receiver.url)
        endpoint("owner@example.org", treaty, receiver.url, topics=[Topic.ENTRY_INTO_FORCE])
        with worker():
            verify(client, submission)
        (call,) = receiver.calls
    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.status, delivery.response_status) == ("sent", 200)
    assert call.path == "/hooks/treatytrack"
    assert call.headers["Content-Type"] == "application/json"
    assert call.headers["Treatytrack-Event"] == "action.verified"
    assert call.headers["Treatytrack-Delivery"] == str(delivery.uuid)
    timestamp = call.headers["Treatytrack-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), timestamp.encode() + b"." + call.body, hashlib.sha256
    ).hexdigest()
    assert call.headers["Treatytrack-Signature"] == f"sha256={expected}"
    payload = json.loads(call.body)
    assert payload["id"] == str(delivery.uuid)
    assert payload["type"] == "action.verified"
    assert payload["treaty"] == {
        "slug": "hanoi-convention",
        "name": "Hanoi Convention",
        "url": "http://127.0.0.1:8000/treaties/hanoi-convention/",
    }
    assert payload["participant"]["iso3"] == "VNM"
    assert payload["data"]["action"] == {
        "kind": "ratification",
        "date": "2026-03-02",
        "place": "",
        "notification": "",
    }
    assert payload["data"]["status"]["instruments_counted"] == 1
    assert "mission" not in payload["data"]


def test_a_failing_endpoint_is_tried_again_later_each_time_then_disabled(
    client, reviewer, treaty, submission, worker, settings
):
    settings.ALERTS_ATTEMPTS = 3
    settings.ALERTS_RETRY_SECONDS = 60
    with webhook_receiver() as receiver:
        receiver.answers = [500, 503, 500]
        hook = endpoint("owner@example.org", treaty, receiver.url)
        with worker():
            verify(client, submission)
        delivery = Delivery.objects.get(endpoint=hook)
        delays = []
        while delivery.status == "pending":
            delays.append((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds())
            # The retry is due now: what the clock, or the delayed task, would find.
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            with worker():
                tick.enqueue()
            delivery.refresh_from_db()
        assert len(receiver.calls) == 3
    assert [round(d) for d in delays] == [60, 120]
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 500)
    hook.refresh_from_db()
    assert not hook.active
    (told,) = mails_to("owner@example.org")
    assert told.subject == f"Webhook disabled: {receiver.url}"
    assert "3 attempts to deliver one event failed" in told.body
    assert f"/alerts/manage/{hook.owner.token}/webhooks/{hook.pk}/" in told.body
    # Disabled, it is called no more.
    other = SubmissionFactory(treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1))
    with worker():
        verify(client, other)
    assert Delivery.objects.filter(endpoint=hook).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_addresses_are_refused_in_production(url):
    with pytest.raises(webhooks.Refused, match="private, loopback or reserved"):
        webhooks.check(url, allow_private=False)
    assert webhooks.check(url, allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "https://user:pw@93.184.215.14/hook", "https:///hook"]
)
def test_a_webhook_url_is_http_without_credentials(url):
    with pytest.raises(webhooks.Refused):
        webhooks.check(url, allow_private=True)


def test_a_public_address_may_be_called():
    assert webhooks.check("https://93.184.215.14/hook", allow_private=False) == ["93.184.215.14"]


def test_the_signature_is_the_hmac_of_the_timestamp_and_the_body():
    body = b'{"type": "action.verified"}'
    assert webhooks.sign("whsec_test", 1767225600, body) == (
        "sha256="
        + hmac.new(b"whsec_test", b'1767225600.{"type": "action.verified"}', "sha256").hexdigest()
    )


# The daily check


@pytest.fixture
def ready(treaty, settings):
    settings.ALERTS_DAILY_HOUR = 0
    return treaty


@pytest.mark.parametrize(
    ("day", "reminder"),
    [
        (dt.date(2026, 12, 1), "30 days left"),
        (dt.date(2026, 12, 24), "7 days left"),
        (dt.date(2026, 12, 30), "1 day left"),
    ],
)
def test_the_signature_deadline_is_recalled_30_7_and_1_days_before(ready, worker, day, reminder):
    follow("deadline@example.org", ready, topics=[Topic.SIGNATURE_CLOSING])
    follow("verified@example.org", ready)
    with worker():
        daily_check(day)
    (alert,) = mail.outbox
    assert alert.to == ["deadline@example.org"]
    assert alert.subject == "Hanoi Convention: open for signature until 31 December 2026"
    assert f"until 31 December 2026: {reminder}." in alert.body


def test_each_reminder_is_sent_once_and_a_missed_day_is_caught_up(ready, worker):
    follow("deadline@example.org", ready, topics=[Topic.SIGNATURE_CLOSING])
    with worker():
        daily_check(dt.date(2026, 11, 30))  # 31 days left: nothing yet
        daily_check(dt.date(2026, 12, 2))  # the 30-day reminder, a day late
        daily_check(dt.date(2026, 12, 3))
        daily_check(dt.date(2026, 12, 3))
        daily_check(dt.date(2026, 12, 31))  # the 7- and 1-day days missed: the last one
        daily_check(dt.date(2027, 1, 1))  # closed
    assert [m.body.split(": ")[1].split(".")[0] for m in mail.outbox] == [
        "29 days left",
        "0 days left",
    ]


def test_entry_into_force_is_told_on_the_day_for_the_treaty_and_each_participant(ready, worker):
    early, late = ParticipantFactory(name="Early"), ParticipantFactory(name="Late")
    for state in (early, *ParticipantFactory.create_batch(39)):
        ActionFactory(
            treaty=ready, participant=state, kind=ActionKind.ACCESSION, date=dt.date(2026, 6, 1)
        )
    ActionFactory(
        treaty=ready, participant=late, kind=ActionKind.ACCESSION, date=dt.date(2026, 8, 20)
    )
    follow("treaty@example.org", ready, topics=[Topic.ENTRY_INTO_FORCE])
    follow("early@example.org", ready, early, topics=[Topic.ENTRY_INTO_FORCE])
    follow("late@example.org", ready, late, topics=[Topic.ENTRY_INTO_FORCE])
    with worker():
        daily_check(dt.date(2026, 8, 29))
    assert not mail.outbox
    with worker():
        daily_check(dt.date(2026, 8, 30))
    assert sorted(m.subject for m in mail.outbox) == [
        "Hanoi Convention: in force for Early from 30 August 2026",
        "Hanoi Convention: in force from 30 August 2026",
    ]
    mail.outbox.clear()
    with worker():
        daily_check(dt.date(2026, 9, 19))
    (alert,) = mail.outbox
    assert alert.subject == "Hanoi Convention: in force for Late from 19 September 2026"


def test_a_projection_that_moves_more_than_a_month_is_told_once(ready, worker):
    follow("projection@example.org", ready, topics=[Topic.PROJECTION])
    follow("verified@example.org", ready, topics=[Topic.SIGNATURE_CLOSING])
    with worker():
        daily_check(dt.date(2026, 3, 1))
    # The first projection seen is what later ones are measured against, not news.
    assert not mail.outbox
    first = ToldProjection.objects.get(treaty=ready)
    for state in ParticipantFactory.create_batch(30):
        ActionFactory(
            treaty=ready, participant=state, kind=ActionKind.ACCESSION, date=dt.date(2026, 3, 2)
        )
    with worker():
        daily_check(dt.date(2026, 3, 2))
        daily_check(dt.date(2026, 3, 3))
    (alert,) = mail.outbox
    moved = ToldProjection.objects.get(treaty=ready)
    assert (first.median - moved.median).days > 30
    assert alert.to == ["projection@example.org"]
    assert alert.subject == (
        f"Hanoi Convention: entry into force now projected around {date_format(moved.median)}"
    )
    assert f"from the {date_format(first.median)} projected on 1 March 2026" in alert.body
    assert "/treaties/hanoi-convention/projection/" in alert.body
    (event,) = Event.objects.filter(kind=Event.Kind.PROJECTION_MOVED)
    assert event.data["previous"]["median"] == first.median.isoformat()
    assert event.data["projected"]["median"] == moved.median.isoformat()


def test_no_projection_is_told_once_the_threshold_is_reached(ready, worker):
    follow("projection@example.org", ready, topics=[Topic.PROJECTION])
    daily_check(dt.date(2026, 3, 1))
    for state in ParticipantFactory.create_batch(40):
        ActionFactory(
            treaty=ready, participant=state, kind=ActionKind.ACCESSION, date=dt.date(2026, 3, 2)
        )
    with worker():
        daily_check(dt.date(2026, 3, 2))
    assert not mail.outbox
    assert not ToldProjection.objects.exists()


def test_the_projection_is_followed_on_the_treaty_not_on_a_participant(ready, viet_nam):
    with pytest.raises(IntegrityError):
        follow("projection@example.org", ready, viet_nam, topics=[Topic.PROJECTION])


def test_the_daily_check_runs_once_a_day_from_its_hour(ready, settings, worker):
    settings.ALERTS_DAILY_HOUR = 7
    follow("deadline@example.org", ready, topics=[Topic.SIGNATURE_CLOSING])
    six = dt.datetime(2026, 12, 24, 6, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert DailyCheck.due(six) is None
    assert DailyCheck.due(six + dt.timedelta(minutes=1)) == dt.date(2026, 12, 24)
    with worker():
        daily_check(dt.date(2026, 12, 24))
    assert DailyCheck.due(six + dt.timedelta(minutes=1)) is None
    assert daily_check(dt.date(2026, 12, 24)) == []
    assert len(mail.outbox) == 1


def test_the_daily_check_forgets_what_was_never_confirmed(ready):
    stale = follow("stale@example.org", ready, confirmed=False)
    Follow.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    Subscriber.objects.filter(pk=stale.subscriber_id).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    fresh = follow("fresh@example.org", ready, confirmed=False)
    daily_check(dt.date(2026, 1, 1))
    assert list(Follow.objects.all()) == [fresh]
    assert not Subscriber.objects.filter(email="stale@example.org").exists()


def test_an_event_a_stopped_worker_left_is_fanned_out_by_the_tick(treaty, worker):
    # Today's check done: whatever its own events would be (the real signature deadline
    # nears in December 2026), the tick has only the one left.
    DailyCheck.objects.create(day=today_in_new_york(), done_at=timezone.now())
    follow("verified@example.org", treaty)
    # Recorded, but its task never ran (a worker killed before it).
    Event.objects.create(
        kind=Event.Kind.SIGNATURE_CLOSING,
        key="signature-closing:test",
        treaty=treaty,
        data={"signature_closes_on": "2026-12-31", "days_left": 7},
    )
    follow("deadline@example.org", treaty, topics=[Topic.SIGNATURE_CLOSING])
    with worker():
        tick.enqueue()
    (alert,) = mail.outbox
    assert alert.to == ["deadline@example.org"]
