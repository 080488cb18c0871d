"""The depositary workspace: the queue, verification, rejection, direct entry."""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ratifications.models import Action, Revision
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    OrganizationFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
    UserFactory,
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
        decided = SubmissionFactory(
            treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 2, 1)
        )
        decided.verify(reviewer)
    # 1 session, 2 user, 3-4 the user's and its groups' permissions, 5 the pending
    # submissions, 6 the treaty's verified actions (the impacts), 7 pending counts
    # by treaty, 8 treaties, 9 the status of the (one) treaty for the counters,
    # 10-11 the recent decisions and their actions, 12 whether the user is also
    # mission staff (the header), 13-14 the filters' treaties and participants.
    with django_assert_num_queries(14):
        response = client.get("/depositary/")
    assert response.status_code == 200


def test_verifying_counts_it_tells_the_mission_and_the_counters(
    client, reviewer, submission, worker
):
    with worker():
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
    assert "Your submissions: http://127.0.0.1:8000/mission/" in message.body
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


def test_rejecting_tells_the_mission_why(client, reviewer, submission, worker):
    with worker():
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


def test_several_submissions_are_verified_at_once(client, reviewer, treaty, submission, worker):
    signature = SubmissionFactory(
        treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1)
    )
    with worker():
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


def test_rejecting_is_a_post(client, reviewer, submission):
    assert client.get(f"/depositary/submissions/{submission.pk}/reject/").status_code == 405


# Verifying is confirmed first, saying what it changes


