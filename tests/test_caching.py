"""The public pages' copies and validators (treatytrack/caching.py, docs/performance.md).

A public answer is kept under a key made of what the view understands of the request, the
record's revision, the New York day and the release. Every write advances the revision in
its own transaction, so the next request shows it, in this process or any other.
"""

import datetime as dt
import io
import logging
import select
import socket
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import autoreload
from django.utils.http import http_date

from accounts.models import depositary_group
from ratifications.models import Action, Listener, Revision, Treaty, listener
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
    OrganizationFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
    UserFactory,
)
from tests.servers import redis_cache, redis_prefix
from treatytrack import caching

PUBLIC = "public, max-age=30, stale-while-revalidate=30"
PAGE = "/treaties/demo/"
STATUS = "/api/v1/treaties/demo/status"
HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}


@pytest.fixture
def treaty(db) -> Treaty:
    """A treaty with three verified signatures."""
    treaty = TreatyFactory(slug="demo")
    ActionFactory.create_batch(3, treaty=treaty)
    return treaty


@pytest.fixture
def submission(treaty) -> Action:
    """A signatory's ratification, waiting for the depositary."""
    signatory = treaty.actions.first().participant
    return SubmissionFactory(
        treaty=treaty, participant=signatory, kind=ActionKind.RATIFICATION, date=dt.date(2026, 3, 1)
    )


def copies() -> int:
    """How many copies the per-process cache holds."""
    return sum(":page:" in key for key in cache._cache)


def counted(client) -> int:
    return client.get(STATUS).json()["instruments_counted"]


def test_a_second_reader_gets_the_kept_copy_for_one_query(
    client, treaty, django_assert_num_queries
):
    first = client.get(PAGE)
    with django_assert_num_queries(1):
        # 1. the revision: inside a transaction (this test's) a request asks for it.
        second = client.get(PAGE)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


# Listening: outside a transaction (as in production), each process hears of every advance.


@pytest.fixture
def listening(transactional_db, settings):
    settings.DATABASE_LISTEN = True
    treaty = TreatyFactory(slug="demo")
    ActionFactory.create_batch(3, treaty=treaty)
    yield treaty
    listener.close()


def test_a_listening_process_serves_a_kept_copy_with_no_query(
    client, listening, django_assert_num_queries
):
    first = client.get(PAGE)
    with django_assert_num_queries(0):
        second = client.get(PAGE)
    assert second.content == first.content


def test_a_listening_process_hears_of_an_advance_committed_by_another_process(client, listening):
    kept = client.get(PAGE)["ETag"]
    # As another process would: a connection of its own, outside Django.
    other = connection.Database.connect(**connection.get_connection_params())
    other.autocommit = True
    other.cursor().execute(
        f"UPDATE {Revision._meta.db_table} SET number = number + 1; NOTIFY {Revision.CHANNEL}"
    )
    other.close()
    # PostgreSQL sends it as the transaction commits; it may take a moment to arrive.
    assert select.select([listener.listening], [], [], 2)[0]
    assert client.get(PAGE)["ETag"] != kept


def test_a_listening_process_shows_each_of_its_own_writes_in_the_next_request(client, listening):
    for signed in range(4, 14):
        # Another thread of this process, as another request would.
        writer = threading.Thread(target=ActionFactory, kwargs={"treaty": listening})
        writer.start()
        writer.join()
        assert client.get(STATUS).json()["signatories"] == signed


def test_a_listener_cut_off_is_noticed_and_replaced_and_nothing_is_stale(
    client, listening, caplog, monkeypatch
):
    def signatories() -> int:
        return client.get(STATUS).json()["signatories"]

    assert signatories() == 3
    backend = listener.listening.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [backend])  # and waits
    ActionFactory(treaty=listening)
    with caplog.at_level(logging.WARNING):
        assert signatories() == 4
    assert "Not listening" in caplog.text
    assert listener.listening is None
    monkeypatch.setattr(Listener, "RECHECK", 0)
    ActionFactory(treaty=listening)
    assert signatories() == 5
    assert listener.listening is not None


