"""The treaty rules: validation of an action, and a treaty's status as of a date.

A plain module with no database access, so that every way in (forms, import,
admin, API) applies exactly the same rules and the rules can be tested on their
own. The rules are those of DOMAIN.md; every number in them is a field of
`Clauses`, never a constant, so protocols and other treaties reuse the engine.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

UN_HEADQUARTERS = ZoneInfo("America/New_York")


def today_in_new_york(now: dt.datetime | None = None) -> dt.date:
    """The depositary's calendar date, whatever the server's own time zone."""
    now = now or dt.datetime.now(dt.UTC)
    return now.astimezone(UN_HEADQUARTERS).date()


def add_months(day: dt.date, months: int) -> dt.date:
    """Same calendar day `months` later; a day the month lacks becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class ActionKind(models.TextChoices):
    SIGNATURE = "signature", gettext_lazy("Signature")
    RATIFICATION = "ratification", gettext_lazy("Ratification")
    ACCEPTANCE = "acceptance", gettext_lazy("Acceptance")
    APPROVAL = "approval", gettext_lazy("Approval")
    ACCESSION = "accession", gettext_lazy("Accession")
    SUCCESSION = "succession", gettext_lazy("Succession")
    FORMAL_CONFIRMATION = "formal_confirmation", gettext_lazy("Formal confirmation")
    DENUNCIATION = "denunciation", gettext_lazy("Denunciation")
    # Declarations and reservations are records of their own (the `declarations` app).

    @property
    def symbol(self) -> str:
        """The suffix the UN Treaty Collection prints after the date."""
        return _SYMBOLS.get(self, "")

    @property
    def is_instrument(self) -> bool:
        """An instrument makes its author a party (of ratification, accession, ...)."""
        return self in INSTRUMENTS

    @property
    def needs_signature(self) -> bool:
        return self in _NEED_SIGNATURE


_SYMBOLS = {
    ActionKind.ACCEPTANCE: "A",
    ActionKind.APPROVAL: "AA",
    ActionKind.ACCESSION: "a",
    ActionKind.SUCCESSION: "d",
    ActionKind.FORMAL_CONFIRMATION: "c",
}
INSTRUMENTS = frozenset(
    {
        ActionKind.RATIFICATION,
        ActionKind.ACCEPTANCE,
        ActionKind.APPROVAL,
        ActionKind.ACCESSION,
        ActionKind.SUCCESSION,
        ActionKind.FORMAL_CONFIRMATION,
    }
)
_NEED_SIGNATURE = frozenset(
    {
        ActionKind.RATIFICATION,
        ActionKind.ACCEPTANCE,
        ActionKind.APPROVAL,
        ActionKind.FORMAL_CONFIRMATION,
    }
)


class NotCounted(models.TextChoices):
    """Why a participant's position does not add to the count toward the threshold."""

    NO_INSTRUMENT = "no_instrument", gettext_lazy("No instrument deposited")
    REIO = (
        "reio",
        gettext_lazy(
            "A regional economic integration organization's instrument is not counted "
            "as additional to those of its member States"
        ),
    )
    DENOUNCED = "denounced", gettext_lazy("Denunciation has taken effect")


class Standing(models.TextChoices):
    """Where a participant stands on a treaty: the most it has done, as of the day shown."""

    # With a context: the legend's "Party" is a label, not the counters' "Party"/"Parties".
    PARTY = "party", pgettext_lazy("standing", "Party")
    SIGNATORY = "signatory", pgettext_lazy("standing", "Signatory")
    NONE = "none", pgettext_lazy("standing", "No action")


class SignaturePhase(enum.StrEnum):
    """Where a treaty's signature stands on a day (`Clauses.signature_phase`)."""

    NOT_YET_OPEN = "not-yet-open"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Clauses:
    """A treaty's final clauses, as far as the rules need them."""

    threshold: int
    entry_into_force_days: int
    later_entry_into_force_days: int
    # "...or on the date of entry into force under paragraph 1, whichever is later".
    # The treaty's wording, kept as data; the rules give the same date without it,
    # since no State's entry into force comes before the treaty's own.
    later_whichever_is_later: bool = True
    reio_instruments_count: bool = False
    adopted_on: dt.date | None = None
    signature_opens_on: dt.date | None = None
    signature_closes_on: dt.date | None = None
    denunciation_months: int = 12

    def entry_into_force_after(self, threshold_reached_on: dt.date) -> dt.date:
        """The treaty's entry into force for a threshold reached on that day (art. 65(1))."""
        return threshold_reached_on + dt.timedelta(days=self.entry_into_force_days)

    def signature_phase(self, day: dt.date) -> SignaturePhase:
        """Whether the treaty is open for signature on that day, or not yet, or no longer:
        from the day it opens to the day it closes, both included; always, with neither."""
        if self.signature_opens_on and day < self.signature_opens_on:
            return SignaturePhase.NOT_YET_OPEN
        if self.signature_closes_on and day > self.signature_closes_on:
            return SignaturePhase.CLOSED
        return SignaturePhase.OPEN


