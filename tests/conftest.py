import contextlib
import datetime as dt
import http.server
import io
import os
import threading
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from declarations.models import Declaration, Provision
from ratifications.models import Action, Revision, Treaty, listener
from ratifications.rules import ActionKind
from reports.models import Report
from states.models import Participant
from tests.factories import ActionFactory, ParticipantFactory

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
    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()
    # The revision this process heard of: the flush between tests tells no one.
    listener.forget()


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A request that ends in an exception leaves its language active in the thread, for
    whatever the next test renders outside a request (a label, a mail)."""
    yield
    translation.deactivate()


# The shipped data


class Shipped:
    """What `load_defaults` writes: loaded once per session, taken away per test.

    The test database holds the shipped data from the start of the session. A
    test that asks for `defaults` finds it there, and its own writes roll back
    with its transaction; any other database test finds an empty record: the
    rows go inside its transaction, so they are back for the next. Transactional
    tests (browser journeys, concurrency) commit, and Django flushes the database
    after each: the rows are put back from a copy, in tables of the tests' own
    that the flush leaves alone, where a test asks for them.
    """

    # The revision row as the migrations leave it, put back with an empty record.
    empty_revision: list[dict] = []

    @staticmethod
    def tables() -> list[str]:
        """The tables load_defaults writes, the actions before what they point at."""
        models = [
            Report.history.model,
            Report,
            Provision,
            Declaration.history.model,
            Declaration,
            Action.history.model,
            Action,
            Treaty.history.model,
            Treaty,
            Participant.members.through,
            Participant.history.model,
            Participant,
            Revision,
        ]
        return [model._meta.db_table for model in models]

    @classmethod
    def load(cls) -> None:
        cls.empty_revision = list(Revision.objects.values())
        # Idempotent: a database kept by --reuse-db may hold the data already.
        call_command("load_defaults", stdout=io.StringIO())
        with connection.cursor() as cursor:
            for table in cls.tables():
                copy = _quote(f"tests_shipped_{table}")
                cursor.execute(f"DROP TABLE IF EXISTS {copy}")
                cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {_quote(table)}")

    @staticmethod
    def present() -> bool:
        return Treaty.objects.filter(slug=DEFAULT_TREATY).exists()

    @classmethod
    def restore(cls) -> None:
        with connection.cursor() as cursor:
            cls.delete(cursor)
            for table in reversed(cls.tables()):
                copy = _quote(f"tests_shipped_{table}")
                cursor.execute(f"INSERT INTO {_quote(table)} SELECT * FROM {copy}")

    @classmethod
    def remove(cls) -> None:
        with connection.cursor() as cursor:
            cls.delete(cursor)
        Revision.objects.bulk_create(Revision(**row) for row in cls.empty_revision)

    @classmethod
    def delete(cls, cursor) -> None:
        # Plain SQL: Django's deletion would send a signal, and advance the revision, per row.
        for table in cls.tables():
            cursor.execute(f"DELETE FROM {_quote(table)}")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the shipped data loaded once for the whole session."""
    with django_db_blocker.unblock():
        Shipped.load()
    yield
    # Its own connection, which would keep the test database from being dropped.
    listener.close()


@pytest.fixture(autouse=True)
def _empty_database_unless_asked(request):
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
        # Flushed after a transactional test (those run last): put back for this one.
        Shipped.restore()
    return Treaty.objects.get(slug=DEFAULT_TREATY)


@pytest.fixture
def empty_record(defaults) -> Treaty:
    """The shipped participants and the Hanoi Convention, with no action recorded (nor
    report, nor declaration, which stands on actions).

    For a test that states its own cast on the real participants and treaty,
    free of whatever the shipped status says today.
    """
    with connection.cursor() as cursor:
        for model in (
            Report.history.model,
            Report,
            Provision,
            Declaration.history.model,
            Declaration,
            Action.history.model,
            Action,
        ):
            cursor.execute(f"DELETE FROM {_quote(model._meta.db_table)}")
    Revision.advance()
    return defaults


@pytest.fixture
def viet_nam_signed(empty_record) -> Treaty:
    """The Hanoi Convention with one verified action: Viet Nam's signature, in Hanoi on
    25 October 2025. Every other participant has done nothing."""
    ActionFactory(
        treaty=empty_record,
        participant=Participant.objects.get(iso3="VNM"),
        date=dt.date(2025, 10, 25),
        place="Hanoi",
    )
    return empty_record


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


# The background worker (alerts/)


def run_queued_tasks() -> int:
    """Run the tasks queued in the database (django_tasks_db), here, as the worker would
    (`manage.py worker`), inside the test's transaction; how many ran. A task that fails
    fails the test."""
    from django_tasks_db.models import DBTaskResult

    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim("tests")
        arguments = result.args_kwargs
        result.set_successful(result.task.call(*arguments["args"], **arguments["kwargs"]))
        ran += 1
    return ran


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """`with worker(): ...`: what the block commits is queued (transaction.on_commit), then
    the worker's work done, until nothing is left: the mail is in `mail.outbox` after it.

    A test's own transaction never commits: its on-commit callbacks are run by hand."""

    @contextlib.contextmanager
    def working():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        while True:
            with django_capture_on_commit_callbacks(execute=True):
                ran = run_queued_tasks()
            if not ran:
                return

    return working


@pytest.fixture
def untc_server():
    """A local HTTP server standing for the depositary's (tests never use the network):
    (its address, its routes), each route's path -> (status, body, seconds between 1 KB)."""
    routes: dict[str, tuple[int, bytes, float]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status, body, delay = routes.get(self.path, (404, b"Not found", 0))
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            for start in range(0, len(body), 1024):
                time.sleep(delay)
                self.wfile.write(body[start : start + 1024])

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes
    httpd.shutdown()
    httpd.server_close()
