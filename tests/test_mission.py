"""The mission workspace: a mission's staff submit, edit and withdraw their own actions."""

import datetime as dt

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from ratifications.models import Action
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
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
def viet_nam(db):
    return ParticipantFactory(name="Viet Nam", iso3="VNM", iso2="VN")


@pytest.fixture
def staff(client, viet_nam):
    user = MissionStaffFactory(missions=[viet_nam])
    client.force_login(user)
    return user


def ratification(treaty, participant, **values):
    return {
        "participant": participant.pk,
        "treaty": treaty.pk,
        "kind": "ratification",
        "date": "2026-03-02",
        "place": "New York",
        "notification": "C.N.12.2026.TREATIES-XVIII.16",
        "source": "Note verbale of the mission",
        "declarations": "",
        "declaration_articles": "",
        **values,
    }


def test_the_workspace_shows_the_record_and_the_submissions(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam, place="Hanoi")
    SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )
    response = client.get("/mission/")
    assert response.status_code == 200
    assertContains(response, "The record of Viet Nam")
    assertContains(response, "Pending verification")
    assertContains(response, "Verified")
    assertContains(response, 'hx-headers=\'{"X-CSRFToken"')


def test_a_mission_submits_a_ratification_for_verification(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam)
    response = client.post("/mission/submit/", ratification(treaty, viet_nam))
    assert response.status_code == 302
    assert response["Location"] == "/mission/"
    action = Action.objects.get(kind="ratification")
    assert (action.review, action.submitted_by, action.place) == ("pending", staff, "New York")
    (record,) = action.history.all()
    assert (record.history_user, record.history_change_reason) == (staff, "submitted")
    assertContains(client.get("/mission/"), "Submitted: Viet Nam: Ratification of 2026-03-02")