@dataclass(frozen=True, slots=True)
class Act:
    """One action, reduced to what the rules look at."""

    participant: str
    kind: ActionKind
    date: dt.date
    reio: bool = False
    # A submission not yet verified: never in a status, but a new submission must be
    # consistent with it, and a message about it says that it is pending.
    pending: bool = False

    def counts(self, clauses: Clauses) -> bool:
        if not self.kind.is_instrument:
            return False
        if self.reio:
            return clauses.reio_instruments_count
        return self.kind != ActionKind.FORMAL_CONFIRMATION


@dataclass(frozen=True)
class ParticipantStatus:
    participant: str
    reio: bool
    signature: dt.date | None
    consent: dt.date | None
    consent_type: ActionKind | None
    party: bool
    counts_toward_threshold: bool
    not_counted: NotCounted | None
    entry_into_force: dt.date | None
    denunciation_received: dt.date | None
    denunciation_effective: dt.date | None

    @property
    def standing(self) -> Standing:
        if self.party:
            return Standing.PARTY
        return Standing.SIGNATORY if self.signature else Standing.NONE


@dataclass(frozen=True)
class TimelinePoint:
    """The counts at the end of a day on which one of them changed."""

    date: dt.date
    signatories: int
    instruments_counted: int


@dataclass(frozen=True)
class Status:
    as_of: dt.date
    threshold: int
    signatories: int
    parties: int
    instruments_counted: int
    remaining: int
    threshold_reached_on: dt.date | None
    entry_into_force: dt.date | None
    in_force: bool
    days_until_entry_into_force: int | None
    signature_phase: SignaturePhase
    days_until_signature_closes: int | None
    participants: tuple[ParticipantStatus, ...]
    timeline: tuple[TimelinePoint, ...] = ()

    @property
    def signature_open(self) -> bool:
        return self.signature_phase == SignaturePhase.OPEN

    def row(self, participant: str) -> ParticipantStatus | None:
        """A participant's row, by its code; None when it has no action."""
        return next((row for row in self.participants if row.participant == participant), None)


def _order(act: Act) -> tuple:
    # Within one day an instrument precedes a denunciation, and the sort is
    # total so that the order of the input never changes the result.
    return (act.date, act.kind == ActionKind.DENUNCIATION, act.participant, act.kind, act.pending)


class Step(enum.Enum):
    """What one act did to its participant's position (`walk`)."""

    SIGNED = enum.auto()
    SIGNED_AGAIN = enum.auto()  # a second signature: the first stands
    DEPOSITED = enum.auto()
    # Another instrument while one is in force (or its denunciation has not yet
    # taken effect): the first stands, and this one neither counts nor replaces it.
    DEPOSITED_WHILE_IN_FORCE = enum.auto()
    DENOUNCED = enum.auto()
    NOTHING_TO_DENOUNCE = enum.auto()
    DENOUNCED_AGAIN = enum.auto()  # the first denunciation stands


@dataclass
class Position:
    """Where one participant stands after the acts walked so far.

    After a denunciation has taken effect, `instrument`, `denunciation` and
    `effective` stay as they were (a status shows them) until the next act,
    which finds the position cleared: then it may deposit again.
    """

    signature: Act | None = None
    instrument: Act | None = None
    denunciation: Act | None = None
    effective: dt.date | None = None  # when the denunciation takes effect

    def party_on(self, day: dt.date) -> bool:
        return self.instrument is not None and not (self.effective and self.effective <= day)


