"""The real worker: `manage.py worker` processes, a mail server and a webhook receiver on
loopback, over the test database (a transactional test commits what the workers must see).

A verification mails each matching subscriber once and calls each endpoint once, signed;
a failing endpoint is tried again after longer and longer pauses, then disabled; two
workers never send one alert twice; a worker killed while sending loses nothing.
"""

import datetime as dt
import hashlib
import hmac
import json
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client

from alerts.models import Delivery, Endpoint, Follow, Subscriber, Topic
from ratifications.rules import ActionKind, today_in_new_york
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)
from tests.servers import ROOT, _environment, database_url
from tests.sinks import smtp_sink, webhook_receiver

pytestmark = pytest.mark.slow


@contextmanager
def worker(log: Path, mailbox, **env):
    """One `manage.py worker`, production settings, quick to look and to retry."""
    environment = _environment(
        {
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
            "ALERTS_ALLOW_PRIVATE_WEBHOOKS": "true",
            "ALERTS_RETRY_SECONDS": "1",
            "ALERTS_ATTEMPTS": "3",
            "ALERTS_WEBHOOK_TIMEOUT_SECONDS": "60",
            **env,
        }
    )
    command = [sys.executable, "manage.py", "worker", "--no-startup-delay"]
    command += ["--interval", "0.1", "--tick", "0.3"]
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cast(transactional_db):
    """Viet Nam's ratification waiting for the depositary, its mission, and a reviewer."""
    treaty = TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")
    viet_nam = ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN")
    ActionFactory(treaty=treaty, participant=viet_nam)
    staff = MissionStaffFactory(email="mission@example.org", missions=[viet_nam])
    submission = SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )
    reviewer = Client()
    reviewer.force_login(DepositaryStaffFactory())
    return treaty, viet_nam, submission, reviewer


def follow(email, treaty, participant=None, topics=(Topic.VERIFIED,)):
    following = Follow(
        subscriber=Subscriber.objects.for_address(email), treaty=treaty, participant=participant
    )
    following.topics = set(topics)
    following.save()
    following.confirm()
    return following


def endpoint(treaty, url, participant=None):
    hook = Endpoint(
        owner=Subscriber.objects.for_address("owner@example.org"),
        treaty=treaty,
        participant=participant,
        url=url,
    )
    hook.topics = {Topic.VERIFIED}
    hook.save()
    return hook


def verify(reviewer, action):
    response = reviewer.post(
        f"/depositary/submissions/{action.pk}/verify/", {"version": action.version}
    )
    assert response.status_code == 302


def settle(seconds=1.5):
    """Long enough for a second, wrong, send to arrive."""
    time.sleep(seconds)


def test_a_verification_mails_each_subscriber_once_and_calls_each_endpoint_signed(cast, tmp_path):
    treaty, viet_nam, submission, reviewer = cast
    follow("treaty@example.org", treaty)
    follow("vnm@example.org", treaty, viet_nam)
    follow("elsewhere@example.org", treaty, ParticipantFactory())
    with smtp_sink() as mailbox, webhook_receiver() as receiver:
        hooks = [endpoint(treaty, receiver.url), endpoint(treaty, receiver.url, viet_nam)]
        with worker(tmp_path / "worker.log", mailbox):
            verify(reviewer, submission)
            mails = mailbox.wait_for(3)
            calls = receiver.wait_for(2)
            settle()
        assert len(mailbox.messages) == 3, (tmp_path / "worker.log").read_text()
        assert len(receiver.calls) == 2
    assert sorted(m["To"] for m in mails) == [
        "mission@example.org",
        "treaty@example.org",
        "vnm@example.org",
    ]
    alert = mailbox.to("vnm@example.org")[0]
    assert alert["Subject"] == "Verified: Viet Nam: Ratification of 2 March 2026"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    secrets = {str(d.uuid): d.endpoint.secret for d in Delivery.objects.exclude(endpoint=None)}
    assert {d.endpoint for d in Delivery.objects.exclude(endpoint=None)} == set(hooks)
    for call in calls:
        secret = secrets[call.headers["Treatytrack-Delivery"]]
        signed = call.headers["Treatytrack-Timestamp"].encode() + b"." + call.body
        digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert call.headers["Treatytrack-Signature"] == f"sha256={digest}"
        assert json.loads(call.body)["type"] == "action.verified"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_endpoint_is_tried_again_after_longer_pauses_then_disabled(cast, tmp_path):
    treaty, _viet_nam, submission, reviewer = cast
    with smtp_sink() as mailbox, webhook_receiver() as receiver:
        receiver.answers = [500, 502, 500]
        hook = endpoint(treaty, receiver.url)
        with worker(tmp_path / "worker.log", mailbox):
            verify(reviewer, submission)
            calls = receiver.wait_for(3)
            told = mailbox.wait_for(2)  # the mission's news, and the owner's
            settle()
        assert len(receiver.calls) == 3
    first, second = calls[1].at - calls[0].at, calls[2].at - calls[1].at
    # ALERTS_RETRY_SECONDS=1: about one second, then about two.
    assert 0.9 < first < second
    assert second > 1.8
    hook.refresh_from_db()
    assert not hook.active
    delivery = Delivery.objects.get(endpoint=hook)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 500)
    (owner,) = [m for m in told if m["To"] == "owner@example.org"]
    assert owner["Subject"] == f"Webhook disabled: {receiver.url}"


