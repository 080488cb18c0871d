"""The suite's own set-up (tests/conftest.py): cheap passwords, and the shipped data loaded
once per session, there for the tests that ask for it and for no other."""

import json

import pytest

from ratifications.management.commands.load_defaults import FIXTURES
from ratifications.models import Action, Revision, Treaty
from states.models import Participant
from tests.factories import UserFactory
from tests.test_shipped_data import ROWS

PARTICIPANTS = len(json.loads((FIXTURES / "participants.json").read_text(encoding="utf-8")))


def assert_the_shipped_data_is_there():
    assert Participant.objects.count() == PARTICIPANTS
    assert Action.objects.verified().for_treaty(Treaty.objects.get()).count() == len(ROWS)
    assert Action.history.count() == len(ROWS)


def assert_the_database_is_empty():
    assert not Participant.objects.exists()
    assert not Treaty.objects.exists()
    assert not Action.objects.exists()
    # As the migrations leave it.
    assert Revision.current().number == 1


def test_factory_users_hash_their_passwords_with_md5(db):
    assert UserFactory().password.startswith("md5$")


def test_a_test_that_asks_for_the_shipped_data_finds_it(defaults):
    assert_the_shipped_data_is_there()


def test_a_database_test_that_does_not_ask_for_the_shipped_data_finds_none(db):
    assert_the_database_is_empty()


def test_an_empty_record_has_the_participants_and_the_treaty_but_no_action(empty_record):
    assert Participant.objects.count() == PARTICIPANTS
    assert empty_record.slug == "hanoi-convention"
    assert not Action.objects.exists()
    assert not Action.history.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_that_does_not_ask_for_the_shipped_data_finds_none():
    assert_the_database_is_empty()


def test_after_a_transactional_tests_flush_the_shipped_data_is_back_for_the_next_that_asks(
    transactional_db, defaults
):
    # pytest-django runs this after the transactional test above, and Django
    # flushed the database after that one.
    assert_the_shipped_data_is_there()
