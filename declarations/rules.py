"""The rules a declaration, reservation, objection, withdrawal or notification must follow.

A plain module with no database access, like the treaty rules (`ratifications.rules`),
whose `Act`s and `Problem`s it reads and returns: the forms, the workflow, the import
and an action's undo all check a record with `check`.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ratifications.rules import Act, ActionKind, Problem, date_problems


class Kind(models.TextChoices):
    DECLARATION = "declaration", gettext_lazy("Declaration")
    RESERVATION = "reservation", gettext_lazy("Reservation")
    # Another participant's objection to a reservation or declaration (`answers`).
    OBJECTION = "objection", gettext_lazy("Objection")
    # The participant's own withdrawal of a reservation or declaration (`answers`): from
    # its date, the one withdrawn no longer stands.
    WITHDRAWAL = "withdrawal", gettext_lazy("Withdrawal")
    # Of an authority, a point of contact, a choice the treaty asks for (`Subject`).
    NOTIFICATION = "notification", gettext_lazy("Notification")

    @property
    def answers_another(self) -> bool:
        """An objection or a withdrawal names the reservation or declaration it answers."""
        return self in (Kind.OBJECTION, Kind.WITHDRAWAL)


# What an objection or a withdrawal may answer.
ANSWERABLE = (Kind.RESERVATION, Kind.DECLARATION)


class Made(models.TextChoices):
    """When it was made: its date is then the signature's, the instrument's, or its own."""

    SIGNATURE = "signature", gettext_lazy("Upon signature")
    INSTRUMENT = "instrument", gettext_lazy("Upon the instrument")
    LATER = "later", gettext_lazy("Later, by notification")


class Subject(models.TextChoices):
    """What a notification notifies (the Convention requires several)."""

    MUTUAL_LEGAL_ASSISTANCE = (
        "mutual_legal_assistance",
        gettext_lazy("Central authority for mutual legal assistance"),
    )
    POINT_OF_CONTACT = "point_of_contact", gettext_lazy("24/7 point of contact")
    EXTRADITION_AUTHORITY = (
        "extradition_authority",
        gettext_lazy("Authority for extradition and provisional arrest"),
    )
    EXTRADITION_BASIS = (
        "extradition_basis",
        gettext_lazy("Whether the Convention is the legal basis for extradition"),
    )
    OTHER = "other", gettext_lazy("Other notification")


@dataclass(frozen=True)
class Statement:
    """What the rules read of a record: whose, what, when, and its review."""

    participant: int
    kind: Kind
    made: Made
    date: dt.date
    treaty: int = 0
    verified: bool = True


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def check(
    candidate: Statement,
    acts: Sequence[Act],
    *,
    adopted_on: dt.date | None,
    today: dt.date,
    answers: Statement | None = None,
    withdrawn_on: dt.date | None = None,
) -> list[Problem]:
    """The problems of `candidate` against its participant's `acts` on the treaty (the
    caller decides whether pending ones count) and, for an objection or a withdrawal,
    the record it `answers` (`withdrawn_on`: the date of another verified withdrawal of it).

    Made upon signature, it bears the signature's date; upon the instrument, the
    instrument's; later, it comes on or after a signature or an instrument.
    """
    problems = date_problems(candidate.date, adopted_on=adopted_on, today=today)
    problems.extend(_made_problems(candidate, acts))
    if candidate.kind.answers_another:
        problems.extend(_answer_problems(candidate, answers, withdrawn_on))
    return problems


def _made_problems(candidate: Statement, acts: Sequence[Act]) -> list[Problem]:
    signatures = sorted(a.date for a in acts if a.kind == ActionKind.SIGNATURE)
    instruments = sorted(a.date for a in acts if a.kind.is_instrument)
    if candidate.made == Made.SIGNATURE:
        if candidate.date in signatures:
            return []
        if signatures:
            return [
                Problem(
                    "date",
                    _(
                        "This participant signed on %(day)s: what is made upon signature "
                        "bears the signature's date."
                    )
                    % {"day": _day(signatures[0])},
                )
            ]
        return [Problem("made", _("This participant has not signed: nothing is made upon it."))]
    if candidate.made == Made.INSTRUMENT:
        if candidate.date in instruments:
            return []
        if instruments:
            return [
                Problem(
                    "date",
                    _(
                        "This participant's instrument is of %(days)s: what is made upon it "
                        "bears its date."
                    )
                    % {"days": ", ".join(_day(day) for day in instruments)},
                )
            ]
        return [
            Problem(
                "made",
                _("This participant has deposited no instrument: nothing is made upon one."),
            )
        ]
    if any(day <= candidate.date for day in [*signatures, *instruments]):
        return []
    return [
        Problem(
            # Made before the signature or instrument it needs: the date is wrong.
            "date" if signatures or instruments else "made",
            _(
                "What is notified later comes upon or after a signature or an instrument, and "
                "this participant had neither on that date."
            ),
        )
    ]


def _answer_problems(
    candidate: Statement, answers: Statement | None, withdrawn_on: dt.date | None
) -> list[Problem]:
    objection = candidate.kind == Kind.OBJECTION
    if answers is None:
        message = (
            _("An objection names the reservation or declaration it objects to.")
            if objection
            else _("A withdrawal names the reservation or declaration it withdraws.")
        )
        return [Problem("answers", message)]
    problems = []
    if answers.treaty != candidate.treaty or answers.kind not in ANSWERABLE:
        problems.append(
            Problem("answers", _("Only a reservation or a declaration of this treaty is answered."))
        )
    if not answers.verified:
        problems.append(
            Problem("answers", _("It answers a record that is not verified: verify that first."))
        )
    if objection and answers.participant == candidate.participant:
        problems.append(
            Problem("answers", _("A participant does not object to its own reservation."))
        )
    if not objection and answers.participant != candidate.participant:
        problems.append(Problem("answers", _("A participant withdraws only its own reservations.")))
    if candidate.date < answers.date:
        problems.append(
            Problem(
                "date",
                _("It answers a record of %(day)s, and cannot come before it.")
                % {"day": _day(answers.date)},
            )
        )
    if not objection and withdrawn_on is not None:
        problems.append(
            Problem(
                "answers",
                _("This was already withdrawn on %(day)s.") % {"day": _day(withdrawn_on)},
            )
        )
    return problems
