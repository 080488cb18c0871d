"""The audit trail: every change with who, when, and the values before and after; never edited."""

import datetime as dt

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from ratifications.audit import audit_trail
from ratifications.models import Action
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
    UserFactory,
)


@pytest.fixture
def viet_nam(db):
    return ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN")


@pytest.fixture
def life(client, viet_nam):
    """A submission's whole life: submitted, edited, verified, through the web pages."""
    treaty = TreatyFactory()
    ActionFactory(treaty=treaty, participant=viet_nam)
    mission = MissionStaffFactory(username="hanoi", missions=[viet_nam])
    reviewer = DepositaryStaffFactory(username="reviewer")
    data = {
        "participant": viet_nam.pk,
        "treaty": treaty.pk,
        "kind": "ratification",
        "date": "2026-03-02",
        "place": "New York",
    }
    client.force_login(mission)
    client.post("/mission/submit/", data)
    action = Action.objects.get(kind="ratification")
    client.post(f"/mission/submissions/{action.pk}/edit/", {**data, "place": "Hanoi", "version": 1})
    client.force_login(reviewer)
    client.post(f"/depositary/submissions/{action.pk}/verify/", {"version": 2})
    client.logout()
    return {"action": action, "mission": mission, "reviewer": reviewer}


def test_every_step_is_recorded_with_who_and_why(life):
    entries = audit_trail(life["action"].history.all())
    assert [(e.record.history_user, e.record.history_change_reason) for e in entries] == [
        (life["mission"], "submitted"),
        (life["mission"], "edited"),
        (life["reviewer"], "verified"),
    ]
    assert entries[1].changes == [("place", "New York", "Hanoi")]
    assert entries[2].changes == [("review", "Pending verification", "Verified")]


def test_a_withdrawal_and_a_rejection_are_recorded_too(viet_nam):
    withdrawn = SubmissionFactory(participant=viet_nam, kind=ActionKind.ACCESSION)
    withdrawn.withdraw(withdrawn.submitted_by, seen_version=1)
    rejected = SubmissionFactory(participant=viet_nam, kind=ActionKind.ACCESSION)
    rejected.reject(DepositaryStaffFactory(), "Not received", seen_version=1)
    (_, withdrawal) = audit_trail(withdrawn.history.all())
    assert withdrawal.record.history_change_reason == "withdrawn"
    assert withdrawal.changes == [("review", "Pending verification", "Withdrawn")]
    (_, rejection) = audit_trail(rejected.history.all())
    assert rejection.changes == [
        ("review", "Pending verification", "Rejected"),
        ("rejection reason", "", "Not received"),
    ]
    # A withdrawal is a review outcome: the row stays, and so does its history.
    assert Action.objects.filter(pk=withdrawn.pk, review="withdrawn").exists()


def test_the_mission_reads_the_history_of_its_action(client, life):
    client.force_login(life["mission"])
    response = client.get(f"/mission/submissions/{life['action'].pk}/history/")
    assertContains(response, "<del>New York</del>", html=False)
    assertContains(response, "<ins>Hanoi</ins>", html=False)
    assertContains(response, "reviewer")
    assertContains(response, "verified")


def test_the_mission_reads_the_history_of_its_participant(client, life):
    client.force_login(life["mission"])
    response = client.get("/mission/participants/VNM/history/")
    assertContains(response, "submitted")
    assertContains(response, "Ratification of 2 March 2026")


def test_the_depositary_reads_every_history(client, life):
    client.force_login(life["reviewer"])
    assertContains(client.get(f"/depositary/submissions/{life['action'].pk}/history/"), "Hanoi")
    assertContains(client.get("/depositary/participants/VNM/history/"), "edited")


@pytest.mark.parametrize("budget_rows", [1, 8])
def test_a_participants_history_runs_the_same_queries_however_long(
    client, viet_nam, budget_rows, django_assert_num_queries
):
    for _ in range(budget_rows):
        submission = SubmissionFactory(participant=viet_nam, kind=ActionKind.ACCESSION)
        submission.withdraw(submission.submitted_by)
    client.force_login(DepositaryStaffFactory())
    # 1 session, 2 user, 3-4 permissions, 5 the participant, 6 its actions' history
    # with who made each change, 7 whether the user is also mission staff (the header).
    with django_assert_num_queries(7):
        response = client.get("/depositary/participants/VNM/history/")
    assert response.status_code == 200


def test_the_history_has_no_way_to_change_it(client, life):
    client.force_login(life["reviewer"])
    response = client.get(f"/depositary/submissions/{life['action'].pk}/history/")
    main = response.content.decode().split("<main", 1)[1]
    assert "<form" not in main
    assert client.post(f"/depositary/submissions/{life['action'].pk}/history/").status_code == 405


def test_the_admin_shows_the_history_but_cannot_revert_it(client, life):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    action = life["action"]
    record = action.history.earliest()
    url = f"/admin/ratifications/action/{action.pk}/history/{record.history_id}/"
    response = client.get(url)
    assert response.status_code == 200
    assertNotContains(response, "Revert")
    assert client.post(url, {"place": "Paris"}).status_code == 403
    action.refresh_from_db()
    assert action.place == "Hanoi"
    assert client.get("/admin/ratifications/historicalaction/").status_code == 404


def test_actions_cannot_be_deleted_in_the_admin(client, life):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/ratifications/action/{life['action'].pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Action.objects.filter(pk=life["action"].pk).exists()


def test_a_created_action_shows_every_value_it_was_created_with(db):
    treaty = TreatyFactory()
    action = ActionFactory(treaty=treaty, date=dt.date(2025, 10, 25))
    (entry,) = audit_trail(action.history.all())
    assert ("date", "", "25 October 2025") in entry.changes
