"""The workflow of declarations: missions submit, edit and withdraw; the depositary verifies,
rejects, undoes or records one directly; only what is verified is public."""

import datetime as dt

import pytest
from django.core import mail
from pytest_django.asserts import assertContains, assertNotContains

from declarations.models import Declaration
from declarations.rules import Kind, Made
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    TreatyFactory,
)

SIGNED = dt.date(2025, 10, 25)


@pytest.fixture
def treaty(db, settings):
    treaty = TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")
    settings.DEFAULT_TREATY_SLUG = treaty.slug
    return treaty


@pytest.fixture
def azerbaijan(treaty):
    state = ParticipantFactory(name="Azerbaijan", iso3="AZE", iso2="AZ")
    ActionFactory(treaty=treaty, participant=state, date=SIGNED)
    return state


@pytest.fixture
def mission(client, azerbaijan):
    user = MissionStaffFactory(username="baku", missions=[azerbaijan])
    client.force_login(user)
    return user


@pytest.fixture
def reviewer(db):
    return DepositaryStaffFactory(username="ana")


def reservation(treaty, participant, **values):
    return {
        "participant": participant.pk,
        "treaty": treaty.pk,
        "kind": "reservation",
        "made": "signature",
        "date": "2025-10-25",
        "articles": "63(3)",
        "answers": "",
        "language": "en",
        "text": "Azerbaijan does not consider itself bound by article 63(3).",
        "source": "Note verbale of the mission",
        **values,
    }


def public_pages(client, treaty, participant) -> str:
    client.logout()
    pages = [
        f"/participants/{participant.iso3}/",
        f"/treaties/{treaty.slug}/articles/63/",
        f"/api/v1/treaties/{treaty.slug}/declarations.csv",
        f"/api/v1/treaties/{treaty.slug}/declarations.json",
    ]
    return "".join(client.get(url).content.decode() for url in pages)


def test_a_reservation_a_mission_submits_is_public_only_once_verified(
    client, treaty, azerbaijan, mission, reviewer, worker
):
    response = client.post("/mission/declarations/new/", reservation(treaty, azerbaijan))
    assert response.status_code == 302
    record = Declaration.objects.get()
    assert (record.review, record.submitted_by, record.articles) == ("pending", mission, "63(3)")
    assert "bound by article 63(3)" not in public_pages(client, treaty, azerbaijan)

    client.force_login(reviewer)
    confirmation = client.get(f"/depositary/declarations/{record.pk}/verify/")
    assertContains(confirmation, "Once verified it is public")
    # The mission's mail goes through the worker, after the decision commits (alerts/).
    with worker():
        response = client.post(
            f"/depositary/declarations/{record.pk}/verify/", {"version": record.version}
        )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.review, record.reviewed_by) == ("verified", reviewer)
    (told,) = mail.outbox
    assert told.to == [mission.email]
    assert told.subject == "Verified: Azerbaijan: Reservation of 25 October 2025"
    assert "It is now public." in told.body
    assert "/mission/declarations/" in told.body

    shown = public_pages(client, treaty, azerbaijan)
    assert shown.count("Azerbaijan does not consider itself bound by article 63(3).") == 4
    assert f"/treaties/{treaty.slug}/articles/63/" in shown
    history = [r.history_change_reason for r in record.history.order_by("history_date")]
    assert history == ["submitted", "verified"]


def test_the_mission_sees_its_submissions_and_edits_or_withdraws_the_pending_ones(
    client, treaty, azerbaijan, mission
):
    client.post("/mission/declarations/new/", reservation(treaty, azerbaijan))
    record = Declaration.objects.get()
    page = client.get("/mission/declarations/")
    assertContains(page, "Pending verification")
    assertContains(page, f'href="/mission/declarations/{record.pk}/edit/"')
    edited = reservation(treaty, azerbaijan, articles="63(3); 11(3)", version=record.version)
    response = client.post(f"/mission/declarations/{record.pk}/edit/", edited)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.articles, record.version) == ("11(3); 63(3)", 2)
    client.post(f"/mission/declarations/{record.pk}/withdraw/", {"version": record.version})
    record.refresh_from_db()
    assert record.review == "withdrawn"
    history = client.get(f"/mission/declarations/{record.pk}/history/")
    assertContains(history, "11(3); 63(3)")
    assertContains(history, "withdrawn")


def test_an_edit_over_someone_elses_change_is_refused(client, treaty, azerbaijan, mission):
    client.post("/mission/declarations/new/", reservation(treaty, azerbaijan))
    record = Declaration.objects.get()
    stale = reservation(treaty, azerbaijan, articles="7(2)", version=record.version - 1 or 0)
    response = client.post(f"/mission/declarations/{record.pk}/edit/", stale, follow=True)
    assertContains(response, "This submission was changed after you opened it")
    record.refresh_from_db()
    assert record.articles == "63(3)"


def test_without_javascript_a_wrong_submission_comes_back_with_each_error_on_its_field(
    client, treaty, azerbaijan, mission
):
    data = reservation(treaty, azerbaijan, made="instrument", articles="63(3")
    response = client.post("/mission/declarations/new/", data)
    assert response.status_code == 200
    assertContains(response, "<html")
    assertContains(response, "&#x27;63(3&#x27; is not an article")
    assertContains(response, 'value="Note verbale of the mission"')
    assert not Declaration.objects.exists()
    data["articles"] = "63(3)"
    response = client.post("/mission/declarations/new/", data)
    assertContains(response, "This participant has deposited no instrument")


