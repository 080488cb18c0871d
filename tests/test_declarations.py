"""Declarations, reservations, objections, withdrawals and notifications: their articles, their
rules, what the database refuses, and what stands on what."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from declarations.articles import Article, canonical, parse
from declarations.models import Declaration, Provision
from declarations.rules import Kind, Made, Statement, Subject, check
from ratifications.rules import Act, ActionKind
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    ParticipantFactory,
    TreatyFactory,
)

SIGNED = dt.date(2025, 10, 25)
RATIFIED = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 12, 2)
ADOPTED = dt.date(2024, 12, 24)


@pytest.mark.parametrize(
    ("written", "articles"),
    [
        ("63(3)", "63(3)"),
        ("7(2); 9(2); 11(3); 63(3)", "7(2); 9(2); 11(3); 63(3)"),
        # Any order, commas or semicolons, "art." or "article", spaces: one spelling kept.
        ("art. 63 (3), Article 7(2);  7(2)", "7(2); 63(3)"),
        ("46(4)(B)", "46(4)(b)"),
        ("arts 5", "5"),
        ("", ""),
        (" ; ", ""),
    ],
)
def test_articles_are_read_in_any_common_spelling_and_kept_in_one(written, articles):
    assert canonical(parse(written)) == articles


@pytest.mark.parametrize("written", ["63(3", "article", "0", "12(0)", "63(3)(4)", "1000", "63 3"])
def test_what_is_not_an_article_is_refused_naming_it(written):
    with pytest.raises(ValueError, match="is not an article: write each as 63, 63"):
        parse(written)


def test_an_article_is_data_for_the_queries():
    assert parse("46(4)(b); 63") == [Article(46, 4, "b"), Article(63)]


def statement(kind=Kind.RESERVATION, made=Made.SIGNATURE, date=SIGNED, participant=1, **more):
    return Statement(participant, kind, made, date, treaty=1, **more)


def signed_and_ratified():
    return [
        Act("AZE", ActionKind.SIGNATURE, SIGNED),
        Act("AZE", ActionKind.RATIFICATION, RATIFIED),
    ]


@pytest.mark.parametrize(
    ("candidate", "acts", "fields"),
    [
        # Upon signature: on the signature's day, and never without one.
        (statement(), signed_and_ratified(), []),
        (statement(date=dt.date(2025, 11, 1)), signed_and_ratified(), ["date"]),
        (statement(), [], ["made"]),
        # Upon the instrument: on its day.
        (statement(made=Made.INSTRUMENT, date=RATIFIED), signed_and_ratified(), []),
        (statement(made=Made.INSTRUMENT, date=SIGNED), signed_and_ratified(), ["date"]),
        (statement(made=Made.INSTRUMENT), [Act("AZE", ActionKind.SIGNATURE, SIGNED)], ["made"]),
        # Later: on or after a signature or an instrument.
        (statement(made=Made.LATER, date=dt.date(2026, 5, 1)), signed_and_ratified(), []),
        (statement(made=Made.LATER, date=dt.date(2025, 10, 1)), signed_and_ratified(), ["date"]),
        (statement(made=Made.LATER, date=dt.date(2026, 5, 1)), [], ["made"]),
        # Rule 4, as for actions: not before the adoption, not after today.
        (statement(made=Made.LATER, date=dt.date(2024, 1, 1)), [], ["date", "made"]),
        (statement(made=Made.LATER, date=dt.date(2027, 1, 1)), signed_and_ratified(), ["date"]),
    ],
)
def test_what_is_made_upon_a_signature_or_an_instrument_bears_its_date(candidate, acts, fields):
    problems = check(candidate, acts, adopted_on=ADOPTED, today=TODAY)
    assert [problem.field for problem in problems] == fields


RESERVATION = statement(participant=1)


@pytest.mark.parametrize(
    ("candidate", "answers", "withdrawn_on", "messages"),
    [
        (statement(Kind.OBJECTION, Made.LATER, RATIFIED, participant=2), RESERVATION, None, []),
        (
            statement(Kind.OBJECTION, Made.LATER, RATIFIED, participant=2),
            None,
            None,
            ["An objection names the reservation or declaration it objects to."],
        ),
        (
            statement(Kind.OBJECTION, Made.LATER, RATIFIED, participant=1),
            RESERVATION,
            None,
            ["A participant does not object to its own reservation."],
        ),
        (
            statement(Kind.OBJECTION, Made.LATER, RATIFIED, participant=2),
            statement(Kind.NOTIFICATION, participant=1),
            None,
            ["Only a reservation or a declaration of this treaty is answered."],
        ),
        (
            statement(Kind.OBJECTION, Made.LATER, RATIFIED, participant=2),
            statement(participant=1, verified=False),
            None,
            ["It answers a record that is not verified: verify that first."],
        ),
        (statement(Kind.WITHDRAWAL, Made.LATER, RATIFIED, participant=1), RESERVATION, None, []),
        (
            statement(Kind.WITHDRAWAL, Made.LATER, RATIFIED, participant=2),
            RESERVATION,
            None,
            ["A participant withdraws only its own reservations."],
        ),
        (
            statement(Kind.WITHDRAWAL, Made.LATER, RATIFIED, participant=1),
            RESERVATION,
            dt.date(2026, 1, 5),
            ["This was already withdrawn on 5 January 2026."],
        ),
        (
            statement(Kind.WITHDRAWAL, Made.LATER, dt.date(2025, 10, 25), participant=1),
            statement(participant=1, made=Made.LATER, date=dt.date(2026, 1, 1)),
            None,
            ["It answers a record of 1 January 2026, and cannot come before it."],
        ),
    ],
)
def test_an_objection_or_a_withdrawal_answers_a_verified_reservation_rightly(
    candidate, answers, withdrawn_on, messages
):
    acts = [Act("X", ActionKind.SIGNATURE, SIGNED)]
    problems = check(
        candidate, acts, adopted_on=ADOPTED, today=TODAY, answers=answers, withdrawn_on=withdrawn_on
    )
    assert [problem.message for problem in problems] == messages


# The records themselves


@pytest.fixture
def treaty(db):
    return TreatyFactory(slug="hanoi-convention")


@pytest.fixture
def azerbaijan(treaty):
    state = ParticipantFactory(name="Azerbaijan")
    ActionFactory(treaty=treaty, participant=state, date=SIGNED)
    return state


@pytest.fixture
def france(treaty):
    state = ParticipantFactory(name="France")
    ActionFactory(treaty=treaty, participant=state, date=SIGNED)
    return state


def test_the_articles_are_rows_so_that_who_reserved_under_an_article_is_a_query(
    treaty, azerbaijan, france
):
    DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3), 7(2)")
    DeclarationFactory(treaty=treaty, participant=france, kind=Kind.DECLARATION, articles="63")
    reservation = Declaration.objects.get(participant=azerbaijan)
    assert reservation.articles == "7(2); 63(3)"
    assert list(reservation.provisions.values_list("article", "paragraph")) == [(7, 2), (63, 3)]
    under_63 = Declaration.objects.under_article(63).filter(kind=Kind.RESERVATION)
    assert list(under_63.values_list("participant__name", flat=True)) == ["Azerbaijan"]
    assert Declaration.objects.declaring(treaty, TODAY, article=63) == {azerbaijan.pk, france.pk}
    assert Declaration.objects.declaring(treaty, TODAY, reservations=True) == {azerbaijan.pk}


def test_saving_again_makes_the_article_rows_again(treaty, azerbaijan):
    reservation = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    reservation.articles = "11(3)"
    reservation.save()
    assert list(Provision.objects.values_list("article", "paragraph")) == [(11, 3)]


def test_a_withdrawal_ends_a_reservation_from_its_date_and_keeps_it(treaty, azerbaijan):
    reservation = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.WITHDRAWAL,
        made=Made.LATER,
        date=dt.date(2026, 6, 1),
        answers=reservation,
    )
    standing = Declaration.objects.verified().under_article(63)
    assert list(standing.in_effect(dt.date(2026, 5, 31))) == [reservation]
    assert list(standing.in_effect(dt.date(2026, 6, 1))) == []
    assert Declaration.objects.with_withdrawal().get(pk=reservation.pk).withdrawn_on == dt.date(
        2026, 6, 1
    )
    assert Declaration.objects.declaring(treaty, dt.date(2026, 6, 1), reservations=True) == set()


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"kind": Kind.OBJECTION}, "declaration_answers_when_it_should"),
        ({"kind": Kind.NOTIFICATION}, "declaration_notification_fields"),
        ({"contact_email": "a@example.org"}, "declaration_notification_fields"),
        ({"language": "en", "text": "x", "text_english": "x"}, "declaration_english_version"),
        ({"language": "de"}, "declaration_language_valid"),
        ({"made": "whenever"}, "declaration_made_valid"),
        ({"ref": "with space"}, "declaration_ref_spelling"),
        ({"review": "rejected"}, "declaration_rejection_has_reason"),
    ],
)
def test_the_database_refuses_what_no_record_can_be(treaty, azerbaijan, values, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        DeclarationFactory(treaty=treaty, participant=azerbaijan, **values)


def test_a_reservation_is_withdrawn_once_and_objected_to_once_by_each(treaty, azerbaijan, france):
    reservation = DeclarationFactory(treaty=treaty, participant=azerbaijan)
    answer = {"treaty": treaty, "made": Made.LATER, "answers": reservation}
    DeclarationFactory(participant=azerbaijan, kind=Kind.WITHDRAWAL, **answer)
    with pytest.raises(IntegrityError, match="declaration_withdrawn_once"), transaction.atomic():
        DeclarationFactory(participant=azerbaijan, kind=Kind.WITHDRAWAL, **answer)
    DeclarationFactory(participant=france, kind=Kind.OBJECTION, **answer)
    with pytest.raises(IntegrityError, match="declaration_objected_once"), transaction.atomic():
        DeclarationFactory(participant=france, kind=Kind.OBJECTION, **answer)


def test_clean_names_each_problem_on_its_field(treaty, azerbaijan):
    record = Declaration(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.RESERVATION,
        made=Made.INSTRUMENT,
        date=SIGNED,
        articles="63(3",
        authority="Ministry of Justice",
    )
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert set(error.value.message_dict) == {"articles", "authority"}
    record.articles, record.authority = "63(3)", ""
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert error.value.message_dict == {
        "made": ["This participant has deposited no instrument: nothing is made upon one."]
    }


def test_a_notification_says_what_it_notifies(treaty, azerbaijan):
    record = Declaration(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.NOTIFICATION,
        made=Made.SIGNATURE,
        date=SIGNED,
    )
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert error.value.message_dict == {"subject": ["Say what the notification notifies."]}
    record.subject = Subject.POINT_OF_CONTACT
    record.full_clean()


def test_a_signature_with_a_reservation_made_upon_it_cannot_be_undone_alone(treaty, azerbaijan):
    signature = azerbaijan.actions.get()
    DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    assert signature.undo_problems() == [
        "Without it, Azerbaijan: Reservation of 25 October 2025 would break the rules: "
        "This participant has not signed: nothing is made upon it."
    ]


def test_a_reservation_others_object_to_cannot_be_undone_before_the_objection(
    treaty, azerbaijan, france
):
    reservation = DeclarationFactory(treaty=treaty, participant=azerbaijan)
    objection = DeclarationFactory(
        treaty=treaty,
        participant=france,
        kind=Kind.OBJECTION,
        made=Made.LATER,
        date=RATIFIED,
        answers=reservation,
    )
    reviewer = DepositaryStaffFactory()
    refused = pytest.raises(ValidationError, match="France: Objection of 2 March 2026 would answer")
    with refused, transaction.atomic():
        reservation.undo(reviewer, "Verified by mistake")
    with transaction.atomic():
        objection.undo(reviewer, "Verified by mistake")
        reservation.refresh_from_db()
        reservation.undo(reviewer, "Verified by mistake")
    assert reservation.review == Declaration.Review.PENDING


def test_every_write_advances_the_records_revision(treaty, azerbaijan):
    from ratifications.models import Revision

    before = Revision.current().number
    DeclarationFactory(treaty=treaty, participant=azerbaijan)
    assert Revision.current().number > before
