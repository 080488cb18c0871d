"""The depositary workspace: the queue, verification, rejection, direct entry."""

import datetime as dt
import json

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

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


@pytest.fixture
def treaty(db, settings):
    treaty = TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")
    settings.DEFAULT_TREATY_SLUG = treaty.slug
    return treaty


@pytest.fixture
def reviewer(client, db):
    user = DepositaryStaffFactory(username="reviewer")
    client.force_login(user)
    return user


@pytest.fixture
def submission(treaty):
    """Viet Nam signed; its mission submitted its ratification."""
    viet_nam = ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN")
    ActionFactory(treaty=treaty, participant=viet_nam)
    staff = MissionStaffFactory(username="hanoi", email="mission@example.org", missions=[viet_nam])
    return SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )


def accessions(treaty, count, day=dt.date(2026, 1, 5)):
    for _ in range(count):
        ActionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=day)


def test_the_queue_says_what_each_submission_would_change(client, reviewer, submission):
    response = client.get("/depositary/")
    assert response.status_code == 200
    assertContains(response, "Viet Nam</strong>: Ratification of")
    assertContains(response, "Counts: 1 of 40 instruments (39 more needed).")
    assertContains(response, 'hx-trigger="statusChanged from:body"')


def test_the_fortieth_instrument_announces_the_entry_into_force(
    client, reviewer, treaty, submission
):
    accessions(treaty, 39)
    response = client.get("/depositary/")
    assertContains(
        response,
        "This is instrument 40 of 40: the threshold is reached and the treaty enters into "
        "force on 31 May 2026.",
    )


def test_a_signature_in_the_queue_shows_the_signatories_before_and_after(client, reviewer, treaty):
    SubmissionFactory(treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1))
    assertContains(client.get("/depositary/"), "Signatories: 0, then 1.")


def test_the_queue_filters_by_treaty_participant_and_action(client, reviewer, treaty, submission):
    other = SubmissionFactory(kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1))
    response = client.get("/depositary/", {"participant": "VNM", "kind": "ratification"})
    assertContains(response, "1 submission pending")
    assertNotContains(response, f"<strong>{other.participant.name}</strong>")
    response = client.get("/depositary/", {"treaty": other.treaty.slug})
    assertContains(response, f"<strong>{other.participant.name}</strong>")
    assertNotContains(response, "<strong>Viet Nam</strong>")


def test_the_queue_answers_htmx_with_the_queue_alone(client, reviewer, submission):
    response = client.get("/depositary/", {"kind": "ratification"}, headers={"HX-Request": "true"})
    assertContains(response, 'id="queue"')
    assertNotContains(response, 'id="counters"')
    assertNotContains(response, "<html")
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("pending", [1, 10])
def test_the_queue_runs_the_same_queries_for_one_or_ten_submissions(
    client, reviewer, treaty, pending, django_assert_num_queries
):
    for _ in range(pending):
        SubmissionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 2, 1))
    # 1 session, 2 user, 3-4 the user's and its groups' permissions, 5 the pending
    # submissions, 6 the treaty's verified actions (the impacts), 7 pending counts
    # by treaty, 8 treaties, 9 the status of the (one) treaty for the counters,
    # 10 whether the user is also mission staff (the header), 11-12 the filters'
    # treaties and participants.
    with django_assert_num_queries(12):
        response = client.get("/depositary/")
    assert response.status_code == 200


