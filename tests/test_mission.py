"""The mission workspace: a mission's staff submit, edit and withdraw their own actions."""

import datetime as dt
import re

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from ratifications.models import Action
from ratifications.rules import Act, ActionKind, check_action
from reports.models import Report
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
    assertContains(client.get("/mission/"), "Submitted: Viet Nam: Ratification of 2 March 2026")


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
    # A date before the signature: the error is on Date, not on Action.
    assert re.search(
        r'id="errors-date"[^>]*><ul class="errorlist" id="id_date_error"><li>'
        r"A ratification needs an earlier signature, but this participant signed on "
        r"25 October 2025, after this date.",
        response.content.decode(),
    )
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
    slot = 'id="errors-date" class="field-errors" aria-live="polite" hx-swap-oob="true"><ul'
    assert slot in content
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


def test_the_action_form_no_longer_offers_declarations_which_have_their_own(
    client, treaty, viet_nam, staff
):
    page = client.get("/mission/submit/").content.decode()
    assert 'value="declaration"' not in page
    response = client.post("/mission/submit/", ratification(treaty, viet_nam, kind="declaration"))
    assertContains(response, "Select a valid choice. declaration is not one of the available")
    assert not Action.objects.exists()


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
    for n in range(count):
        SubmissionFactory(
            treaty=treaty, participant=viet_nam, kind=ActionKind.ACCESSION, submitted_by=staff
        )
        Report.objects.create(
            treaty=treaty,
            participant=viet_nam,
            kind=Report.Kind.DOMESTIC_STATEMENT,
            date=dt.date(2026, 1, 28),
            summary="Completing its procedures.",
            source=f"https://example.org/{n}",
        )
    # 1 session, 2 user, 3 the user's participants, 4 their actions with treaty and
    # reviewer, 5 treaties, 6 their reports, 7-9 the header's role checks (mission staff,
    # then the permissions of the user and of its groups).
    with django_assert_num_queries(9):
        response = client.get("/mission/")
    assert response.status_code == 200


def test_someone_without_a_mission_is_refused(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/mission/").status_code == 403


# The action form (shared with the depositary's direct entry)


def field_html(page: str, name: str) -> str:
    """The markup of one field of the form, from its wrapper to the next one."""
    start = page.index(f'<div class="field field-{name}">')
    end = page.find('<div class="field field-', start + 1)
    return page[start : end if end != -1 else None]


@pytest.mark.parametrize("url", ["/mission/submit/", "/depositary/actions/new/"])
def test_both_workspaces_draw_the_same_form(client, treaty, viet_nam, url):
    if url.startswith("/mission/"):
        client.force_login(MissionStaffFactory(missions=[viet_nam]))
    else:
        client.force_login(DepositaryStaffFactory())
    page = client.get(url).content.decode()
    assert '<form id="action-form"' in page
    names = re.findall(r'<div class="field field-([a-z_]+)">', page)
    assert names == [
        "participant",
        "treaty",
        "kind",
        "date",
        "place",
        "notification",
        "source",
        "note",
    ]


def test_required_fields_are_marked_for_the_eye_and_for_assistive_technology(client, treaty, staff):
    page = client.get("/mission/submit/").content.decode()
    for name in ("participant", "treaty", "kind", "date"):
        field = field_html(page, name)
        assert '<span class="required" aria-hidden="true">(required)</span></label>' in field
        assert 'aria-required="true"' in field, name
    for name in ("place", "notification", "source", "note"):
        field = field_html(page, name)
        assert "(required)" not in field and "aria-required" not in field, name
    # Where a browser can, it also refuses to send the form without them.
    assert re.search(r'<input type="date" name="date"[^>]* required', page)


def test_the_notification_example_is_help_not_a_value(client, treaty, staff):
    field = field_html(client.get("/mission/submit/").content.decode(), "notification")
    assert re.search(r'<input type="text" name="notification"(?![^>]*value=)[^>]*>', field)
    assert "e.g. C.N.123.2026.TREATIES-XVIII.16" in field
    # The help is read with the input, as is the error slot the rules engine fills.
    assert 'aria-describedby="errors-notification id_notification_helptext"' in field


def test_a_mission_submits_a_note(client, treaty, viet_nam, staff):
    ActionFactory(treaty=treaty, participant=viet_nam)
    response = client.post(
        "/mission/submit/",
        {
            "participant": viet_nam.pk,
            "treaty": treaty.pk,
            "kind": "ratification",
            "date": "2026-03-02",
            "note": "Deposited with an interpretative note verbale.",
        },
    )
    assert response.status_code == 302
    assert Action.objects.get(kind="ratification").note == (
        "Deposited with an interpretative note verbale."
    )


def test_the_edit_page_says_it_saves_changes(client, treaty, viet_nam, staff):
    pending = SubmissionFactory(
        treaty=treaty, participant=viet_nam, kind=ActionKind.ACCESSION, submitted_by=staff
    )
    response = client.get(f"/mission/submissions/{pending.pk}/edit/")
    assertContains(response, '<button type="submit" class="button">Save changes</button>')
    assertNotContains(response, "Submit for verification")
    response = client.get("/mission/submit/")
    assertContains(response, 'class="button">Submit for verification</button>')


def test_the_depositary_chooses_among_all_participants_from_a_blank_choice(client, treaty):
    client.force_login(DepositaryStaffFactory())
    ParticipantFactory(name="Canada")
    field = field_html(client.get("/depositary/actions/new/").content.decode(), "participant")
    assert '<option value="" selected>Choose the participant</option>' in field
    assert "Canada" in field


@pytest.mark.parametrize(
    ("candidate", "history", "members", "field"),
    [
        # Signed, but after this date: change the date.
        (
            Act("A", ActionKind.RATIFICATION, dt.date(2026, 1, 1)),
            [Act("A", ActionKind.SIGNATURE, dt.date(2026, 2, 1))],
            [],
            "date",
        ),
        # Never signed: a ratification is the wrong action (accession is right).
        (Act("A", ActionKind.RATIFICATION, dt.date(2026, 1, 1)), [], [], "kind"),
        # An organization signing before any of its members did.
        (
            Act("EUU", ActionKind.SIGNATURE, dt.date(2025, 10, 25), reio=True),
            [],
            [Act("FRA", ActionKind.SIGNATURE, dt.date(2025, 10, 26))],
            "date",
        ),
        (Act("EUU", ActionKind.SIGNATURE, dt.date(2025, 10, 25), reio=True), [], [], "kind"),
        # Before adoption, in the future: the date.
        (Act("A", ActionKind.ACCESSION, dt.date(2024, 12, 23)), [], [], "date"),
    ],
)
def test_each_rule_names_the_field_that_is_wrong(treaty, candidate, history, members, field):
    (problem,) = check_action(
        treaty.clauses, candidate, history, today=dt.date(2026, 12, 31), members=members
    )
    assert problem.field == field, problem.message


def test_dates_are_written_in_the_pages_language_in_the_workspace(client, treaty, viet_nam, staff):
    SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )
    page = client.get("/mission/", headers={"Accept-Language": "en"}).content.decode()
    assert "Viet Nam: Accession of 2 March 2026" in page
    assert not re.search(r">\s*\d{4}-\d{2}-\d{2}", page)
    page = client.get("/mission/", headers={"Accept-Language": "fr"}).content.decode()
    assert "Adhésion du 2 mars 2026" in page
