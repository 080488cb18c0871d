"""What each public answer costs in queries, rendered and kept, with 1 and with 10 treaties.

Asserted here once for every public view: the number does not grow with the treaties, the
participants or the actions. Every answer starts with 1. the record's revision (the cache
middleware); a kept copy costs nothing more.
"""

import datetime as dt

import pytest

from ratifications.rules import ActionKind
from reports.models import Report
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory

HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}
# Two hypothetical deposits: the denounced State accedes again, a new State accedes.
WHAT_IF = {"deposit": ["{iso3}:2027-07-01", "{other}:2027-07-02"]}


@pytest.fixture(params=[1, 10], ids=["1 treaty", "10 treaties"])
def record(request, db):
    """Treaties on which twelve States signed and ratified, and one of them denounced; on each,
    two reports: one the depositary has since recorded, one it has not."""
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
    # with their participants (the status); 4. its reports toward an instrument; 5. their
    # participants' verified signatures and instruments (whether each is recorded);
    # 6. every participant (the table, the map).
    ("dashboard", "/treaties/{slug}/", {}, {}, 6),
    ("table fragment", "/treaties/{slug}/", {"q": "land", "sort": "instrument"}, HX, 6),
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
    # 7. its reports on every treaty.
    ("participant page", "/participants/{iso3}/", {}, {}, 7),
    # 2. the treaty; 3. its reports with their participants; 4. those participants' verified
    # signatures and instruments (what records a report).
    ("reports.csv", "/api/v1/treaties/{slug}/reports.csv", {}, {}, 4),
    ("reports.json", "/api/v1/treaties/{slug}/reports.json", {}, {}, 4),
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