def test_verifying_counts_it_tells_the_mission_and_the_counters(client, reviewer, submission):
    response = client.post(
        f"/depositary/submissions/{submission.pk}/verify/",
        {"version": submission.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"statusChanged": {}}
    assertContains(response, "Verified: Viet Nam: Ratification of 2 March 2026.")
    assertContains(response, "0 submissions pending")
    submission.refresh_from_db()
    assert (submission.review, submission.reviewed_by) == ("verified", reviewer)
    assert submission.treaty.status().status.instruments_counted == 1
    (message,) = mail.outbox
    assert message.to == ["mission@example.org"]
    assert message.subject == "Verified: Viet Nam: Ratification of 2 March 2026"
    assert "Your submissions: http://testserver/mission/" in message.body
    counters = client.get("/depositary/counters/")
    assertContains(counters, '<span class="num">1</span>')


def test_verifying_without_javascript_redirects_to_the_filtered_queue(client, reviewer, submission):
    response = client.post(
        f"/depositary/submissions/{submission.pk}/verify/",
        {"version": submission.version, "query": "kind=ratification"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/depositary/?kind=ratification"


def test_the_mission_sees_the_decision_in_its_workspace(client, reviewer, submission):
    client.post(
        f"/depositary/submissions/{submission.pk}/reject/",
        {"version": submission.version, "reason": "No instrument received in New York."},
    )
    client.force_login(submission.submitted_by)
    response = client.get("/mission/")
    assertContains(response, "The depositary's decisions")
    assertContains(response, "No instrument received in New York.")


def test_rejecting_needs_a_reason(client, reviewer, submission):
    response = client.post(
        f"/depositary/submissions/{submission.pk}/reject/",
        {"version": submission.version, "reason": " "},
        follow=True,
    )
    assertContains(response, "To reject a submission, say why.")
    submission.refresh_from_db()
    assert submission.review == "pending"
    assert not mail.outbox


def test_rejecting_tells_the_mission_why(client, reviewer, submission):
    client.post(
        f"/depositary/submissions/{submission.pk}/reject/",
        {"version": submission.version, "reason": "No instrument received."},
    )
    submission.refresh_from_db()
    assert (submission.review, submission.rejection_reason) == (
        "rejected",
        "No instrument received.",
    )
    assert "No instrument received." in mail.outbox[0].body
    assert submission.treaty.status().status.instruments_counted == 0


def test_a_submission_changed_since_the_page_was_opened_is_not_verified(
    client, reviewer, submission
):
    seen = submission.version
    submission.place = "Geneva"
    submission.record_change(submission.submitted_by, "edited")
    response = client.post(
        f"/depositary/submissions/{submission.pk}/verify/", {"version": seen}, follow=True
    )
    assertContains(response, "This submission was changed after you opened it")
    submission.refresh_from_db()
    assert submission.review == "pending"


def test_a_submission_already_decided_says_by_whom(client, reviewer, submission):
    other = DepositaryStaffFactory(username="colleague")
    submission.verify(other)
    response = client.post(
        f"/depositary/submissions/{submission.pk}/reject/",
        {"version": submission.version - 1, "reason": "Too late"},
        follow=True,
    )
    assertContains(response, "This submission was already verified by colleague")


def test_verifying_checks_the_rules_against_what_is_verified(client, reviewer, treaty):
    # Submitted while the mission's own signature was pending; the signature was rejected.
    pending = SubmissionFactory(
        treaty=treaty, kind=ActionKind.RATIFICATION, date=dt.date(2026, 3, 2)
    )
    response = client.post(
        f"/depositary/submissions/{pending.pk}/verify/", {"version": pending.version}, follow=True
    )
    assertContains(response, "needs an earlier signature")
    pending.refresh_from_db()
    assert pending.review == "pending"


def test_several_submissions_are_verified_at_once(client, reviewer, treaty, submission):
    signature = SubmissionFactory(
        treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1)
    )
    response = client.post(
        "/depositary/verify/",
        {
            "selected": [
                f"{submission.pk}:{submission.version}",
                f"{signature.pk}:{signature.version}",
            ]
        },
        headers={"HX-Request": "true"},
    )
    assert json.loads(response["HX-Trigger"]) == {"statusChanged": {}}
    assertContains(response, "Verified 2:")
    assert Action.objects.pending().count() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["mission@example.org", signature.submitted_by.email]
    )


def test_one_refused_submission_leaves_the_others_verified(client, reviewer, treaty, submission):
    refused = SubmissionFactory(
        treaty=treaty, kind=ActionKind.RATIFICATION, date=dt.date(2026, 3, 2)
    )
    client.post(
        "/depositary/verify/",
        {"selected": [f"{refused.pk}:{refused.version}", f"{submission.pk}:{submission.version}"]},
    )
    refused.refresh_from_db()
    submission.refresh_from_db()
    assert (refused.review, submission.review) == ("pending", "verified")


def test_the_depositary_records_a_verified_action_directly(client, reviewer, treaty):
    canada = ParticipantFactory(name="Canada", iso3="CAN", iso2="CA")
    response = client.post(
        "/depositary/actions/new/",
        {
            "participant": canada.pk,
            "treaty": treaty.pk,
            "kind": "signature",
            "date": "2026-07-15",
            "place": "New York",
            "source": "C.N. notification",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(participant=canada)
    assert (action.review, action.reviewed_by, action.submitted_by) == (
        "verified",
        reviewer,
        reviewer,
    )
    assert action.history.get().history_change_reason == "entered verified"


def test_a_direct_entry_that_breaks_a_rule_is_refused(client, reviewer, treaty, submission):
    response = client.post(
        "/depositary/actions/new/",
        {
            "participant": submission.participant.pk,
            "treaty": treaty.pk,
            "kind": "signature",
            "date": "2026-07-15",
        },
    )
    assert response.status_code == 200
    assertContains(response, "already signed")


@pytest.mark.parametrize(
    "url",
    [
        "/depositary/verify/",
        "/depositary/submissions/1/verify/",
        "/depositary/submissions/1/reject/",
    ],
)
def test_decisions_are_posts(client, reviewer, url):
    assert client.get(url).status_code == 405
