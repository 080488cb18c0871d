"""What each public answer costs in queries, rendered and kept, with 1 and with 10 treaties.

Asserted here once for every public view: the number does not grow with the treaties, the
participants or the actions. Every answer starts with 1. the record's revision (the cache
middleware); a kept copy costs nothing more.
"""

import datetime as dt

import pytest

from declarations.rules import Kind, Made, Subject
from ratifications.rules import ActionKind
from reports.models import Report
from tests.factories import ActionFactory, DeclarationFactory, ParticipantFactory, TreatyFactory

HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}
# Two hypothetical deposits: the denounced State accedes again, a new State accedes.
WHAT_IF = {"deposit": ["{iso3}:2027-07-01", "{other}:2027-07-02"]}


@pytest.fixture(params=[1, 10], ids=["1 treaty", "10 treaties"])
def record(request, db):
    """Treaties on which twelve States signed and ratified, and one of them denounced; the
    first reserved under article 63, another objected, a third notified a point of contact;
    two reports on each: one the depositary has since recorded, one it has not."""
    states = ParticipantFactory.create_batch(12)
    for n in range(request.param):
        treaty = TreatyFactory(slug=f"treaty-{n}", threshold=5)
        for i, state in enumerate(states):
            ActionFactory(treaty=treaty, participant=state, date=dt.date(2025, 10, 25))
            ActionFactory(
                treaty=treaty,
                participant=state,
                kind=ActionKind.RATIFICATION,
                date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
            )
        ActionFactory(
            treaty=treaty,
            participant=states[0],
            kind=ActionKind.DENUNCIATION,
            date=dt.date(2026, 6, 1),
            place="New York",
            notification="C.N.1.2026",
        )
        reservation = DeclarationFactory(treaty=treaty, participant=states[0], articles="63(3)")
        DeclarationFactory(
            treaty=treaty,
            participant=states[1],
            kind=Kind.OBJECTION,
            made=Made.LATER,
            date=dt.date(2026, 2, 1),
            answers=reservation,
        )
        DeclarationFactory(
            treaty=treaty,
            participant=states[2],
            kind=Kind.NOTIFICATION,
            made=Made.INSTRUMENT,
            date=dt.date(2026, 1, 3),
            subject=Subject.POINT_OF_CONTACT,
            authority="National cybercrime unit",
            contact_name="A. Person",
        )
        for kind in (Report.Kind.DOMESTIC_LAW_SIGNED, Report.Kind.RESERVATION):
            Report.objects.create(
                treaty=treaty,
                participant=states[0],
                kind=kind,
                date=dt.date(2025, 12, 1),
                summary="Reported.",
                source="https://example.org/",
            )
    return {"slug": "treaty-0", "iso3": states[0].iso3, "other": ParticipantFactory().iso3}


CASES = [
    # 2. the treaty, with its last check against the depositary; 3. its verified actions
    # with their participants (the status, each participant's declarations marker);
    # 4. its reports toward an instrument; 5. their participants' verified signatures and
    # instruments (whether each is recorded); 6. every participant (the table, the map).
    ("dashboard", "/treaties/{slug}/", {}, {}, 6),
    ("table fragment", "/treaties/{slug}/", {"q": "land", "sort": "instrument"}, HX, 6),
    # ...and 7. the participants whose reservations, or records under an article, stand.
    ("reservations filter", "/treaties/{slug}/", {"declared": "reservations"}, HX, 7),
    ("article filter", "/treaties/{slug}/", {"article": "63"}, HX, 7),
    # The declarations marker alone is the status's own: no query more.
    ("declarations filter", "/treaties/{slug}/", {"declared": "any"}, HX, 6),
    # 2. the treaty; 3. the status; 4. and 5. the reports not yet deposited.
    ("counters fragment", "/treaties/{slug}/", {}, POLL, 5),
    ("status API", "/api/v1/treaties/{slug}/status", {}, {}, 3),
    ("calendar", "/treaties/{slug}/calendar.ics", {}, {}, 3),
    ("embed", "/treaties/{slug}/embed/", {}, {}, 3),
    # 2. the treaty; 3. its verified actions with their participants.
    ("actions.csv", "/api/v1/treaties/{slug}/actions.csv", {}, {}, 3),
    # 2. the treaty; 3. its newest verified actions with their treaties and participants.
    ("treaty feed", "/treaties/{slug}/feed/", {}, {}, 3),
    # 2. the participant; 3. its newest verified actions.
    ("participant feed", "/participants/{iso3}/feed/", {}, {}, 3),
    # 2. the treaty; 3. the status (the projection is arithmetic on it, no query).
    ("projection API", "/api/v1/treaties/{slug}/projection", {}, {}, 3),
    ("method page", "/treaties/{slug}/projection/", {}, {}, 3),
    # 2. the treaty; 3. the participants the deposits name; 4. the verified actions.
    ("what-if API", "/api/v1/treaties/{slug}/what-if", WHAT_IF, {}, 4),
    # 2. the treaty; 3. every participant (the form, the deposits); 4. the verified actions.
    ("what-if page", "/treaties/{slug}/what-if/", WHAT_IF, {}, 4),
    ("what-if fragment", "/treaties/{slug}/what-if/", WHAT_IF, {"HX-Request": "true"}, 4),
    # 2. the participant; 3. the treaties; 4. its verified actions; 5. the day each
    # treaty's threshold-th instrument came; 6. the instruments and denunciations up to it;
    # 7. its reports on every treaty; 8. its declarations, and the objections to them.
    ("participant page", "/participants/{iso3}/", {}, {}, 8),
    # 2. the treaty; 3. its reports with their participants; 4. those participants' verified
    # signatures and instruments (what records a report).
    ("reports.csv", "/api/v1/treaties/{slug}/reports.csv", {}, {}, 4),
    ("reports.json", "/api/v1/treaties/{slug}/reports.json", {}, {}, 4),
    # 2. the treaty; 3. its verified declarations with their participants and what they answer.
    ("by article", "/treaties/{slug}/articles/", {}, {}, 3),
    ("one article", "/treaties/{slug}/articles/63/", {"as_of": "2026-06-01"}, {}, 3),
    ("declarations.csv", "/api/v1/treaties/{slug}/declarations.csv", {}, {}, 3),
    ("declarations.json", "/api/v1/treaties/{slug}/declarations.json", {"article": "63"}, {}, 3),
]


@pytest.mark.parametrize(
    ("url", "query", "headers", "budget"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_public_answer_costs_the_same_queries_whatever_the_size_and_one_when_kept(
    client, record, django_assert_num_queries, url, query, headers, budget
):
    url = url.format(**record)
    query = {
        name: [value.format(**record) for value in values] if isinstance(values, list) else values
        for name, values in query.items()
    }
    with django_assert_num_queries(budget):
        first = client.get(url, query, headers=headers)
    assert first.status_code == 200
    with django_assert_num_queries(1):
        assert client.get(url, query, headers=headers).content == first.content
    with django_assert_num_queries(1):
        assert (
            client.get(url, query, headers={**headers, "If-None-Match": first["ETag"]}).status_code
            == 304
        )
