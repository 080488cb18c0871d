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
    assert (action.state, action.submitted_by, action.place) == ("pending", staff, "New York")
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