def test_a_ratification_before_the_signature_is_refused_next_to_the_field(
    client, treaty, viet_nam, staff
):
    ActionFactory(treaty=treaty, participant=viet_nam, date=dt.date(2025, 10, 25))
    response = client.post(
        "/mission/submit/",
        ratification(treaty, viet_nam, date="2025-10-01"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assertContains(response, 'id="errors-kind"')
    assertContains(response, "needs an earlier signature")
    assertContains(response, 'value="New York"')
    assertNotContains(response, "<html")
    assert not Action.objects.filter(kind="ratification").exists()


def test_the_rules_are_checked_while_typing_without_saving(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam, date=dt.date(2025, 10, 25))
    response = client.post(
        "/mission/validate/",
        ratification(treaty, viet_nam, date="2025-10-01", place="", source=""),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    # Only the error slots, swapped out of band: what was typed stays in the inputs.
    assert "<input" not in content
    assert 'id="errors-kind" class="field-errors" aria-live="polite" hx-swap-oob="true"' in content
    assert "needs an earlier signature" in content
    assert not Action.objects.filter(kind="ratification").exists()


def test_a_field_still_empty_is_not_an_error_while_typing(client, treaty, viet_nam, staff):
    response = client.post(
        "/mission/validate/",
        {"participant": viet_nam.pk, "treaty": treaty.pk, "kind": "ratification"},
        headers={"HX-Request": "true"},
    )
    assertNotContains(response, "This field is required")


def test_without_javascript_an_invalid_submission_comes_back_with_its_errors(
    client, treaty, viet_nam, staff
):
    response = client.post("/mission/submit/", ratification(treaty, viet_nam, date=""))
    assert response.status_code == 200
    assertContains(response, "<html")
    assertContains(response, "This field is required")
    assertContains(response, 'value="Note verbale of the mission"')


def test_a_declaration_on_its_own_needs_its_text_and_a_signature(client, treaty, viet_nam, staff):
    data = ratification(treaty, viet_nam, kind="declaration", date="2026-04-01")
    response = client.post("/mission/submit/", data)
    assertContains(response, "A declaration needs its text.")
    assertContains(response, "upon or after a signature or an instrument")
    ActionFactory(treaty=treaty, participant=viet_nam)
    data.update(declarations="Under article 11, ...", declaration_articles="11")
    assert client.post("/mission/submit/", data).status_code == 302
    declaration = Action.objects.get(kind="declaration")
    assert declaration.treaty.status().status.instruments_counted == 0


def test_declarations_can_come_with_an_instrument(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam)
    data = ratification(treaty, viet_nam, declarations="Reservation to article 23(2).")
    assert client.post("/mission/submit/", data).status_code == 302
    assert Action.objects.get(kind="ratification").declarations == "Reservation to article 23(2)."


def test_a_mission_submits_only_for_its_own_participants(client, treaty, staff):
    kenya = ParticipantFactory(name="Kenya")
    response = client.post("/mission/submit/", ratification(treaty, kenya, kind="accession"))
    assertContains(response, "Select a valid choice")
    assert not Action.objects.exists()


def test_a_pending_submission_is_edited(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam)
    pending = SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        submitted_by=staff,
        date=dt.date(2026, 3, 2),
    )
    form = client.get(f"/mission/submissions/{pending.pk}/edit/")
    assertContains(form, 'name="version" value="1"')
    response = client.post(
        f"/mission/submissions/{pending.pk}/edit/",
        ratification(treaty, viet_nam, place="Geneva", version=1),
    )
    assert response["Location"] == "/mission/"
    pending.refresh_from_db()
    assert (pending.place, pending.version, pending.review) == ("Geneva", 2, "pending")


def test_an_edit_over_a_newer_version_is_refused(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam)
    pending = SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        submitted_by=staff,
        date=dt.date(2026, 3, 2),
        version=3,
    )
    response = client.post(
        f"/mission/submissions/{pending.pk}/edit/",
        ratification(treaty, viet_nam, place="Geneva", version=2),
        follow=True,
    )
    assertContains(response, "This submission was changed after you opened it")
    pending.refresh_from_db()
    assert pending.place == ""


def test_a_verified_submission_can_no_longer_be_edited(client, treaty, viet_nam, staff):
    verified = ActionFactory(treaty=treaty, participant=viet_nam, submitted_by=staff)
    response = client.get(f"/mission/submissions/{verified.pk}/edit/", follow=True)
    assertContains(response, "Only a pending submission can be edited.")


def test_withdrawing_keeps_the_submission_as_withdrawn(client, treaty, viet_nam, staff):
    pending = SubmissionFactory(
        treaty=treaty, participant=viet_nam, kind=ActionKind.ACCESSION, submitted_by=staff
    )
    response = client.post(
        f"/mission/submissions/{pending.pk}/withdraw/",
        {"version": 1},
        headers={"HX-Request": "true"},
    )
    assertContains(response, 'id="submissions"')
    assertContains(response, "Withdrawn: ")
    assertNotContains(response, "<html")
    pending.refresh_from_db()
    assert pending.review == "withdrawn"
    # A withdrawn submission no longer stands in the way of a new one.
    assert Action.objects.active().count() == 0


@pytest.mark.parametrize("count", [1, 8])
def test_the_workspace_runs_the_same_queries_for_few_or_many_submissions(
    client, treaty, viet_nam, staff, count, django_assert_num_queries
):
    for _ in range(count):
        SubmissionFactory(
            treaty=treaty, participant=viet_nam, kind=ActionKind.ACCESSION, submitted_by=staff
        )
    # 1 session, 2 user, 3 the user's participants, 4 their actions with treaty and
    # reviewer, 5 treaties, 6-8 the header's role checks (mission staff, then the
    # permissions of the user and of its groups).
    with django_assert_num_queries(8):
        response = client.get("/mission/")
    assert response.status_code == 200


def test_someone_without_a_mission_is_refused(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/mission/").status_code == 403