def test_verifying_is_confirmed_first_in_a_dialog_saying_what_it_changes(
    client, reviewer, submission
):
    response = client.get(
        f"/depositary/submissions/{submission.pk}/verify/",
        {"version": submission.version, "query": "kind=ratification"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<dialog class="confirm" data-modal')
    assert "<html" not in content
    assert "Verify this submission?" in content
    assert "Counts: 1 of 40 instruments (39 more needed)." in content
    assert re.search(
        r'<tr class="changed"><th scope="row">Instruments counted</th>'
        r"<td>0 of 40</td><td>1 of 40</td></tr>",
        content,
    )
    # The button that decides, carrying the version shown and the queue's filters back.
    assert f'hx-post="/depositary/submissions/{submission.pk}/verify/"' in content
    assert 'name="query" value="kind=ratification"' in content
    assert '<form method="dialog">' in content
    submission.refresh_from_db()
    assert submission.review == "pending"


def test_without_javascript_the_confirmation_is_a_page(client, reviewer, submission):
    response = client.get(
        f"/depositary/submissions/{submission.pk}/verify/",
        {"version": submission.version, "query": "kind=ratification"},
    )
    assertContains(response, "<html")
    assertContains(response, '<h1 id="confirm-heading">Verify this submission?</h1>')
    assertContains(response, '<a href="/depositary/?kind=ratification">Back to the queue</a>')
    assertNotContains(response, '<form method="dialog">')


def test_a_confirmation_opened_after_a_change_says_so(client, reviewer, submission):
    seen = submission.version
    submission.place = "Geneva"
    submission.record_change(submission.submitted_by, "edited")
    response = client.get(f"/depositary/submissions/{submission.pk}/verify/", {"version": seen})
    assertContains(response, "Changed since the queue was drawn")
    assertContains(response, f'name="version" value="{submission.version}"')


def test_the_confirmation_of_a_decided_submission_says_who_decided(client, reviewer, submission):
    submission.verify(DepositaryStaffFactory(username="colleague"))
    response = client.get(f"/depositary/submissions/{submission.pk}/verify/")
    assertContains(response, "This submission was already verified by colleague")
    assertNotContains(response, 'name="version"')


def test_the_queue_links_each_verification_to_its_confirmation(client, reviewer, submission):
    response = client.get("/depositary/", {"kind": "ratification"})
    url = f"/depositary/submissions/{submission.pk}/verify/?version=1&amp;query=kind%3Dratification"
    assertContains(response, f'href="{url}"')
    assertContains(response, f'hx-get="{url}" hx-target="#dialog-slot"')
    # Read, and jumped through, by headings.
    assertContains(response, '<h3><label for="select-')


def test_verifying_the_ticked_submissions_is_confirmed_with_their_joint_effect(
    client, reviewer, treaty, submission
):
    other = SubmissionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 2, 1))
    response = client.get(
        "/depositary/verify/",
        {"selected": [f"{submission.pk}:1", f"{other.pk}:1"]},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert "Verify 2 submissions?" in content
    assert "<td>0 of 40</td><td>2 of 40</td>" in content
    assert content.count('<input type="hidden" name="selected"') == 2
    assert Action.objects.pending().count() == 2


@pytest.mark.parametrize(
    "bad", ["²:1", "1²:1", "٣:1", "3:²", "3", ":1", "3:1:1", " 3:1", "99999999999999999999:1"]
)
def test_a_ticked_value_not_understood_verifies_nothing(
    client, reviewer, treaty, submission, bad, worker
):
    signature = SubmissionFactory(
        treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1)
    )
    # The good one first: it used to be verified (and mailed) before the bad one failed.
    data = {"selected": [f"{signature.pk}:{signature.version}", bad]}
    with worker():
        response = client.post("/depositary/verify/", data)
    assert response.status_code == 400
    assertContains(response, "is not a ticked submission: nothing was verified.", status_code=400)
    assert Action.objects.pending().count() == 2
    assert not mail.outbox
    response = client.get("/depositary/verify/", data, headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_verifying_with_nothing_ticked_says_to_tick_first(client, reviewer, submission):
    response = client.get("/depositary/verify/", headers={"HX-Request": "true"})
    assertContains(response, "Tick the submissions to verify first.")
    assertNotContains(response, 'type="submit" class="button"')
    response = client.post("/depositary/verify/", follow=True)
    assertContains(response, "Tick the submissions to verify first.")


def test_the_same_submission_ticked_twice_is_verified_once(client, reviewer, submission, worker):
    value = f"{submission.pk}:{submission.version}"
    with worker():
        response = client.post("/depositary/verify/", {"selected": [value, value]}, follow=True)
    assertContains(response, "Verified 1: Viet Nam: Ratification of 2 March 2026.")
    assertNotContains(response, "already verified")
    assert len(mail.outbox) == 1


# Undo


def verify(client, action):
    client.post(f"/depositary/submissions/{action.pk}/verify/", {"version": action.version})
    action.refresh_from_db()
    assert action.review == "verified"


def undo(client, action, reason="Deposit not received in New York.", **extra):
    return client.post(
        f"/depositary/submissions/{action.pk}/undo/",
        {"version": action.version, "reason": reason},
        **extra,
    )


def test_undoing_a_verification_puts_it_back_in_the_queue_and_out_of_the_count(
    client, reviewer, submission, worker
):
    verify(client, submission)
    revision = Revision.current().number
    with worker():
        response = undo(client, submission, headers={"HX-Request": "true"})
    assert json.loads(response["HX-Trigger"]) == {"statusChanged": {}}
    assertContains(
        response, "Undone: Viet Nam: Ratification of 2 March 2026 is pending verification again."
    )
    assertContains(response, "1 submission pending")
    submission.refresh_from_db()
    assert (submission.review, submission.reviewed_by, submission.reviewed_at) == (
        "pending",
        None,
        None,
    )
    assert submission.undo_reason == "Deposit not received in New York."
    # Out of the public count at once: the record's revision moved on.
    assert Revision.current().number > revision
    assert submission.treaty.status().status.instruments_counted == 0
    record = submission.history.latest()
    assert (record.history_change_reason, record.history_user) == ("undone", reviewer)
    (message,) = mail.outbox
    assert message.subject == "Decision undone: Viet Nam: Ratification of 2 March 2026"
    assert "Deposit not received in New York." in message.body
    # And it can be verified again.
    verify(client, submission)
    assert submission.treaty.status().status.instruments_counted == 1


def test_undoing_needs_a_reason(client, reviewer, submission):
    verify(client, submission)
    response = undo(client, submission, reason="  ", follow=True)
    assertContains(response, "To undo a decision, say why.")
    submission.refresh_from_db()
    assert submission.review == "verified"


def test_undoing_a_rejection_clears_its_reason(client, reviewer, submission):
    submission.reject(reviewer, "No instrument received.")
    undo(client, submission, reason="The instrument arrived after all.")
    submission.refresh_from_db()
    assert (submission.review, submission.rejection_reason) == ("pending", "")
    client.force_login(submission.submitted_by)
    response = client.get("/mission/")
    assertContains(response, "The depositary undid its decision:")
    assertContains(response, "The instrument arrived after all.")


def test_a_pending_submission_has_no_decision_to_undo(client, reviewer, submission):
    response = undo(client, submission, follow=True)
    assertContains(response, "There is no decision to undo: this submission is pending")
    response = client.get(f"/depositary/submissions/{submission.pk}/undo/")
    assertContains(response, "There is no decision to undo")
    assertNotContains(response, 'name="reason"')


def test_an_undo_over_a_newer_version_is_refused(client, reviewer, submission):
    verify(client, submission)
    client.post(
        f"/depositary/submissions/{submission.pk}/undo/",
        {"version": submission.version - 1, "reason": "Wrong"},
    )
    submission.refresh_from_db()
    assert submission.review == "verified"


def test_a_signature_a_verified_ratification_stands_on_cannot_be_undone(
    client, reviewer, submission
):
    verify(client, submission)
    signature = Action.objects.get(participant=submission.participant, kind="signature")
    page = client.get(f"/depositary/submissions/{signature.pk}/undo/")
    message = (
        "Without it, Viet Nam: Ratification of 2 March 2026 would break the rules: "
        "A ratification needs an earlier signature, and this participant has not signed."
    )
    assertContains(page, message)
    assertNotContains(page, 'name="reason"')
    response = undo(client, signature, follow=True)
    assertContains(response, "Not undone: Viet Nam: Signature of 25 October 2025. " + message)
    signature.refresh_from_db()
    assert signature.review == "verified"
    # Undo the ratification first, then the signature may go.
    undo(client, submission)
    signature.refresh_from_db()
    undo(client, signature)
    signature.refresh_from_db()
    assert signature.review == "pending"


def test_a_member_states_signature_the_organization_stands_on_cannot_be_undone(
    client, reviewer, treaty
):
    france = ParticipantFactory(name="France")
    union = OrganizationFactory(name="European Union")
    union.members.add(france)
    french = ActionFactory(treaty=treaty, participant=france)
    ActionFactory(treaty=treaty, participant=union)
    response = undo(client, french, follow=True)
    assertContains(response, "An organization may sign only after at least one of its member")
    french.refresh_from_db()
    assert french.review == "verified"
    # With another member's signature standing, it may go.
    germany = ParticipantFactory(name="Germany")
    union.members.add(germany)
    ActionFactory(treaty=treaty, participant=germany)
    undo(client, french)
    french.refresh_from_db()
    assert french.review == "pending"


def test_an_instrument_a_protocol_instrument_stands_on_cannot_be_undone(
    client, reviewer, treaty, submission
):
    verify(client, submission)
    protocol = TreatyFactory(parent=treaty)
    ActionFactory(
        treaty=protocol,
        participant=submission.participant,
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 4, 1),
    )
    response = undo(client, submission, follow=True)
    assertContains(response, "must already be a party to the parent treaty")
    submission.refresh_from_db()
    assert submission.review == "verified"


