"""Declarations in public: the participant page, the page by article as of any date, the
dashboard's filters, the open data; and a notification's contact details in none of them."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from declarations.models import Declaration
from declarations.rules import Kind, Made, Subject
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    TreatyFactory,
    UserFactory,
)

SIGNED = dt.date(2025, 10, 25)
# The contact details of the 24/7 point of contact: for staff only.
CONTACTS = {
    "contact_name": "Ms Secret Contact",
    "contact_telephone": "+994 12 555 0199",
    "contact_email": "secret.contact@example.az",
}


@pytest.fixture
def record(db, settings):
    """Azerbaijan signed and reserved under articles 7(2) and 63(3), France objected to the
    reservation under 63(3), which Azerbaijan withdrew on 1 June 2026; Azerbaijan notified
    its 24/7 point of contact, with contact details."""
    treaty = TreatyFactory(slug="hanoi-convention", short_name="Hanoi Convention")
    settings.DEFAULT_TREATY_SLUG = treaty.slug
    azerbaijan = ParticipantFactory(name="Azerbaijan", iso3="AZE", iso2="AZ")
    france = ParticipantFactory(name="France", iso3="FRA", iso2="FR")
    for state in (azerbaijan, france):
        ActionFactory(treaty=treaty, participant=state, date=SIGNED)
    on_7 = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="7(2)", ref="aze-7-2")
    on_63 = DeclarationFactory(
        treaty=treaty, participant=azerbaijan, articles="63(3)", ref="aze-63-3"
    )
    DeclarationFactory(
        treaty=treaty,
        participant=france,
        kind=Kind.OBJECTION,
        made=Made.LATER,
        date=dt.date(2026, 2, 1),
        answers=on_63,
        articles="63(3)",
        language="fr",
        text="La France fait objection.",
        text_english="France objects.",
        ref="fra-objection",
    )
    DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.WITHDRAWAL,
        made=Made.LATER,
        date=dt.date(2026, 6, 1),
        answers=on_63,
        ref="aze-withdrawal",
    )
    DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.NOTIFICATION,
        made=Made.SIGNATURE,
        articles="41",
        subject=Subject.POINT_OF_CONTACT,
        authority="State Security Service",
        ref="aze-24-7",
        **CONTACTS,
    )
    DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.RESERVATION,
        articles="11(3)",
        review=Declaration.Review.PENDING,
        text="A pending reservation",
        language="en",
        ref="aze-pending",
    )
    return {"treaty": treaty, "azerbaijan": azerbaijan, "france": france, "on_7": on_7}


def test_the_participant_page_lists_them_with_their_articles_and_withdrawals(client, record):
    page = client.get("/participants/AZE/").content.decode()
    assert "Declarations, reservations and notifications" in page
    assert '<li id="declaration-aze-7-2">' in page
    assert (
        '<strong>Reservation</strong>, upon signature; article <a href="/treaties/'
        'hanoi-convention/articles/7/" dir="ltr">7(2)</a>.'
    ) in page
    assert '<li id="declaration-aze-63-3" class="withdrawn">' in page
    assert "Withdrawn on 1 June 2026" in page
    assert "</a> (article 63(3))</p>" in page
    assert "Objected to by <a href=" in page
    assert "<strong>24/7 point of contact</strong>: <bdi>State Security Service</bdi>" in page
    assert page.count("The text is not yet available.") == 3
    assert "A pending reservation" not in page


@pytest.mark.parametrize(
    ("language", "label"), [("en", "articles"), ("ru", "статьи"), ("ar", "المادتان")]
)
def test_the_articles_label_agrees_with_their_number_in_each_language(
    client, record, language, label
):
    DeclarationFactory(
        treaty=record["treaty"], participant=record["france"], articles="7(2); 9(2)", ref="fra-2"
    )
    page = client.get("/participants/FRA/", headers={"Accept-Language": language})
    assert f'; {label} <a href="/treaties/hanoi-convention/articles/7/"' in page.content.decode()


@pytest.mark.parametrize(
    ("as_of", "standing", "withdrawn"),
    [
        # Before the reservations: nothing yet.
        ("2025-10-24", [], []),
        # Made upon signature; the objection comes in February.
        ("2026-05-31", ["aze-7-2", "aze-63-3", "aze-24-7"], []),
        # Withdrawn on 1 June 2026: from that day, apart.
        ("2026-06-01", ["aze-7-2", "aze-24-7"], ["aze-63-3"]),
        (None, ["aze-7-2", "aze-24-7"], ["aze-63-3"]),
    ],
)
def test_the_page_by_article_shows_who_reserved_what_as_of_any_date(
    client, record, as_of, standing, withdrawn
):
    response = client.get("/treaties/hanoi-convention/articles/", {"as_of": as_of or ""})
    page = response.content.decode()
    gone = page[page.index("<h3>Withdrawn</h3>") :] if "<h3>Withdrawn</h3>" in page else ""
    shown = {ref for ref in ("aze-7-2", "aze-63-3", "aze-24-7") if f"#declaration-{ref}" in page}
    assert shown == set(standing) | set(withdrawn)
    assert {ref for ref in shown if f"#declaration-{ref}" in gone} == set(withdrawn)
    if not standing:
        assert (
            "<p>No declaration, reservation or notification is recorded by the end of "
            "24 October 2025.</p>"
        ) in page


def test_an_article_has_its_own_page_with_the_objections_to_what_stands_under_it(client, record):
    page = client.get("/treaties/hanoi-convention/articles/63/?as_of=2026-03-01").content.decode()
    assert "<h1>Article 63: declarations and reservations</h1>" in page
    assert "#declaration-aze-63-3" in page and "#declaration-aze-7-2" not in page
    assert "Objected to by <a href=" in page and "France</a> on 1 February 2026." in page
    assert 'href="/treaties/hanoi-convention/articles/?as_of=2026-03-01">Every article</a>' in page
    empty = client.get("/treaties/hanoi-convention/articles/9/").content.decode()
    assert "<p>No participant has declared or reserved anything under article 9.</p>" in empty
    empty = client.get("/treaties/hanoi-convention/articles/9/?as_of=2026-03-01").content.decode()
    assert (
        "<p>No participant has declared or reserved anything under article 9 by the end of "
        "1 March 2026.</p>"
    ) in empty


@pytest.mark.parametrize(
    ("query", "status"),
    [({"as_of": "2026-02-30"}, 400), ({"as_of": "2024-01-01"}, 400), ({"as_of": "tomorrow"}, 400)],
)
def test_a_date_that_cannot_be_shown_is_a_400_that_says_why(client, record, query, status):
    response = client.get("/treaties/hanoi-convention/articles/", query)
    assert response.status_code == status
    assert b"as_of" in response.content


def test_an_unknown_treaty_or_article_path_is_a_404(client, record):
    assert client.get("/treaties/atlantis/articles/").status_code == 404
    assert client.get("/api/v1/treaties/atlantis/declarations.json").json() == {
        "error": "No treaty 'atlantis'."
    }


def test_the_dashboard_filters_participants_with_reservations_or_by_article(client, record):
    def shown(**query):
        page = client.get("/", query, headers={"HX-Request": "true"}).content.decode()
        return {name for name in ("Azerbaijan", "France") if f">{name}</a>" in page}

    assert shown() == {"Azerbaijan", "France"}
    assert shown(declared="reservations") == {"Azerbaijan"}
    assert shown(declared="any") == {"Azerbaijan", "France"}
    # The reservation under 63 was withdrawn on 1 June; France's objection cites 63(3).
    assert shown(article="63") == {"France"}
    assert shown(article="63", as_of="2026-05-01") == {"Azerbaijan", "France"}
    assert shown(article="63", declared="reservations", as_of="2026-05-01") == {"Azerbaijan"}
    assert shown(article="7", declared="reservations") == {"Azerbaijan"}
    assert shown(article="9") == set()
    assert client.get("/", {"article": "seven"}).status_code == 400
    assert client.get("/", {"declared": "maybe"}).status_code == 400


def test_the_tables_marker_comes_from_the_records_standing_that_day(client, record):
    page = client.get("/", {"as_of": "2025-10-24"}).content.decode()
    assert 'class="tag"' not in page
    page = client.get("/").content.decode()
    assert '<a class="tag" href="/participants/AZE/#hanoi-convention">declarations</a>' in page


def test_the_json_describes_each_record_with_its_articles_and_whether_it_stands(client, record):
    response = client.get("/api/v1/treaties/hanoi-convention/declarations.json?as_of=2026-05-01")
    document = response.json()
    assert (document["as_of"], document["article"]) == ("2026-05-01", None)
    by_ref = {item["ref"]: item for item in document["declarations"]}
    assert set(by_ref) == {"aze-7-2", "aze-63-3", "fra-objection", "aze-24-7"}
    assert by_ref["aze-63-3"] | {"url": ""} == {
        "ref": "aze-63-3",
        "participant": {"name": "Azerbaijan", "iso3": "AZE"},
        "kind": "reservation",
        "made": "signature",
        "date": "2025-10-25",
        "articles": [{"label": "63(3)", "article": 63, "paragraph": 3, "subparagraph": None}],
        "answers": None,
        "subject": None,
        "authority": "",
        "language": None,
        "text": "",
        "text_english": "",
        "text_available": False,
        "notification": "",
        "source": "Test fixture",
        "note": "",
        "withdrawn_on": None,
        "in_effect": True,
        "url": "",
    }
    assert by_ref["fra-objection"]["answers"] == "aze-63-3"
    later = client.get("/api/v1/treaties/hanoi-convention/declarations.json").json()
    by_ref = {item["ref"]: item for item in later["declarations"]}
    assert by_ref["aze-63-3"]["withdrawn_on"] == "2026-06-01"
    assert by_ref["aze-63-3"]["in_effect"] is False
    assert by_ref["aze-withdrawal"]["in_effect"] is False
    one = client.get("/api/v1/treaties/hanoi-convention/declarations.json?article=7").json()
    assert [item["ref"] for item in one["declarations"]] == ["aze-7-2"]


@pytest.mark.parametrize(
    "query",
    [{"article": "x"}, {"article": "0"}, {"as_of": "2026-13-01"}, {"format": "xml"}],
)
def test_a_bad_parameter_of_the_json_is_a_400_with_its_error(client, record, query):
    response = client.get("/api/v1/treaties/hanoi-convention/declarations.json", query)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_the_csv_is_every_verified_record_in_the_import_format(client, record):
    response = client.get("/api/v1/treaties/hanoi-convention/declarations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="hanoi-convention-declarations.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "ref,participant,kind,made,date,articles,answers,subject,authority,language,text,"
        "text_english,notification,source,note"
    )
    assert len(lines) == 6  # the header and five verified records; the pending one is not
    assert lines[4].startswith("fra-objection,France,objection,later,2026-02-01,63(3),aze-63-3,")
    assert client.get("/api/v1/treaties/hanoi-convention/declarations.csv?x=1").status_code == 400


# Contact details


def _public_urls(treaty, participant) -> list[tuple[str, dict, dict]]:
    """Every public answer that could show a participant's declarations: (url, query, headers)."""
    hx = {"HX-Request": "true"}
    slug, iso3 = treaty.slug, participant.iso3
    return [
        ("/", {}, {}),
        (f"/treaties/{slug}/", {"article": "41"}, {}),
        (f"/treaties/{slug}/", {"declared": "any"}, {**hx, "HX-Target": "participants"}),
        (f"/treaties/{slug}/", {}, {**hx, "HX-Target": "counters"}),
        (f"/treaties/{slug}/", {"find": iso3}, {**hx, "HX-Target": "answer"}),
        (f"/treaties/{slug}/feed/", {}, {}),
        (f"/treaties/{slug}/calendar.ics", {}, {}),
        (f"/treaties/{slug}/embed/", {}, {}),
        (f"/treaties/{slug}/articles/", {}, {}),
        (f"/treaties/{slug}/articles/41/", {"as_of": "2026-01-01"}, {}),
        (f"/api/v1/treaties/{slug}/status", {}, {}),
        (f"/api/v1/treaties/{slug}/actions.csv", {}, {}),
        (f"/api/v1/treaties/{slug}/declarations.csv", {}, {}),
        (f"/api/v1/treaties/{slug}/declarations.json", {}, {}),
        (f"/api/v1/treaties/{slug}/declarations.json", {"article": "41"}, {}),
        (f"/participants/{iso3}/", {}, {}),
        (f"/participants/{iso3}/feed/", {}, {}),
        (f"/treaties/{slug}/projection/", {}, {}),
        (f"/treaties/{slug}/what-if/", {"deposit": f"{iso3}:2027-01-01"}, {}),
        (f"/api/v1/treaties/{slug}/projection", {}, {}),
        (f"/api/v1/treaties/{slug}/what-if", {"deposit": f"{iso3}:2027-01-01"}, {}),
        (f"/api/v1/treaties/{slug}/reports.csv", {}, {}),
        (f"/api/v1/treaties/{slug}/reports.json", {}, {}),
    ]


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_the_contact_check_covers_every_public_view(record):
    public = {
        route for route, view in _views(get_resolver().url_patterns) if hasattr(view, "public")
    }
    checked = {
        "",
        "treaties/<slug:slug>/",
        "treaties/<slug:slug>/feed/",
        "treaties/<slug:slug>/calendar.ics",
        "treaties/<slug:slug>/embed/",
        "treaties/<slug:slug>/articles/",
        "treaties/<slug:slug>/articles/<int:article>/",
        "api/v1/treaties/<str:slug>/status",
        "api/v1/treaties/<str:slug>/actions.csv",
        "api/v1/treaties/<str:slug>/declarations.csv",
        "api/v1/treaties/<str:slug>/declarations.json",
        "participants/<iso3:iso3>/",
        "participants/<iso3:iso3>/feed/",
        "treaties/<slug:slug>/projection/",
        "treaties/<slug:slug>/what-if/",
        "api/v1/treaties/<str:slug>/projection",
        "api/v1/treaties/<str:slug>/what-if",
        "api/v1/treaties/<str:slug>/reports.csv",
        "api/v1/treaties/<str:slug>/reports.json",
    }
    assert public == checked


