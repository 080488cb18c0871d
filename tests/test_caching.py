"""The status cache and the response cache, on the per-process cache (no CACHE_URL).

Keys name their content (docs/performance.md): a status by the treaty, the date
and the fingerprint of its verified actions (the changes the database counts,
TreatyChanges); an anonymous response by its ETag.
So each way of changing the verified actions shows in the very next request,
with no invalidation. tests/test_caching_redis.py does the same on Redis.
"""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from ratifications import rules
from ratifications.importing import plan_import
from ratifications.models import Action, Treaty, TreatyChanges
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant
from tests.factories import ActionFactory, TreatyFactory, UserFactory

STATUS = "/api/v1/treaties/hanoi-convention/status"
HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}


@pytest.fixture
def fifty_treaties(defaults) -> Treaty:
    """The real data, and 50 other treaties each with verified actions, Viet Nam's among them."""
    treaties = [TreatyFactory(slug=f"other-{n:02d}") for n in range(50)]
    now = timezone.now()
    participants = list(Participant.objects.order_by("name")[:20])
    Action.objects.bulk_create(
        Action(
            treaty=treaty,
            participant=participant,
            kind=ActionKind.SIGNATURE,
            date=dt.date(2025, 10, 25),
            review=Action.Review.VERIFIED,
            reviewed_at=now,
        )
        for treaty in treaties
        for participant in [*participants, Participant.objects.get(iso3="VNM")]
    )
    return defaults


@pytest.fixture(params=["defaults", "tenfold", "fifty_treaties"])
def any_size(request, db) -> Treaty:
    """The real data; ten times as many actions; 50 other treaties."""
    return request.getfixturevalue(request.param)


# Every public page, fragment and file: its queries the first time (nothing
# cached) and the second (an anonymous visitor's response is kept under its ETag).
PUBLIC = [
    # 1. the treaty with its fingerprint; 2. its verified actions (the status);
    # 3. the participants, with notification and declarations. Then only 1.
    ("/", {}, 3, 1),
    ("/?group=african&sort=instrument", HX, 3, 1),
    # 1. the treaty with its fingerprint; 2. the status. Then only 1.
    ("/", POLL, 2, 1),
    (STATUS, {}, 2, 1),
    ("/api/v1/treaties/hanoi-convention/actions.csv", {}, 2, 1),
    ("/treaties/hanoi-convention/calendar.ics", {}, 2, 1),
    ("/treaties/hanoi-convention/embed/", {}, 2, 1),
    # 1. the treaty with its fingerprint; 2. its newest verified actions. Then only 1.
    ("/treaties/hanoi-convention/feed/", {}, 2, 1),
    # 1. the participant with its fingerprint; 2. its verified actions. Then only 1.
    ("/participants/VNM/feed/", {}, 2, 1),
    # 1. the participant, with the fingerprint of all verified actions; 2. the
    # treaties; 3. its verified actions; 4. those of the treaties it acted on.
    # Then only 1.
    ("/participants/VNM/", {}, 4, 1),
]


@pytest.mark.parametrize(("url", "headers", "first", "again"), PUBLIC)
def test_every_public_answer_costs_a_constant_number_of_queries_at_any_size(
    client, any_size, django_assert_num_queries, url, headers, first, again
):
    with django_assert_num_queries(first):
        assert client.get(url, headers=headers).status_code == 200
    with django_assert_num_queries(again):
        assert client.get(url, headers=headers).status_code == 200


def test_another_view_of_the_same_day_reads_the_status_from_the_cache(
    client, any_size, django_assert_num_queries
):
    client.get("/")
    with django_assert_num_queries(2):
        # 1. the treaty with its fingerprint; 2. the participants. Not the status.
        client.get("/", {"q": "viet"}, headers=HX)
    with django_assert_num_queries(1):
        # 1. the treaty with its fingerprint.
        client.get("/", headers=POLL)


def test_a_signed_in_visitor_gets_a_page_of_their_own_but_the_cached_status(
    client, defaults, django_assert_num_queries
):
    client.get("/")
    client.force_login(UserFactory(username="reader"))
    with django_assert_num_queries(7):
        # 1. the treaty with its fingerprint; 2. the session; 3. the user; 4. the
        # participants; 5-7. the header's links (mission staff? the user's and
        # their groups' permissions). Not the status; the page is rendered for them.
        page = client.get("/").content.decode()
    assert "reader" in page


def test_the_rules_engine_runs_once_for_every_view_of_a_day(client, defaults):
    with mock.patch.object(rules, "compute_status", wraps=rules.compute_status) as compute:
        client.get("/")
        client.get("/", {"status": "signed"}, headers=HX)
        client.get("/", headers=POLL)
        client.get(STATUS)
        client.get("/treaties/hanoi-convention/embed/")
    assert compute.call_count == 1


