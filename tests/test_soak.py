"""Under load, correct: readers and verifying writers at once on the production server.

Bounded: 40 submissions to verify, and at most 30 seconds. Readers hammer the
status API, the dashboard, its table fragment and a participant page while two
depositary staff verify, each through a session of their own. No request may
fail, each reader's count may only go up, and at the end the API counts exactly
the instruments verified.
"""

import gzip
import json
import threading
import time

import pytest
from django.utils import timezone

from accounts.models import depositary_group
from ratifications.models import Action
from ratifications.rules import ActionKind, today_in_new_york
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory, UserFactory
from tests.servers import Client, gunicorn, redis_prefix

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
SUBMISSIONS = 40
DEADLINE = 30
STATUS = "/api/v1/treaties/soak/status"


@pytest.fixture
def submissions(transactional_db) -> list[Action]:
    """Accessions of 40 States to a treaty of 40 instruments, each waiting for the depositary."""
    treaty = TreatyFactory(slug="soak", threshold=SUBMISSIONS)
    return [
        ActionFactory(
            treaty=treaty,
            participant=ParticipantFactory(),
            kind=ActionKind.ACCESSION,
            date=today_in_new_york(),
            review=Action.Review.PENDING,
            submitted_at=timezone.now(),
        )
        for _ in range(SUBMISSIONS)
    ]


@pytest.fixture
def staff(transactional_db) -> list[str]:
    names = ["verifier-1", "verifier-2"]
    for name in names:
        UserFactory(username=name, password=PASSWORD).groups.add(depositary_group())
    return names


def test_readers_and_verifying_writers_at_once_see_no_failure_and_exact_counts(
    submissions, staff, static_root, tmp_path
):
    failures, verified, seen = [], [], []
    writing = threading.Event()
    writing.set()
    started = time.monotonic()

    def in_time() -> bool:
        return time.monotonic() - started < DEADLINE

    def read(address: str, number: int) -> None:
        client, last = Client(address), -1
        participant = submissions[number].participant.iso3
        requests = [
            (STATUS, {}),
            (STATUS, {"Accept-Encoding": "gzip"}),
            ("/treaties/soak/", {}),
            ("/treaties/soak/?q=testland&sort=instrument", {"HX-Request": "true"}),
            (f"/participants/{participant}/", {}),
        ]
        while in_time():
            # One more round once the writers are done, which must see every verification.
            finishing = not writing.is_set()
            for path, headers in requests:
                response = client.get(path, headers=headers)
                if response.status != 200:
                    failures.append((path, response.status))
                elif path == STATUS:
                    body = response.body
                    if response.headers.get("Content-Encoding") == "gzip":
                        body = gzip.decompress(body)
                    counted = json.loads(body)["instruments_counted"]
                    if counted < last:
                        failures.append((path, f"count went down from {last} to {counted}"))
                    last = counted
                    seen.append(counted)
            if finishing:
                return

    def write(address: str, username: str, mine: list[Action]) -> None:
        client = Client(address)
        client.sign_in(username, PASSWORD)
        for action in mine:
            if not in_time():
                return
            response = client.post(
                f"/depositary/submissions/{action.pk}/verify/", {"version": action.version}
            )
            if response.status == 302:
                verified.append(action.pk)
            else:
                failures.append(("verify", response.status))

    with (
        redis_prefix() as prefix,
        gunicorn(static_root, tmp_path / "soak.log", cache_prefix=prefix, workers=2) as address,
    ):
        readers = [threading.Thread(target=read, args=(address, n)) for n in range(4)]
        writers = [
            threading.Thread(target=write, args=(address, name, submissions[n::2]))
            for n, name in enumerate(staff)
        ]
        for thread in readers + writers:
            thread.start()
        for thread in writers:
            thread.join()
        writing.clear()
        for thread in readers:
            thread.join()
        final = Client(address).get(STATUS).json()

    assert failures == []
    assert sorted(verified) == sorted(action.pk for action in submissions)
    assert final["instruments_counted"] == final["parties"] == len(verified) == SUBMISSIONS
    assert final["threshold_reached_on"] == today_in_new_york().isoformat()
    assert Action.objects.verified().filter(treaty__slug="soak").count() == SUBMISSIONS
    # The readers saw the count climb while the writers wrote.
    assert len(set(seen)) > 2