def test_two_workers_never_send_one_alert_twice(cast, tmp_path):
    treaty, _viet_nam, submission, reviewer = cast
    # A treaty whose signature deadline is ten days away: the daily check recalls it once.
    closing = TreatyFactory(
        slug="closing-soon", signature_closes_on=today_in_new_york() + dt.timedelta(days=10)
    )
    follow("deadline@example.org", closing, topics=[Topic.SIGNATURE_CLOSING])
    others = [
        SubmissionFactory(
            treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1), submitted_by=None
        )
        for _ in range(2)
    ]
    for n in range(15):
        follow(f"reader{n}@example.org", treaty)
    with smtp_sink() as mailbox, webhook_receiver() as receiver:
        for _ in range(4):
            endpoint(treaty, receiver.url)
        with (
            worker(tmp_path / "one.log", mailbox, ALERTS_DAILY_HOUR="0"),
            worker(tmp_path / "two.log", mailbox, ALERTS_DAILY_HOUR="0"),
        ):
            for action in (submission, *others):
                verify(reviewer, action)
            # 3 events x 15 readers, the mission's news of its ratification, the reminder.
            mailbox.wait_for(3 * 15 + 1 + 1)
            receiver.wait_for(3 * 4)
            settle(2.5)
        mails = Counter((m["To"], m["Subject"]) for m in mailbox.messages)
        calls = Counter(call.headers["Treatytrack-Delivery"] for call in receiver.calls)
    assert len(mailbox.messages) == 47
    assert max(mails.values()) == 1
    assert len(receiver.calls) == 12
    assert max(calls.values()) == 1
    assert len(mailbox.to("deadline@example.org")) == 1
    logs = (tmp_path / "one.log").read_text() + (tmp_path / "two.log").read_text()
    assert "Traceback" not in logs
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_worker_killed_while_sending_loses_nothing(cast, tmp_path):
    treaty, _viet_nam, submission, reviewer = cast
    with smtp_sink() as mailbox, webhook_receiver() as receiver:
        hook = endpoint(treaty, receiver.url)
        # The first call is answered only after the worker that made it is dead.
        receiver.hold = 30
        with worker(tmp_path / "first.log", mailbox) as first:
            verify(reviewer, submission)
            receiver.wait_for(1)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        delivery = Delivery.objects.get(endpoint=hook)
        assert (delivery.status, delivery.sent_at) == ("pending", None)
        with worker(tmp_path / "second.log", mailbox):
            calls = receiver.wait_for(2)
            deadline = time.monotonic() + 10
            while Delivery.objects.get(pk=delivery.pk).status != "sent":
                assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()
                time.sleep(0.1)
    # The same delivery, sent again: the receiver can tell it is a repeat.
    assert calls[0].headers["Treatytrack-Delivery"] == calls[1].headers["Treatytrack-Delivery"]
    assert mailbox.to("mission@example.org")