def walk(
    clauses: Clauses, acts: Iterable[Act], position: Position | None = None
) -> Iterator[tuple[Act, Step, Position]]:
    """One participant's acts in date order, each with what it did and the position after it.

    The one place that applies rule 2 (one instrument in force at a time) and the
    denunciation's taking effect; the status, the checks and `is_party_on` all
    walk through it. The position (a new one unless given) is the same object
    throughout, updated in place.
    """
    position = Position() if position is None else position
    for act in sorted(acts, key=_order):
        if position.effective and act.date >= position.effective:
            position.instrument = position.denunciation = position.effective = None
        if act.kind == ActionKind.SIGNATURE:
            if position.signature is None:
                position.signature, step = act, Step.SIGNED
            else:
                step = Step.SIGNED_AGAIN
        elif act.kind.is_instrument:
            if position.instrument is None:
                position.instrument, step = act, Step.DEPOSITED
            else:
                step = Step.DEPOSITED_WHILE_IN_FORCE
        elif position.instrument is None:  # a denunciation
            step = Step.NOTHING_TO_DENOUNCE
        elif position.denunciation is not None:
            step = Step.DENOUNCED_AGAIN
        else:
            position.denunciation = act
            position.effective = add_months(act.date, clauses.denunciation_months)
            step = Step.DENOUNCED
        yield act, step, position


@dataclass
class _Tally:
    """What one walk of every participant's acts gives (`_tally`): each one's acts and final
    position, the counts day by day, and the day the threshold was reached."""

    acts: dict[str, list[Act]]
    positions: dict[str, Position]
    counted: int
    timeline: list[TimelinePoint]
    threshold_reached_on: dt.date | None
    entry_into_force: dt.date | None


def _tally(clauses: Clauses, acts: Iterable[Act], as_of: dt.date) -> _Tally:
    by_participant: dict[str, list[Act]] = defaultdict(list)
    for act in acts:
        if act.date <= as_of:
            by_participant[act.participant].append(act)
    positions: dict[str, Position] = {}
    # Count changes by date: +1 on a counted deposit, -1 when a denunciation
    # of a counted instrument takes effect.
    changes: dict[dt.date, int] = defaultdict(int)
    signed: dict[dt.date, int] = defaultdict(int)
    for key, own in by_participant.items():
        position = positions[key] = Position()
        for act, step, _position in walk(clauses, own, position):
            if step == Step.DEPOSITED and act.counts(clauses):
                changes[act.date] += 1
            elif (
                step == Step.DENOUNCED
                and position.instrument.counts(clauses)
                and position.effective <= as_of
            ):
                changes[position.effective] -= 1
        if position.signature:
            signed[position.signature.date] += 1

    counted, signatories, threshold_reached_on, timeline = 0, 0, None, []
    for day in sorted(changes.keys() | signed.keys()):
        counted += changes.get(day, 0)
        signatories += signed.get(day, 0)
        timeline.append(TimelinePoint(day, signatories, counted))
        if threshold_reached_on is None and counted >= clauses.threshold:
            threshold_reached_on = day
    entry_into_force = None
    if threshold_reached_on is not None:
        entry_into_force = clauses.entry_into_force_after(threshold_reached_on)
    return _Tally(
        by_participant, positions, counted, timeline, threshold_reached_on, entry_into_force
    )


def _participant_status(
    clauses: Clauses, tally: _Tally, key: str, as_of: dt.date
) -> ParticipantStatus:
    position = tally.positions[key]
    instrument = position.instrument
    party = position.party_on(as_of)
    counts = party and instrument.counts(clauses)
    if counts:
        not_counted = None
    elif instrument is None:
        not_counted = NotCounted.NO_INSTRUMENT
    elif not party:
        not_counted = NotCounted.DENOUNCED
    else:
        not_counted = NotCounted.REIO
    return ParticipantStatus(
        participant=key,
        reio=any(act.reio for act in tally.acts[key]),
        signature=position.signature.date if position.signature else None,
        consent=instrument.date if instrument else None,
        consent_type=instrument.kind if instrument else None,
        party=party,
        counts_toward_threshold=counts,
        not_counted=not_counted,
        entry_into_force=_entry_into_force_for(
            clauses, position, tally.threshold_reached_on, tally.entry_into_force
        ),
        denunciation_received=(position.denunciation.date if position.denunciation else None),
        denunciation_effective=position.effective,
    )


def compute_status(clauses: Clauses, acts: Iterable[Act], as_of: dt.date) -> Status:
    """The treaty's status as it stood at the end of `as_of` (DOMAIN.md)."""
    tally = _tally(clauses, acts, as_of)
    participants = [_participant_status(clauses, tally, key, as_of) for key in sorted(tally.acts)]
    entry_into_force = tally.entry_into_force
    phase, closes = clauses.signature_phase(as_of), clauses.signature_closes_on
    return Status(
        as_of=as_of,
        threshold=clauses.threshold,
        signatories=sum(1 for p in participants if p.signature),
        parties=sum(1 for p in participants if p.party),
        instruments_counted=tally.counted,
        remaining=max(0, clauses.threshold - tally.counted),
        threshold_reached_on=tally.threshold_reached_on,
        entry_into_force=entry_into_force,
        in_force=entry_into_force is not None and as_of >= entry_into_force,
        days_until_entry_into_force=(
            max(0, (entry_into_force - as_of).days) if entry_into_force else None
        ),
        signature_phase=phase,
        days_until_signature_closes=(
            (closes - as_of).days if closes and phase == SignaturePhase.OPEN else None
        ),
        participants=tuple(participants),
        timeline=tuple(tally.timeline),
    )


