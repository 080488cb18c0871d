"""The one loader of the rules' inputs (`Action.objects.rule_inputs`), as the forms use it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ratifications.models import Action
from ratifications.rules import ActionKind
from tests.factories import (
    ActionFactory,
    OrganizationFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)

D = dt.date


@pytest.fixture
def treaty(db):
    return TreatyFactory()


def test_a_second_instrument_beside_a_pending_one_is_refused_saying_it_is_pending(treaty):
    viet_nam = ParticipantFactory(name="Viet Nam")
    ActionFactory(treaty=treaty, participant=viet_nam)
    SubmissionFactory(
        treaty=treaty, participant=viet_nam, kind=ActionKind.RATIFICATION, date=D(2026, 3, 2)
    )
    second = Action(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.ACCESSION,
        date=D(2026, 4, 1),
        review=Action.Review.PENDING,
    )
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert refused.value.message_dict["kind"] == [
        "This participant's ratification of 2 March 2026 is pending verification; a second "
        "instrument needs a denunciation that has taken effect first."
    ]


def test_a_second_instrument_beside_a_verified_one_says_the_state_is_already_a_party(treaty):
    viet_nam = ParticipantFactory(name="Viet Nam")
    ActionFactory(treaty=treaty, participant=viet_nam)
    ActionFactory(
        treaty=treaty, participant=viet_nam, kind=ActionKind.RATIFICATION, date=D(2026, 3, 2)
    )
    second = SubmissionFactory.build(
        treaty=treaty, participant=viet_nam, kind=ActionKind.ACCESSION, date=D(2026, 4, 1)
    )
    assert [p.message for p in second.rule_problems(include_pending=True)] == [
        "This participant is already a party by ratification of 2 March 2026; a second "
        "instrument needs a denunciation that has taken effect first."
    ]


def test_pending_submissions_count_only_when_asked(treaty):
    canada = ParticipantFactory()
    SubmissionFactory(treaty=treaty, participant=canada)
    inputs = Action.objects.rule_inputs(treaty, [canada], include_pending=True)
    assert [(a.kind, a.pending) for a in inputs.acts[canada.pk]] == [(ActionKind.SIGNATURE, True)]
    assert Action.objects.rule_inputs(treaty, [canada]).acts == {}


def test_an_organization_is_checked_against_its_member_states_actions(treaty):
    france, germany = ParticipantFactory(), ParticipantFactory()
    union = OrganizationFactory()
    union.members.set([france, germany])
    ActionFactory(treaty=treaty, participant=germany)
    stranger = ParticipantFactory()
    ActionFactory(treaty=treaty, participant=stranger)

    inputs = Action.objects.rule_inputs(treaty, [union])
    assert {pk: sorted(members) for pk, members in inputs.members.items()} == {
        union.pk: sorted([france.pk, germany.pk])
    }
    assert set(inputs.acts) == {germany.pk}
    signs = Action(treaty=treaty, participant=union, kind=ActionKind.SIGNATURE, date=D(2025, 11, 3))
    assert signs.rule_problems() == []


def test_a_protocol_reads_the_participants_verified_actions_on_the_parent_treaty(treaty):
    protocol = TreatyFactory(parent=treaty)
    norway = ParticipantFactory()
    ActionFactory(treaty=treaty, participant=norway, kind=ActionKind.ACCESSION, date=D(2026, 1, 5))
    SubmissionFactory(treaty=treaty, participant=norway, kind=ActionKind.DENUNCIATION)
    inputs = Action.objects.rule_inputs(protocol, [norway], include_pending=True)
    assert [(a.kind, a.pending) for a in inputs.parent_acts[norway.pk]] == [
        (ActionKind.ACCESSION, False)
    ]
    joins = Action(
        treaty=protocol, participant=norway, kind=ActionKind.ACCESSION, date=D(2026, 2, 1)
    )
    assert joins.rule_problems() == []
    joins.date = D(2026, 1, 4)
    assert any("party to the parent treaty" in p.message for p in joins.rule_problems())


def test_checking_a_states_action_reads_one_query(treaty, django_assert_num_queries):
    canada = ParticipantFactory()
    for n in range(5):
        ActionFactory(treaty=treaty, participant=ParticipantFactory(), date=D(2025, 10, 25 + n))
    candidate = Action(
        treaty=treaty, participant=canada, kind=ActionKind.SIGNATURE, date=D(2026, 1, 5)
    )
    # The participant's actions on the treaty; a State has no members to look up.
    with django_assert_num_queries(1):
        assert candidate.rule_problems(include_pending=True) == []


def test_checking_an_organizations_action_reads_two_queries(treaty, django_assert_num_queries):
    union = OrganizationFactory()
    union.members.set([ParticipantFactory() for _ in range(3)])
    candidate = Action(
        treaty=treaty, participant=union, kind=ActionKind.SIGNATURE, date=D(2026, 1, 5)
    )
    # Its member States; the actions of it and of them.
    with django_assert_num_queries(2):
        problems = candidate.rule_problems()
    assert "member States" in problems[0].message
