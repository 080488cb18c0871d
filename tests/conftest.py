import datetime as dt
import io
import os

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ratifications.models import Action, Revision, Treaty
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

DEFAULT_TREATY = "hanoi-convention"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """MD5 instead of PBKDF2: a factory user costs microseconds, not a tenth of a second.

    Not for the tests that start gunicorn (they ask for `static_root`): those
    servers check the test's users' passwords with the production hashers.
    """
    if "static_root" in request.fixturenames:
        yield
        return
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty per-process caches, which outlive its database.

    Only the in-memory ones: a Redis from CACHE_URL may be someone else's too
    (its tests use key prefixes of their own, tests/test_caching_redis.py).
    """
    for alias in ("default", "local"):
        if isinstance(caches[alias], LocMemCache):
            caches[alias].clear()


# The shipped data


class Shipped:
    """What `load_defaults` writes, loaded once for the session and taken away per test.

    The test database holds the shipped data from the start of the session. A
    test that asks for `defaults` finds it there, and its own writes roll back
    with its transaction; any other database test finds an empty record: the
    rows go inside its transaction, so they come back for the next. Transactional
    tests (browser journeys, concurrency) commit, and Django flushes the
    database after each: the data is loaded again where it is missing.
    """

    # Deleted in this order: the actions before what they point at.
    @staticmethod
    def models():
        return [
            Action.history.model,
            Action,
            Treaty.history.model,
            Treaty,
            Participant.members.through,
            Participant.history.model,
            Participant,
        ]

    # The revision row as the migrations leave it, put back with an empty record.
    empty_revision: list[dict] = []

    @classmethod
    def load(cls) -> None:
        call_command("load_defaults", stdout=io.StringIO())

    @staticmethod
    def present() -> bool:
        return Treaty.objects.filter(slug=DEFAULT_TREATY).exists()

    @classmethod
    def remove(cls) -> None:
        # Plain SQL: Django's deletion would send a signal, and advance the revision, per row.
        with connection.cursor() as cursor:
            for model in cls.models():
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        Revision.objects.all().delete()
        Revision.objects.bulk_create(Revision(**row) for row in cls.empty_revision)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, and the shipped data loaded once for the whole session."""
    with django_db_blocker.unblock():
        if not Shipped.present():  # a database kept by --reuse-db may have it already
            Shipped.empty_revision = list(Revision.objects.values())
            Shipped.load()
        else:
            Shipped.empty_revision = [{"pk": 1, "number": 1}]


@pytest.fixture(autouse=True)
def _empty_record_unless_asked(request):
    """A database test that does not ask for `defaults` starts with no participant,
    treaty or action, as on a freshly migrated database."""
    if "defaults" in request.fixturenames:
        return
    if "_django_db_helper" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    # pytest-django's own set-up (what `db` and `transactional_db` ask for): the
    # rows go inside the test's transaction, or before a transactional test.
    request.getfixturevalue("_django_db_helper")
    Shipped.remove()


@pytest.fixture
def defaults(db) -> Treaty:
    """The shipped data: every participant, the Hanoi Convention and its verified status.

    Loaded once per session; read it, or change it: a test's writes roll back.
    """
    if not Shipped.present():
        # Flushed by a transactional test, which runs last: reloaded for the next.
        Shipped.load()
    return Treaty.objects.get(slug=DEFAULT_TREATY)


@pytest.fixture
def tenfold(defaults) -> Treaty:
    """The shipped data with ten times as many verified actions, for query budgets.

    330 more States, each with a signature and a ratification: the threshold
    is reached, so every branch of the status shows.
    """
    shipped = Action.objects.verified().for_treaty(defaults).count()
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
    assert Action.objects.verified().for_treaty(defaults).count() == shipped + 660
    return defaults


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected as in production, for the tests that start gunicorn."""
    from tests.servers import collect_static

    directory = tmp_path_factory.mktemp("static")
    collect_static(directory)
    return directory


@pytest.fixture(params=["defaults", "tenfold"])
def sized(request, defaults) -> Treaty:
    """Each query budget holds at both sizes: the real data, and ten times as many actions.

    Asks for `defaults` by name: the shipped data stays for these tests, and
    pytest-django orders them with the other database tests.
    """
    return request.getfixturevalue(request.param)
