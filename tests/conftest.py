import datetime as dt
import io
import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ParticipantFactory

# Two shared cores make timings noisy: no per-example deadline. CI runs the
# same examples every time (derandomize), so a red build can be reproduced;
# locally hypothesis keeps exploring.
hypothesis_settings.register_profile(
    "local", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty per-process caches, which outlive its database.

    Only the in-memory ones: a Redis from CACHE_URL may be someone else's too
    (its tests use key prefixes of their own, tests/test_caching_redis.py).
    """
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture
def defaults(db) -> Treaty:
    """The shipped data: every participant, the Hanoi Convention and its verified status."""
    call_command("load_defaults", stdout=io.StringIO())
    return Treaty.objects.get(slug="hanoi-convention")


@pytest.fixture
def tenfold(defaults) -> Treaty:
    """The shipped data with ten times as many verified actions, for query budgets.

    330 more States, each with a signature and a ratification: the threshold
    is reached, so every branch of the status shows.
    """
    states = Participant.objects.bulk_create(ParticipantFactory.build_batch(330))
    now = timezone.now()
    Action.objects.bulk_create(
        Action(
            treaty=defaults,
            participant=state,
            kind=kind,
            date=day,
            review=Action.Review.VERIFIED,
            reviewed_at=now,
            source="Test fixture",
        )
        for n, state in enumerate(states)
        for kind, day in (
            (ActionKind.SIGNATURE, dt.date(2025, 10, 25)),
            (ActionKind.RATIFICATION, dt.date(2026, 1, 1) + dt.timedelta(days=n % 300)),
        )
    )
    assert Action.objects.verified().for_treaty(defaults).count() == 73 + 660
    return defaults


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected as in production, for the tests that start gunicorn."""
    from tests.servers import collect_static

    directory = tmp_path_factory.mktemp("static")
    collect_static(directory)
    return directory


@pytest.fixture(params=["defaults", "tenfold"])
def sized(request, db) -> Treaty:
    """Each query budget holds at both sizes: the real data, and ten times as many actions.

    Asks for `db` by name so that pytest-django orders these tests with the
    other database tests, before the browser tests' transactional ones.
    """
    return request.getfixturevalue(request.param)
