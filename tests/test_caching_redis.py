"""The caches on Redis (CACHE_URL=redis://...), as several app processes share them.

Needs the Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/7), which CI
has: without it these tests fail, they do not skip. Each test writes under a key
prefix of its own and removes nothing else.
"""

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from ratifications.models import Action
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant
from tests.factories import ActionFactory, UserFactory
from tests.servers import redis_cache, redis_prefix

STATUS = "/api/v1/treaties/hanoi-convention/status"


@pytest.fixture
def redis():
    with redis_prefix() as prefix, override_settings(CACHES=redis_cache(prefix)):
        # Fails here, rather than skipping, when no Redis answers.
        caches["default"].set("probe", "here")
        assert caches["default"].get("probe") == "here"
        yield caches["default"]


def _keys(cache) -> list[bytes]:
    client = cache._cache.get_client(write=False)
    return list(client.scan_iter(match=f"{cache.key_prefix}:*"))


def other_process():
    """What another process has: the shared cache, not this one's copies in memory."""
    caches["local"].clear()


def test_the_status_and_the_responses_are_shared_through_redis(
    client, defaults, redis, django_assert_num_queries
):
    client.get("/")
    client.get(STATUS)
    stored = [key.decode() for key in _keys(redis)]
    assert any(":status:" in key for key in stored)
    assert sum(":response:" in key for key in stored) == 2
    other_process()
    with django_assert_num_queries(1):
        # 1. the treaty with its fingerprint; the response comes from Redis.
        assert client.get("/").status_code == 200
    with django_assert_num_queries(2):
        # 1. the treaty with its fingerprint; 2. the participants. The status from Redis.
        client.get("/", {"group": "african"}, headers={"HX-Request": "true"})


def test_verifying_an_action_changes_what_the_next_request_shows_on_redis(client, defaults, redis):
    submission = ActionFactory(
        treaty=defaults,
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=today_in_new_york(),
        review=Action.Review.PENDING,
    )
    assert client.get(STATUS).json()["instruments_counted"] == 0
    assert "0 of 40 instruments" in client.get("/").content.decode()
    submission.verify(UserFactory())
    for _process in ("this one", "another one"):
        assert client.get(STATUS).json()["instruments_counted"] == 1
        assert "1 of 40 instruments" in client.get("/").content.decode()
        other_process()


def test_without_redis_the_app_answers_all_the_same_and_says_so(client, defaults, caplog):
    unreachable = redis_cache()
    unreachable["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    with override_settings(CACHES=unreachable), caplog.at_level(logging.WARNING):
        assert "0 of 40 instruments" in client.get("/").content.decode()
        health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "cache": "unreachable"}
    assert "The shared cache did not answer" in caplog.text