def test_each_day_has_a_status_of_its_own(client, defaults):
    assert client.get(STATUS, {"as_of": "2025-10-25"}).json()["signatories"] == 69
    assert client.get(STATUS, {"as_of": "2025-10-26"}).json()["signatories"] == 72
    assert client.get(STATUS).json()["signatories"] == 73


# Each way the verified actions change shows in the next request.


@pytest.fixture
def submission(defaults) -> Action:
    """Viet Nam's ratification, waiting for the depositary."""
    return ActionFactory(
        treaty=defaults,
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=today_in_new_york(),
        review=Action.Review.PENDING,
    )


def counted(client) -> int:
    return client.get(STATUS).json()["instruments_counted"]


def test_verifying_an_action_changes_what_the_next_request_shows(client, submission):
    page = client.get("/").content.decode()
    assert "0 of 40 instruments; 40 more needed." in page
    assert counted(client) == 0
    submission.verify(UserFactory())
    assert counted(client) == 1
    assert "1 of 40 instruments; 39 more needed." in client.get("/").content.decode()
    viet_nam = client.get("/participants/VNM/").content.decode()
    assert "Yes: Ratification of" in viet_nam


def test_rejecting_or_withdrawing_a_submission_changes_nothing_public(client, submission):
    assert counted(client) == 0
    submission.reject(UserFactory(), "No instrument was deposited.")
    assert counted(client) == 0


def test_an_import_changes_what_the_next_request_shows(client, defaults):
    assert counted(client) == 0
    plan = plan_import(
        f"participant,action,date\nVNM,ratification,{today_in_new_york().isoformat()}\n", defaults
    )
    assert plan.apply() == 1
    assert counted(client) == 1


def test_editing_a_verified_action_changes_what_the_next_request_shows(client, defaults):
    assert client.get(STATUS).json()["signatories"] == 73
    signature = Action.objects.verified().get(participant__iso3="MUS")
    signature.date = dt.date(2025, 11, 20)
    signature.save()
    mauritius = next(p for p in client.get(STATUS).json()["participants"] if p["iso3"] == "MUS")
    assert mauritius["signature"] == "2025-11-20"


def test_an_update_of_many_actions_at_once_changes_what_the_next_request_shows(client, defaults):
    """QuerySet.update() sends no signal and leaves `auto_now` alone: the database counts it."""
    before = client.get(STATUS).json()
    Action.objects.filter(participant__iso3="MUS").update(date=F("date") + dt.timedelta(days=1))
    after = client.get(STATUS).json()
    assert after != before
    assert after["data_as_of"] == "2025-11-20"


def test_removing_a_verified_action_changes_what_the_next_request_shows(client, defaults):
    assert client.get(STATUS).json()["signatories"] == 73
    Action.objects.filter(participant__iso3="MUS").delete()
    assert client.get(STATUS).json()["signatories"] == 72


def test_the_database_counts_every_change_to_verified_actions_whatever_makes_it(defaults):
    def changes():
        return TreatyChanges.objects.get(treaty_id=defaults.pk).changes

    counted = changes()
    signature = Action.objects.verified().get(participant__iso3="MUS")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ratifications_action SET note = 'by hand' WHERE id = %s", [signature.pk]
        )
    assert changes() > counted
    counted = changes()
    pending = ActionFactory(
        treaty=defaults,
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=today_in_new_york(),
        review=Action.Review.PENDING,
    )
    pending.note = "A mission's edit"
    pending.save()
    assert changes() == counted
    pending.verify(UserFactory())
    assert changes() > counted


def test_changing_a_treatys_clauses_changes_what_the_next_request_shows(client, defaults):
    assert client.get(STATUS).json()["remaining"] == 40
    Treaty.objects.filter(pk=defaults.pk).update(threshold=50)
    assert client.get(STATUS).json()["remaining"] == 50


# The query every public request runs is prepared once a PostgreSQL connection.


@pytest.mark.parametrize("prepared", [True, False])
def test_the_fingerprint_query_answers_the_same_prepared_or_not(
    client, defaults, settings, prepared
):
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    assert client.get(STATUS).json()["signatories"] == 73
    assert client.get("/participants/VNM/").status_code == 200


def test_a_new_database_connection_prepares_the_query_again(client, transactional_db):
    call_command("load_defaults", verbosity=0)
    assert client.get(STATUS).json()["signatories"] == 73
    connection.close()
    caches["local"].clear()
    caches["default"].clear()
    assert client.get(STATUS).json()["signatories"] == 73