def test_not_listening_each_request_asks_for_the_revision(
    client, listening, settings, django_assert_num_queries
):
    settings.DATABASE_LISTEN = False
    client.get(PAGE)
    with django_assert_num_queries(1):
        client.get(PAGE)


def test_a_verification_shows_in_the_next_request(client, submission):
    assert counted(client) == 0
    page = client.get(PAGE).content.decode()
    assert "0 of 40 instruments" in page
    submission.verify(UserFactory())
    assert counted(client) == 1
    assert "1 of 40 instruments" in client.get(PAGE).content.decode()


def test_a_rejection_changes_nothing_public(client, submission):
    before = client.get(STATUS).json()
    submission.reject(UserFactory(), "No instrument was deposited.")
    assert client.get(STATUS).json() == before


# Every way of writing advances the revision.


def advance_by_saving(treaty, tmp_path):
    action = treaty.actions.first()
    action.place = "New York"
    action.save()


def advance_by_deleting(treaty, tmp_path):
    treaty.actions.first().delete()


def advance_by_updating_many(treaty, tmp_path):
    Action.objects.filter(treaty=treaty).update(place="Hanoi")


def advance_by_changing_a_clause(treaty, tmp_path):
    treaty.threshold = 50
    treaty.save()


def advance_by_renaming_a_participant(treaty, tmp_path):
    participant = treaty.actions.first().participant
    participant.names = {"fr": "Nouveau nom"}
    participant.save()


def advance_by_adding_a_member(treaty, tmp_path):
    OrganizationFactory().members.add(treaty.actions.first().participant)


def advance_by_importing(treaty, tmp_path):
    csv = tmp_path / "new.csv"
    csv.write_text(f"participant,action,date\n{ParticipantFactory().iso3},signature,2025-10-25\n")
    call_command("import_actions", csv, treaty=treaty.slug, stdout=io.StringIO())


@pytest.mark.parametrize(
    "write",
    [
        advance_by_saving,
        advance_by_deleting,
        advance_by_updating_many,
        advance_by_changing_a_clause,
        advance_by_renaming_a_participant,
        advance_by_adding_a_member,
        advance_by_importing,
    ],
)
def test_every_way_of_writing_advances_the_revision(client, treaty, write, tmp_path):
    etag = client.get(PAGE)["ETag"]
    before = Revision.current().number
    write(treaty, tmp_path)
    assert Revision.current().number > before
    assert client.get(PAGE, headers={"If-None-Match": etag}).status_code == 200


def test_a_write_that_rolls_back_leaves_the_revision(treaty):
    before = Revision.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        advance_by_saving(treaty, None)
        raise RuntimeError("changed my mind")
    assert Revision.current().number == before.number


# What visitors type does not grow the cache.


def test_a_parameter_the_page_does_not_understand_is_dropped_not_kept(client, treaty):
    plain = client.get(PAGE)
    kept = copies()
    for n in range(20):
        tracked = client.get(PAGE, {"utm_source": n})
        assert tracked.content == plain.content
        assert tracked["ETag"] == plain["ETag"]
    assert copies() == kept


def test_open_data_answers_an_unknown_parameter_with_400_and_keeps_nothing(client, treaty):
    kept = copies()
    response = client.get(STATUS, {"utm_source": "x"})
    assert response.status_code == 400
    assert "utm_source" in response.json()["error"]
    assert response["Cache-Control"] == "private, no-store"
    assert copies() == kept


def test_copies_with_parameters_are_counted_and_capped(client, treaty, monkeypatch):
    monkeypatch.setattr(caching, "KEPT_WITH_PARAMETERS", 3)
    client.get(PAGE)
    kept = copies()
    for word in ["alpha", "beta", "gamma", "delta", "epsilon"]:
        assert client.get(PAGE, {"q": word}, headers=HX).status_code == 200
    assert copies() == kept + 3
    # The page without parameters is always kept, and a new revision starts a new count.
    advance_by_saving(treaty, None)
    client.get(PAGE, {"q": "zeta"}, headers=HX)
    assert copies() == kept + 4