def participant_status(
    clauses: Clauses, acts: Iterable[Act], participant: str, as_of: dt.date
) -> tuple[ParticipantStatus | None, dt.date | None]:
    """One participant's row of `compute_status(clauses, acts, as_of)` (None when it has no
    act), and the day the threshold was reached: without the others' rows."""
    tally = _tally(clauses, acts, as_of)
    row = (
        _participant_status(clauses, tally, participant, as_of)
        if participant in tally.acts
        else None
    )
    return row, tally.threshold_reached_on


def _entry_into_force_for(
    clauses: Clauses,
    position: Position,
    threshold_reached_on: dt.date | None,
    entry_into_force: dt.date | None,
) -> dt.date | None:
    instrument = position.instrument
    if instrument is None or threshold_reached_on is None or entry_into_force is None:
        return None
    # A same-day batch reaching the threshold shares the treaty's date:
    # there may be no single "fortieth" instrument.
    if instrument.date <= threshold_reached_on:
        own = entry_into_force
    else:
        # A treaty cannot be in force for a State before it is in force at all: the
        # treaty's date is the earliest, with or without the "whichever is later"
        # words (`Clauses.later_whichever_is_later` records them; the date is the same).
        own = max(
            instrument.date + dt.timedelta(days=clauses.later_entry_into_force_days),
            entry_into_force,
        )
    # Denounced with effect on or before that day: it never enters into force for it.
    if position.effective is not None and position.effective <= own:
        return None
    return own


@dataclass(frozen=True)
class Problem:
    """A rule the candidate action breaks; `field` names the form field to show it on."""

    field: str
    message: str


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def date_problems(day: dt.date, *, adopted_on: dt.date | None, today: dt.date) -> list[Problem]:
    """Rule 4: no date before the treaty's adoption, and none after today in New York."""
    problems = []
    if adopted_on and day < adopted_on:
        problems.append(
            Problem(
                "date",
                _("The date is before the treaty was adopted (%(day)s).")
                % {"day": _day(adopted_on)},
            )
        )
    if day > today:
        problems.append(
            Problem(
                "date",
                _("The date is in the future: today is %(day)s in New York.")
                % {"day": _day(today)},
            )
        )
    return problems


def check_action(
    clauses: Clauses,
    candidate: Act,
    history: Sequence[Act],
    *,
    today: dt.date,
    members: Sequence[Act] = (),
    parent: tuple[Clauses, Sequence[Act]] | None = None,
) -> list[Problem]:
    """Rules 1-5 of DOMAIN.md for one new action.

    `history` is the participant's other actions on this treaty (the caller
    decides whether pending ones are included); `members` the actions of a
    REIO's member States; `parent`, for a protocol, the parent treaty's clauses
    and the participant's actions on it.
    """
    problems = date_problems(candidate.date, adopted_on=clauses.adopted_on, today=today)
    kind = candidate.kind

    signature = min(
        (a for a in history if a.kind == ActionKind.SIGNATURE), key=_order, default=None
    )
    if kind == ActionKind.SIGNATURE and signature:
        message = _about(
            signature,
            _("This participant already signed, on %(day)s; there is one signature."),
            _(
                "This participant's signature of %(day)s is pending verification; "
                "there is one signature."
            ),
        )
        problems.append(Problem("kind", message))
    if (
        kind == ActionKind.SIGNATURE
        and clauses.signature_phase(candidate.date) != SignaturePhase.OPEN
    ):
        problems.append(Problem("date", _signature_window_message(clauses)))

    if kind == ActionKind.FORMAL_CONFIRMATION and not candidate.reio:
        problems.append(
            Problem(
                "kind",
                _(
                    "Formal confirmation is for regional economic integration organizations; "
                    "a State ratifies, accepts, approves or accedes."
                ),
            )
        )
    if kind.needs_signature and not (signature and signature.date <= candidate.date):
        if signature:
            message = _about(
                signature,
                _(
                    "A %(kind)s needs an earlier signature, but this participant signed on "
                    "%(day)s, after this date."
                ),
                _(
                    "A %(kind)s needs an earlier signature, but this participant's "
                    "signature, pending verification, is of %(day)s, after this date."
                ),
                kind=kind.label.lower(),
            )
        else:
            message = _(
                "A %(kind)s needs an earlier signature, and this participant has not signed. "
                "A State that has not signed joins by accession."
            ) % {"kind": kind.label.lower()}
        # With a later signature the date is wrong; without any, the kind of action.
        problems.append(Problem("date" if signature else "kind", message))

    if kind.is_instrument or kind == ActionKind.DENUNCIATION:
        problems.extend(_check_timeline(clauses, candidate, history))

    if candidate.reio and kind in (ActionKind.SIGNATURE, *INSTRUMENTS):
        wanted = (ActionKind.SIGNATURE,) if kind == ActionKind.SIGNATURE else tuple(INSTRUMENTS)
        if not any(m.kind in wanted and m.date <= candidate.date for m in members):
            # A member acted, but later: the date is wrong; none did: the action is.
            field = "date" if any(m.kind in wanted for m in members) else "kind"
            if kind == ActionKind.SIGNATURE:
                message = _(
                    "An organization may sign only after at least one of its member States "
                    "has signed."
                )
            else:
                message = _(
                    "An organization may deposit an instrument only after at least one of its "
                    "member States has deposited one."
                )
            problems.append(Problem(field, message))

    if parent is not None and kind.is_instrument:
        parent_clauses, parent_acts = parent
        if not is_party_on(parent_clauses, parent_acts, candidate.date):
            problems.append(
                Problem(
                    "kind",
                    _(
                        "To join a protocol, the participant must already be a party to the "
                        "parent treaty on that date."
                    ),
                )
            )
    return problems