@pytest.mark.parametrize("who", ["anonymous", "signed in without a role"])
def test_contact_details_are_in_no_public_answer(record, who):
    client = Client()
    if who != "anonymous":
        client.force_login(UserFactory())
    for url, query, headers in _public_urls(record["treaty"], record["azerbaijan"]):
        response = client.get(url, query, headers=headers)
        assert response.status_code == 200, url
        content = response.content.decode()
        for value in CONTACTS.values():
            assert value not in content, (url, query, headers)
    # The authority itself is public.
    assert "State Security Service" in client.get("/participants/AZE/").content.decode()


@pytest.mark.parametrize("role", ["mission of another State", "depositary"])
def test_signed_in_staff_see_the_contact_details_and_nobody_after_them(record, role):
    staff = Client()
    if role == "depositary":
        staff.force_login(DepositaryStaffFactory())
    else:
        staff.force_login(MissionStaffFactory(missions=[record["france"]]))
    anonymous = Client()
    first = anonymous.get("/participants/AZE/")
    assert "Ms Secret Contact" not in first.content.decode()
    page = staff.get("/participants/AZE/")
    content = page.content.decode()
    for value in CONTACTS.values():
        assert value in content
    assert "private" in page["Cache-Control"]
    # Neither the shared copy nor its validator is the staff's: anonymous readers after
    # them get the public page, whole or 304 on their own ETag.
    again = anonymous.get("/participants/AZE/")
    assert "Ms Secret Contact" not in again.content.decode()
    assert page["ETag"] != again["ETag"]
    revalidated = anonymous.get("/participants/AZE/", headers={"If-None-Match": page["ETag"]})
    assert revalidated.status_code == 200
    assert "Ms Secret Contact" not in revalidated.content.decode()


def test_the_public_query_cannot_show_contact_details_even_by_mistake(record):
    from django.core.exceptions import FieldFetchBlocked
    from django.db import models

    shown = (
        Declaration.objects.public().filter(kind=Kind.NOTIFICATION).fetch_mode(models.FETCH_RAISE)
    )
    with pytest.raises(FieldFetchBlocked):
        shown.get().contact_email  # noqa: B018