def test_a_bad_value_is_a_400_that_is_not_kept(client, treaty):
    kept = copies()
    response = client.get(PAGE, {"as_of": "yesterday"})
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    assert copies() == kept


# Nothing personal is shared.


def test_a_signed_in_readers_page_is_their_own_and_never_kept(client, treaty):
    client.get(PAGE)
    kept = copies()
    client.force_login(UserFactory(username="depositary-clerk"))
    mine = client.get(PAGE)
    assert "depositary-clerk" in mine.content.decode()
    assert mine["Cache-Control"] == "private, no-cache"
    assert client.get(PAGE, headers={"If-None-Match": mine["ETag"]}).status_code == 304
    assert copies() == kept
    client.logout()
    theirs = client.get(PAGE)
    assert "depositary-clerk" not in theirs.content.decode()
    assert theirs["ETag"] != mine["ETag"]


def test_open_data_is_the_same_for_a_signed_in_reader(client, treaty):
    anonymous = client.get(STATUS)
    client.force_login(UserFactory())
    response = client.get(STATUS, headers={"If-None-Match": anonymous["ETag"]})
    assert response.status_code == 304
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    "url", ["/depositary/", "/mission/", "/accounts/login/", "/accounts/password_change/"]
)
def test_every_other_page_is_never_stored(client, treaty, url):
    staff = UserFactory()
    staff.groups.add(depositary_group())
    if url != "/accounts/login/":
        client.force_login(staff)
    response = client.get(url)
    assert response.status_code in (200, 403)
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


# Validators and headers.


@pytest.mark.parametrize("url", [PAGE, "/participants/{iso3}/", STATUS, "/treaties/demo/feed/"])
def test_an_anonymous_copy_may_be_kept_30_seconds_and_answers_conditional_requests(
    client, treaty, url
):
    url = url.format(iso3=treaty.actions.first().participant.iso3)
    response = client.get(url)
    assert response["Cache-Control"] == PUBLIC
    for condition in (
        {"If-None-Match": response["ETag"]},
        {"If-Modified-Since": response["Last-Modified"]},
    ):
        not_modified = client.get(url, headers=condition)
        assert not_modified.status_code == 304
        assert not_modified["Cache-Control"] == PUBLIC
        assert not_modified["ETag"] == response["ETag"]


def test_the_last_modified_is_the_revision_or_new_york_midnight_whichever_is_later(client, treaty):
    changed = Revision.current().changed_at
    assert client.get(PAGE)["Last-Modified"] == http_date(changed.timestamp())
    with mock.patch("treatytrack.caching.today_in_new_york", return_value=dt.date(2099, 3, 1)):
        later = client.get(PAGE)["Last-Modified"]
    assert later == http_date(dt.datetime(2099, 3, 1, 5, tzinfo=dt.UTC).timestamp())


def test_the_etag_differs_by_what_the_answer_depends_on(client, treaty):
    etags = [
        client.get(PAGE)["ETag"],
        client.get(PAGE, {"q": "land"})["ETag"],
        client.get(PAGE, headers=HX)["ETag"],
        client.get(PAGE, headers=POLL)["ETag"],
        client.get(PAGE, headers={"Accept-Language": "fr"})["ETag"],
        client.get(PAGE, headers={"Accept-Encoding": "gzip"})["ETag"],
        client.get(PAGE, HTTP_HOST="localhost")["ETag"],
    ]
    with mock.patch("treatytrack.caching.today_in_new_york", return_value=dt.date(2099, 3, 1)):
        etags.append(client.get(PAGE)["ETag"])
    with override_settings(RELEASE="next"):
        etags.append(client.get(PAGE)["ETag"])
    assert len(set(etags)) == len(etags)