def _signature_window_message(clauses: Clauses) -> str:
    opens, closes = clauses.signature_opens_on, clauses.signature_closes_on
    if opens and closes:
        return _("The treaty is open for signature from %(opens)s to %(closes)s.") % {
            "opens": _day(opens),
            "closes": _day(closes),
        }
    if opens:
        return _("The treaty is open for signature from %(opens)s.") % {"opens": _day(opens)}
    return _("The treaty was open for signature until %(closes)s; join by accession.") % {
        "closes": _day(closes)
    }


def _check_timeline(clauses: Clauses, candidate: Act, history: Sequence[Act]) -> list[Problem]:
    """At most one instrument in force at a time; a denunciation needs one to denounce."""
    problems = []
    for act, step, position in walk(clauses, [*history, candidate]):
        if step == Step.DEPOSITED_WHILE_IN_FORCE and act is candidate:
            message = _about(
                position.instrument,
                _(
                    "This participant is already a party by %(kind)s of %(day)s; "
                    "a second instrument needs a denunciation that has taken effect first."
                ),
                _(
                    "This participant's %(kind)s of %(day)s is pending verification; "
                    "a second instrument needs a denunciation that has taken effect first."
                ),
            )
            problems.append(Problem("kind", message))
        elif step == Step.DEPOSITED_WHILE_IN_FORCE and position.instrument is candidate:
            message = _about(
                act,
                _(
                    "This participant deposited an instrument (%(kind)s) on %(day)s, "
                    "while this one would still be in force."
                ),
                _(
                    "This participant's %(kind)s of %(day)s, pending verification, would be "
                    "deposited while this one is still in force."
                ),
            )
            problems.append(Problem("kind", message))
        elif step == Step.NOTHING_TO_DENOUNCE and act is candidate:
            problems.append(
                Problem(
                    "kind",
                    _("Only a party can denounce: no instrument is in force to denounce."),
                )
            )
        elif step == Step.DENOUNCED_AGAIN and act is candidate:
            message = _about(
                position.denunciation,
                _("This participant's denunciation is already recorded."),
                _(
                    "This participant's denunciation of %(day)s is pending verification; "
                    "there is one denunciation."
                ),
            )
            problems.append(Problem("kind", message))
    return problems


def _about(act: Act, recorded: str, pending: str, **values: str) -> str:
    """A message naming another act by its kind and date, worded for it if it is pending."""
    return (pending if act.pending else recorded) % {
        "kind": act.kind.label.lower(),
        "day": _day(act.date),
        **values,
    }


def is_party_on(clauses: Clauses, acts: Iterable[Act], day: dt.date) -> bool:
    """Whether these actions of one participant leave it a party at the end of `day`."""
    position = Position()
    for _walked in walk(clauses, (a for a in acts if a.date <= day), position):
        pass
    return position.party_on(day)