def test_while_typing_the_rules_answer_in_the_error_slots_and_save_nothing(
    client, treaty, azerbaijan, mission
):
    data = reservation(treaty, azerbaijan, date="2025-11-01", text="")
    response = client.post("/mission/declarations/validate/", data, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="errors-date"' in content and "bears the signature" in content
    assert not Declaration.objects.exists()


def test_the_htmx_form_answers_with_its_fragment_and_redirects_through_htmx(
    client, treaty, azerbaijan, mission
):
    page = client.get("/mission/declarations/new/", headers={"HX-Request": "true"})
    assert page.content.decode().lstrip().startswith("<form")
    response = client.post(
        "/mission/declarations/new/",
        reservation(treaty, azerbaijan),
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == "/mission/declarations/"


def test_the_depositary_rejects_with_a_reason_and_the_mission_is_told(
    client, treaty, azerbaijan, mission, reviewer, worker
):
    client.post("/mission/declarations/new/", reservation(treaty, azerbaijan))
    record = Declaration.objects.get()
    client.force_login(reviewer)
    response = client.post(
        f"/depositary/declarations/{record.pk}/reject/", {"version": 1, "reason": ""}, follow=True
    )
    assertContains(response, "To reject a submission, say why.")
    with worker():
        client.post(
            f"/depositary/declarations/{record.pk}/reject/",
            {"version": 1, "reason": "No note verbale received."},
        )
    record.refresh_from_db()
    assert (record.review, record.rejection_reason) == ("rejected", "No note verbale received.")
    (told,) = mail.outbox
    assert told.subject == "Rejected: Azerbaijan: Reservation of 25 October 2025"
    assert "No note verbale received." in told.body
    client.force_login(mission)
    assertContains(client.get("/mission/declarations/"), "No note verbale received.")


def test_the_depositary_undoes_a_verification_with_a_reason(client, treaty, azerbaijan, reviewer):
    record = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    client.force_login(reviewer)
    confirmation = client.get(f"/depositary/declarations/{record.pk}/undo/")
    assertContains(confirmation, "stops being public at once")
    client.post(
        f"/depositary/declarations/{record.pk}/undo/",
        {"version": record.version, "reason": "Verified by mistake"},
    )
    record.refresh_from_db()
    assert (record.review, record.undo_reason) == ("pending", "Verified by mistake")
    assert "bound" not in public_pages(client, treaty, azerbaijan)
    client.force_login(reviewer)
    queue = client.get("/depositary/declarations/")
    assertContains(queue, "Verified by mistake")
    assertContains(queue, "1 submission pending")


def test_the_confirmation_says_why_a_verification_would_fail(client, treaty, azerbaijan, reviewer):
    record = DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        made=Made.INSTRUMENT,
        review=Declaration.Review.PENDING,
    )
    client.force_login(reviewer)
    page = client.get(f"/depositary/declarations/{record.pk}/verify/")
    assertContains(page, "This participant has deposited no instrument")
    assertNotContains(page, 'action="/depositary/declarations/')
    response = client.post(
        f"/depositary/declarations/{record.pk}/verify/", {"version": record.version}, follow=True
    )
    assertContains(response, "Not verified: Azerbaijan: Reservation of 25 October 2025.")
    record.refresh_from_db()
    assert record.review == "pending"


def test_the_depositary_records_a_verified_objection_directly(client, treaty, azerbaijan, reviewer):
    france = ParticipantFactory(name="France")
    ActionFactory(treaty=treaty, participant=france, date=SIGNED)
    answered = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    client.force_login(reviewer)
    form = client.get("/depositary/declarations/new/").content.decode()
    assert "Azerbaijan: Reservation of 25 October 2025 (articles 63(3)) · Hanoi Convention" in form
    data = reservation(
        treaty,
        france,
        kind="objection",
        made="later",
        date="2026-02-01",
        articles="",
        answers=answered.pk,
        language="fr",
        text="La France fait objection à la réserve de l'Azerbaïdjan.",
        text_english="France objects to the reservation of Azerbaijan.",
    )
    response = client.post("/depositary/declarations/new/", data)
    assert response.status_code == 302
    objection = Declaration.objects.get(kind=Kind.OBJECTION)
    assert (objection.review, objection.answers) == ("verified", answered)
    page = client.get("/participants/AZE/").content.decode()
    assert "Objected to by <a href=" in page and "France</a> on 1 February 2026" in page
    france_page = client.get(f"/participants/{france.iso3}/").content.decode()
    assert "Objects to:" in france_page
    assert f'href="/participants/AZE/#declaration-{answered.ref}"' in france_page
    assert '<blockquote class="declared-text" lang="fr" dir="auto">' in france_page


def test_another_missions_declarations_are_a_404(client, treaty, azerbaijan, mission):
    other = ParticipantFactory(name="Kenya")
    record = DeclarationFactory(treaty=treaty, participant=other, review=Declaration.Review.PENDING)
    for url in ("edit", "history"):
        assert client.get(f"/mission/declarations/{record.pk}/{url}/").status_code == 404
    assert client.post(f"/mission/declarations/{record.pk}/withdraw/").status_code == 404
    assert "Kenya" not in client.get("/mission/declarations/").content.decode()


def test_mission_staff_cannot_reach_the_depositarys_declarations(client, treaty, mission):
    assert client.get("/depositary/declarations/").status_code == 403
    assert client.get("/depositary/declarations/new/").status_code == 403


def test_the_workspaces_link_to_the_declarations(client, treaty, mission, reviewer):
    assertContains(client.get("/mission/"), 'href="/mission/declarations/"')
    client.force_login(reviewer)
    assertContains(client.get("/depositary/"), 'href="/depositary/declarations/"')