def test_an_edit_seen_by_runserver_changes_every_etag_and_copy(client, treaty, monkeypatch):
    """A template edited under `make run` shows on the next request, not a kept copy."""
    monkeypatch.setattr(caching, "_generation", [0])
    before = client.get(PAGE)
    autoreload.file_changed.send(sender=None, file_path=Path("templates/base.html"))
    after = client.get(PAGE, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_the_poll_carries_the_etag_of_the_counters_it_asks_for(client, treaty):
    page = client.get(PAGE).content.decode()
    counters = client.get(PAGE, headers=POLL)
    assert f"If-None-Match&quot;: &quot;\\&quot;{counters['ETag'][1:-1]}\\&quot;" in page
    assert client.get(PAGE, headers={**POLL, "If-None-Match": counters["ETag"]}).status_code == 304


def test_a_page_varies_on_language_cookie_encoding_and_fragment_and_open_data_on_encoding(
    client, treaty
):
    def vary(response):
        return {name.strip() for name in response["Vary"].split(",")}

    assert vary(client.get(PAGE)) >= {
        "Accept-Language",
        "Cookie",
        "Accept-Encoding",
        "HX-Request",
        "HX-Target",
        "HX-History-Restore-Request",
    }
    assert vary(client.get(STATUS)) == {"Accept-Encoding"}


def test_a_client_that_takes_gzip_gets_the_same_data_compressed(client, treaty):
    import gzip

    plain = client.get(STATUS)
    compressed = client.get(STATUS, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content


def test_public_pages_have_no_nonce_and_the_workspaces_do(client, treaty):
    """A copy goes to every reader: a nonce in it would be everyone's. Its scripts are
    the site's own, which the policy allows."""
    policy = client.get(PAGE)["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "nonce" not in policy
    assert "frame-ancestors 'none'" in policy
    client.force_login(UserFactory())
    assert "'nonce-" in client.get("/accounts/password_change/")["Content-Security-Policy"]


def test_the_embedded_card_may_be_framed_by_any_site(client, treaty):
    policy = client.get("/treaties/demo/embed/")["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "nonce" not in policy


def test_the_benchmarks_trivial_view_is_not_served_unless_asked_for(client, db):
    assert client.get("/bench/trivial").status_code == 404


# On Redis, shared by the app's processes (CACHE_URL): needs the tests' Redis, which CI has.


@pytest.fixture
def redis():
    caching.RedisCache._paused_until = 0.0
    with redis_prefix() as prefix, override_settings(CACHES=redis_cache(prefix)):
        # Fails here, rather than skipping, when no Redis answers.
        caches["default"].set("probe", "here")
        assert caches["default"].get("probe") == "here"
        yield caches["default"]


def test_a_copy_kept_on_redis_is_served_to_the_next_reader(
    client, treaty, redis, django_assert_num_queries
):
    first = client.get(PAGE)
    client_of_another_process = type(client)()
    with django_assert_num_queries(1):
        assert client_of_another_process.get(PAGE).content == first.content


def test_a_verification_shows_in_the_next_request_on_redis(client, submission, redis):
    assert counted(client) == 0
    submission.verify(UserFactory())
    assert counted(client) == 1


def test_a_redis_that_does_not_answer_is_asked_once_then_left_alone(client, treaty, caplog):
    """It accepts connections and never answers: the first request waits for the socket
    timeout once, the next ones do not ask it at all, and every answer is right."""
    caching.RedisCache._paused_until = 0.0
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        hanging = {
            "BACKEND": "treatytrack.caching.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
        with override_settings(CACHES={"default": hanging}), caplog.at_level(logging.WARNING):
            for _ in range(5):
                assert counted(client) == 0
                assert client.get(PAGE).status_code == 200
        silent.setblocking(False)
        connections = 0
        while True:
            try:
                silent.accept()[0].close()
            except BlockingIOError:
                break
            connections += 1
    caching.RedisCache._paused_until = 0.0
    assert connections == 1
    assert sum("did not answer" in r.message for r in caplog.records) == 1