def test_the_queue_lists_recent_decisions_with_the_way_back(client, reviewer, submission):
    verify(client, submission)
    response = client.get("/depositary/")
    recent = response.content.decode().split('<section id="recent"', 1)[1]
    assert '<span class="badge review-verified">Verified</span>' in recent
    assert "Viet Nam: Ratification of 2 March 2026" in recent
    assert f'hx-get="/depositary/submissions/{submission.pk}/undo/"' in recent
    undo(client, submission)
    recent = client.get("/depositary/").content.decode().split('<section id="recent"', 1)[1]
    assert "Decision undone</span>" in recent
    assert "Deposit not received in New York." in recent
    # Only the latest version of a decision can be undone.
    assert "/undo/" not in recent
    assert '<a href="/depositary/audit/">' in recent


def test_undoing_is_confirmed_first_saying_what_it_changes(client, reviewer, submission):
    verify(client, submission)
    response = client.get(
        f"/depositary/submissions/{submission.pk}/undo/", headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert "Undo the verification?" in content
    assert "stops counting in public at once" in content
    assert "<td>1 of 40</td><td>0 of 40</td>" in content
    assert 'name="reason"' in content and "autofocus" in content
    submission.refresh_from_db()
    assert submission.review == "verified"


def test_the_history_page_offers_the_undo(client, reviewer, submission):
    verify(client, submission)
    response = client.get(f"/depositary/submissions/{submission.pk}/history/")
    assertContains(
        response, f'<a href="/depositary/submissions/{submission.pk}/undo/">Undo the verification'
    )


# The audit trail, searched


def test_the_audit_trail_is_searched_by_participant_person_decision_and_date(
    client, reviewer, treaty, submission
):
    verify(client, submission)
    undo(client, submission)
    other = SubmissionFactory(treaty=treaty, kind=ActionKind.SIGNATURE, date=dt.date(2026, 2, 1))
    other.reject(DepositaryStaffFactory(username="colleague"), "Not received")

    def entries(**params):
        page = client.get("/depositary/audit/", params).content.decode()
        return re.findall(r'<li class="audit-entry">', page), page

    found, page = entries()
    # A submitted, verified and undone; the Vietnamese signature; B submitted, rejected.
    assert len(found) == 6
    assert "6 changes" in page
    found, page = entries(participant="VNM")
    assert len(found) == 4
    found, page = entries(person="colleag")
    assert len(found) == 1 and "Not received" in page
    found, page = entries(decision="undone")
    assert len(found) == 1
    assert "<del>Verified</del>" in page and "<ins>Pending verification</ins>" in page
    assert "Deposit not received in New York." in page
    assert f'<a href="/depositary/submissions/{submission.pk}/history/">' in page
    today = timezone.localdate()
    found, _page = entries(since=today.isoformat(), until=today.isoformat())
    assert len(found) == 6
    found, _page = entries(until=(today - dt.timedelta(days=1)).isoformat())
    assert found == []
    found, _page = entries(treaty=treaty.slug, decision="rejected")
    assert len(found) == 1


def test_a_wrong_audit_search_says_what_is_wrong(client, reviewer, submission):
    response = client.get("/depositary/audit/", {"since": "2026-02-30", "decision": "deleted"})
    assert response.status_code == 400
    assertContains(response, "Enter a valid date.", status_code=400)
    assertContains(response, "Select a valid choice.", status_code=400)
    response = client.get("/depositary/audit/", {"since": "2026-03-02", "until": "2026-03-01"})
    assertContains(response, "The end comes before the start.", status_code=400)


@pytest.mark.parametrize("changes", [1, 30])
def test_the_audit_trail_comes_a_page_at_a_time_at_the_same_cost(
    client, reviewer, treaty, changes, django_assert_num_queries
):
    for _ in range(changes):
        SubmissionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 2, 1))
    # 1 session, 2 user, 3-4 permissions, 5 the count, 6 the page of versions with
    # who, participant and treaty, 7 every version of those actions (the differences),
    # 8 whether the user is also mission staff (the header), 9-10 the search's
    # participants and treaties.
    with django_assert_num_queries(10):
        response = client.get("/depositary/audit/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('<li class="audit-entry">') == min(changes, 25)
    if changes > 25:
        assertContains(response, 'href="?page=2" rel="next">Older changes</a>')
        second = client.get("/depositary/audit/", {"page": 2}).content.decode()
        assert second.count('<li class="audit-entry">') == changes - 25


def test_the_import_is_in_the_navigation_of_those_allowed(client, reviewer, submission):
    response = client.get("/depositary/")
    assertContains(response, '<a href="/depositary/import/">Import</a>')
    assertContains(response, '<a href="/depositary/audit/">Audit trail</a>')
    client.force_login(submission.submitted_by)
    assertNotContains(client.get("/mission/"), "/depositary/import/")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/depositary/")
    assertContains(response, '<a href="/depositary/import/">Import</a>')
