"""Two people acting on one submission at once end with one outcome and one clear message.

Each request runs in its own thread, with its own database connection and real
transactions, released together by a barrier. Row locks (select_for_update) are
PostgreSQL's; `make test` and CI run on it. SQLite, the local fallback when no
PostgreSQL answers, has no row locks to test.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from ratifications.models import Action
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs on it"
    ),
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def race(*requests):
    """POST each (client, url, data) at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(requests))
    pages = [None] * len(requests)

    def post(index, client, url, data):
        try:
            barrier.wait(timeout=30)
            pages[index] = client.post(url, data, follow=True).content.decode()
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(page is not None for page in pages), "a request did not finish"
    return pages


@pytest.fixture
def submission():
    treaty = TreatyFactory()
    viet_nam = ParticipantFactory(name="Viet Nam")
    ActionFactory(treaty=treaty, participant=viet_nam)
    return SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=MissionStaffFactory(missions=[viet_nam]),
    )


def test_two_reviewers_verifying_one_submission_verify_it_once(submission):
    url = f"/depositary/submissions/{submission.pk}/verify/"
    data = {"version": submission.version}
    pages = race(
        (signed_in(DepositaryStaffFactory(username="ana")), url, data),
        (signed_in(DepositaryStaffFactory(username="ben")), url, data),
    )
    winners = [page for page in pages if "Verified: Viet Nam: Ratification" in page]
    losers = [page for page in pages if "This submission was already verified by" in page]
    assert (len(winners), len(losers)) == (1, 1)
    submission.refresh_from_db()
    assert submission.review == "verified"
    assert list(submission.history.values_list("history_change_reason", flat=True)) == [
        "verified",
        None,
    ]
    assert submission.treaty.status().status.instruments_counted == 1


def test_a_mission_editing_what_is_being_verified_gets_one_outcome(submission):
    mission = signed_in(submission.submitted_by)
    reviewer = signed_in(DepositaryStaffFactory())
    edit = {
        "participant": submission.participant_id,
        "treaty": submission.treaty_id,
        "kind": "ratification",
        "date": "2026-03-03",
        "place": "Geneva",
        "version": submission.version,
    }
    mission_page, reviewer_page = race(
        (mission, f"/mission/submissions/{submission.pk}/edit/", edit),
        (reviewer, f"/depositary/submissions/{submission.pk}/verify/", {"version": 1}),
    )
    submission.refresh_from_db()
    if submission.review == "verified":
        # The reviewer was first: the mission is told, and nothing it typed was saved.
        assert "This submission was already verified by" in mission_page
        assert (submission.date, submission.place) == (dt.date(2026, 3, 2), "")
    else:
        # The mission was first: the reviewer is told to look at the new values.
        assert "This submission was changed after you opened it" in reviewer_page
        assert (submission.review, submission.place) == ("pending", "Geneva")


def test_two_submissions_of_one_fact_verified_at_once_count_once(monkeypatch):
    """The constraint action_one_verified_signature settles what the rules cannot see."""
    treaty = TreatyFactory()
    canada = ParticipantFactory(name="Canada")
    first, second = (
        SubmissionFactory(treaty=treaty, participant=canada, date=day)
        for day in (dt.date(2026, 7, 15), dt.date(2026, 7, 16))
    )
    # Both reviewers check the rules before either saves: neither sees the other's.
    both_checked = threading.Barrier(2)
    check = Action.rule_problems

    def check_then_wait(self, **kwargs):
        problems = check(self, **kwargs)
        both_checked.wait(timeout=30)
        return problems

    monkeypatch.setattr(Action, "rule_problems", check_then_wait)
    pages = race(
        (signed_in(DepositaryStaffFactory()), f"/depositary/submissions/{first.pk}/verify/", {}),
        (signed_in(DepositaryStaffFactory()), f"/depositary/submissions/{second.pk}/verify/", {}),
    )
    assert Action.objects.verified().filter(participant=canada).count() == 1
    assert sum("Verified: Canada: Signature" in page for page in pages) == 1
    assert sum("verified by someone else at the same moment" in page for page in pages) == 1
