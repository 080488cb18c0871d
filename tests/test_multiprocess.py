"""App processes over one PostgreSQL: what one verifies, the others show at once.

Each keeps its pages under keys that name the record's revision (treatytrack/caching.py),
in Redis or in its own memory. PostgreSQL tells every process of an advance as it commits,
so its next request asks for new keys (docs/performance.md).
"""

import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import depositary_group
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant
from tests.factories import ActionFactory, UserFactory
from tests.servers import Client, gunicorn, redis_prefix

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
STATUS = "/api/v1/treaties/hanoi-convention/status"


@pytest.fixture
def submission(transactional_db) -> Action:
    """The real data, and Viet Nam's ratification waiting for the depositary."""
    call_command("load_defaults", verbosity=0)
    return ActionFactory(
        treaty=Treaty.objects.get(slug="hanoi-convention"),
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=today_in_new_york(),
        review=Action.Review.PENDING,
        submitted_at=timezone.now(),
    )


@pytest.fixture
def depositary_staff(transactional_db):
    user = UserFactory(username="verifier", password=PASSWORD)
    user.groups.add(depositary_group())
    return user


def test_a_verification_through_one_process_shows_at_once_through_the_other(
    submission, depositary_staff, static_root, tmp_path
):
    with (
        redis_prefix() as prefix,
        gunicorn(static_root, tmp_path / "one.log", cache_prefix=prefix) as one,
        gunicorn(static_root, tmp_path / "two.log", cache_prefix=prefix) as two,
    ):
        reader = Client(two)
        before = reader.get(STATUS).json()
        # Both processes have the status and the page cached, in memory and in Redis.
        assert Client(one).get(STATUS).json() == before
        page = reader.get("/", headers={"Accept-Encoding": "identity"}).body.decode()
        assert "0 of 40 instruments; 40 more needed." in page

        staff = Client(one)
        staff.sign_in(depositary_staff.username, PASSWORD)
        verified = staff.post(
            f"/depositary/submissions/{submission.pk}/verify/", {"version": submission.version}
        )
        assert verified.status == 302

        after = reader.get(STATUS).json()
        assert before["instruments_counted"] == 0
        assert after["instruments_counted"] == 1
        assert after["parties"] == before["parties"] + 1
        page = reader.get("/", headers={"Accept-Encoding": "identity"}).body.decode()
        assert "1 of 40 instruments; 39 more needed." in page
    assert (tmp_path / "one.log").read_text().count('"path": "/depositary/submissions/') == 1


def test_every_write_shows_in_each_worker_keeping_pages_in_memory_once_told(
    submission, static_root, tmp_path
):
    """The default cache, each worker's own memory. Thirty writes, each committed by another
    process (this one) just before two reads, each on a connection of its own that either
    worker may take. PostgreSQL tells the workers as the write commits; a read that comes
    within the moment its message takes to arrive (microseconds, more on a loaded machine)
    may still show the write before. Within a second, never the 10 s a worker that heard
    nothing would take to ask again (`Listener.RECHECK`)."""
    with gunicorn(
        static_root, tmp_path / "gunicorn.log", cache_prefix="", cache_url="", workers=2
    ) as address:

        def signatories() -> int:
            return Client(address).get(STATUS).json()["signatories"]

        before = signatories()
        others = Participant.objects.exclude(actions__isnull=False)[:30]
        for signed, participant in enumerate(others, start=before + 1):
            ActionFactory(treaty=submission.treaty, participant=participant)
            for _read in range(2):
                told_by = time.monotonic() + 1
                while (seen := signatories()) < signed and time.monotonic() < told_by:
                    time.sleep(0.001)
                assert seen == signed
