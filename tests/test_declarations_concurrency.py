"""Decisions on declarations at the same moment: one outcome, never a record answering nothing
or standing on nothing.

As in tests/test_depositary_concurrency.py: each request in its own thread, with its own
database connection and real transactions, released together by a barrier (PostgreSQL's
row locks).
"""

import datetime as dt

import pytest
from django.db import connection

from declarations.models import Declaration
from declarations.rules import Kind, Made
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    ParticipantFactory,
    TreatyFactory,
)
from tests.test_depositary_concurrency import race, signed_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; CI runs on it"
    ),
]


@pytest.fixture
def reserved():
    """Azerbaijan signed and reserved upon signature; France's objection to it is pending."""
    treaty = TreatyFactory()
    azerbaijan, france = ParticipantFactory(name="Azerbaijan"), ParticipantFactory(name="France")
    signature = ActionFactory(treaty=treaty, participant=azerbaijan)
    ActionFactory(treaty=treaty, participant=france)
    reservation = DeclarationFactory(treaty=treaty, participant=azerbaijan)
    objection = DeclarationFactory(
        treaty=treaty,
        participant=france,
        kind=Kind.OBJECTION,
        made=Made.LATER,
        date=dt.date(2026, 2, 1),
        answers=reservation,
        review=Declaration.Review.PENDING,
    )
    return {"signature": signature, "reservation": reservation, "objection": objection}


def test_an_objection_verified_as_its_reservation_is_undone_never_answers_nothing(reserved):
    reservation, objection = reserved["reservation"], reserved["objection"]
    race(
        (
            signed_in(DepositaryStaffFactory(username="ana")),
            f"/depositary/declarations/{objection.pk}/verify/",
            {"version": objection.version},
        ),
        (
            signed_in(DepositaryStaffFactory(username="ben")),
            f"/depositary/declarations/{reservation.pk}/undo/",
            {"version": reservation.version, "reason": "Verified by mistake"},
        ),
    )
    reservation.refresh_from_db()
    objection.refresh_from_db()
    outcome = (reservation.review, objection.review)
    # Either the objection came first and the undo was refused, or the undo came first and
    # the objection, answering a record no longer verified, was not verified.
    assert outcome in {("verified", "verified"), ("pending", "pending")}


def test_a_signature_undone_as_a_reservation_upon_it_is_verified_leaves_one_standing(reserved):
    signature, reservation = reserved["signature"], reserved["reservation"]
    reservation.undo(DepositaryStaffFactory(username="cleo"), "Check the date")
    reservation.refresh_from_db()
    race(
        (
            signed_in(DepositaryStaffFactory(username="ana")),
            f"/depositary/declarations/{reservation.pk}/verify/",
            {"version": reservation.version},
        ),
        (
            signed_in(DepositaryStaffFactory(username="ben")),
            f"/depositary/submissions/{signature.pk}/undo/",
            {"version": signature.version, "reason": "Signed another day"},
        ),
    )
    reservation.refresh_from_db()
    signature.refresh_from_db()
    assert (signature.review, reservation.review) in {
        ("verified", "verified"),
        ("pending", "pending"),
    }
