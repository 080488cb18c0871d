"""Two people undoing one decision at once: one undo, and a clear message for the other.

As in tests/test_depositary_concurrency.py: each request in its own thread, with its own
database connection and real transactions, released together by a barrier (PostgreSQL's
row locks).
"""

import pytest
from django.db import connection

from ratifications.models import Action
from tests.factories import DepositaryStaffFactory
from tests.test_depositary_concurrency import race, signed_in, submission  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs on it"
    ),
]


def test_two_reviewers_undoing_one_verification_undo_it_once(submission):  # noqa: F811
    submission.verify(DepositaryStaffFactory(username="cleo"))
    url = f"/depositary/submissions/{submission.pk}/undo/"
    pages = race(
        (
            signed_in(DepositaryStaffFactory(username="ana")),
            url,
            {"version": submission.version, "reason": "Wrong date"},
        ),
        (
            signed_in(DepositaryStaffFactory(username="ben")),
            url,
            {"version": submission.version, "reason": "Not received"},
        ),
    )
    winners = [page for page in pages if "is pending verification again" in page]
    losers = [page for page in pages if "There is no decision to undo" in page]
    assert (len(winners), len(losers)) == (1, 1)
    submission.refresh_from_db()
    assert submission.review == Action.Review.PENDING
    assert submission.history.filter(history_change_reason="undone").count() == 1
