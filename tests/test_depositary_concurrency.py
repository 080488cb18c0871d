"""Two people acting on one submission at once end with one outcome and one clear message.

Each request runs in its own thread, with its own database connection and real
transactions, released together by a barrier. Row locks (select_for_update) are
PostgreSQL's; `make test` and CI run on it. SQLite, the local fallback when no
PostgreSQL answers, has no row locks to test.
"""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from ratifications import importing, models
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


def checked_together(monkeypatch) -> None:
    """Each reviewer, having checked the rules, waits for the other to have checked too.

    Without a lock both check against the same records and both pass. With the
    treaty's lock the other cannot check before this one commits: after a few
    seconds this one goes on alone, and the other checks against what it wrote.
    """
    both_checked = threading.Barrier(2)
    check = Action.rule_problems

    def check_then_wait(self, **kwargs):
        problems = check(self, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=3)
        return problems

    monkeypatch.setattr(Action, "rule_problems", check_then_wait)


def test_two_instruments_of_one_state_verified_at_once_count_once(monkeypatch):
    """Issue 11, #9: the treaty's lock, not the luck of timing, keeps one instrument in force."""
    treaty = TreatyFactory()
    viet_nam = ParticipantFactory(name="Viet Nam")
    ActionFactory(treaty=treaty, participant=viet_nam)
    ratification, accession = (
        SubmissionFactory(treaty=treaty, participant=viet_nam, kind=kind, date=day)
        for kind, day in (
            (ActionKind.RATIFICATION, dt.date(2026, 3, 2)),
            (ActionKind.ACCESSION, dt.date(2026, 3, 3)),
        )
    )
    checked_together(monkeypatch)
    pages = race(
        (
            signed_in(DepositaryStaffFactory()),
            f"/depositary/submissions/{ratification.pk}/verify/",
            {},
        ),
        (
            signed_in(DepositaryStaffFactory()),
            f"/depositary/submissions/{accession.pk}/verify/",
            {},
        ),
    )
    # The signature and one instrument.
    assert Action.objects.verified().filter(participant=viet_nam).count() == 2
    assert sum("Verified: Viet Nam:" in page for page in pages) == 1
    # Whichever came second is refused by the rules, which now see the first.
    assert sum("Not verified: Viet Nam:" in page for page in pages) == 1
    assert treaty.status().status.instruments_counted == 1


def verify_two_signatures_at_once(monkeypatch) -> list[str]:
    """Canada's two pending signatures, verified by two reviewers at the same moment."""
    treaty = TreatyFactory()
    canada = ParticipantFactory(name="Canada")
    first, second = (
        SubmissionFactory(treaty=treaty, participant=canada, date=day)
        for day in (dt.date(2026, 7, 15), dt.date(2026, 7, 16))
    )
    checked_together(monkeypatch)
    pages = race(
        (signed_in(DepositaryStaffFactory()), f"/depositary/submissions/{first.pk}/verify/", {}),
        (signed_in(DepositaryStaffFactory()), f"/depositary/submissions/{second.pk}/verify/", {}),
    )
    assert Action.objects.verified().filter(participant=canada).count() == 1
    assert sum("Verified: Canada: Signature" in page for page in pages) == 1
    return pages


def test_two_signatures_of_one_state_verified_at_once_count_once(monkeypatch):
    pages = verify_two_signatures_at_once(monkeypatch)
    assert sum("already signed" in page for page in pages) == 1


def test_without_the_lock_the_constraint_still_counts_one_signature(monkeypatch):
    """The constraint action_one_verified_signature stays as the last guard."""
    monkeypatch.setattr(models, "lock_records", lambda treaty: None)
    pages = verify_two_signatures_at_once(monkeypatch)
    assert sum("verified by someone else at the same moment" in page for page in pages) == 1


def test_a_verification_during_an_import_waits_for_it_and_sees_its_rows(monkeypatch):
    """The import holds the treaty's lock from its last check to its commit; verify takes it."""
    treaty = TreatyFactory()
    canada = ParticipantFactory(name="Canada", iso3="CAN")
    ActionFactory(treaty=treaty, participant=canada)
    submission = SubmissionFactory(
        treaty=treaty, participant=canada, kind=ActionKind.ACCESSION, date=dt.date(2026, 3, 3)
    )
    plan = importing.plan_import("participant,action,date\nCAN,ratification,2026-03-02\n", treaty)
    assert plan.ok
    # The import, having written its rows, gives the reviewer a few seconds to
    # verify before it commits: without a lock, time enough to pass.
    written, verified = threading.Event(), threading.Event()
    record_history = importing._record_history

    def write_then_wait(*args):
        record_history(*args)
        written.set()
        verified.wait(timeout=3)

    monkeypatch.setattr(importing, "_record_history", write_then_wait)
    reviewer = signed_in(DepositaryStaffFactory())
    pages = []

    def verify():
        try:
            written.wait(timeout=30)
            url = f"/depositary/submissions/{submission.pk}/verify/"
            pages.append(reviewer.post(url, {}, follow=True).content.decode())
        finally:
            verified.set()
            connections.close_all()

    thread = threading.Thread(target=verify)
    thread.start()
    try:
        assert plan.apply() == 1
    finally:
        thread.join(timeout=60)
    assert "already a party by ratification" in pages[0]
    submission.refresh_from_db()
    assert submission.review == "pending"
    assert treaty.status().status.instruments_counted == 1
