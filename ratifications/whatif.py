"""What if these participants deposited their instruments on these days? Saved nowhere.

The verified record plus hypothetical deposits, each checked by the rules engine
(`rules.check_action`) against the verified record and the hypothetical deposits before
it, then the status computed by the same function as the public one (`TreatyStatus`).
A signatory ratifies, any other participant accedes; an organization's instrument does not
count where the treaty says so. Used by the what-if API and page (projection_views.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from ratifications import rules
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from ratifications.status import TreatyStatus, verified_rows
from states.models import Kind, Participant

# More than every participant there is: a longer list is a mistake or an attack.
MAX_DEPOSITS = 250
# Three letters or digits: whether they name a participant is for the lookup to say.
_DEPOSIT = re.compile(r"([A-Za-z0-9]{3}):(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Deposit:
    """One hypothetical deposit as the URL writes it: `VNM:2026-12-01`."""

    iso3: str
    date: dt.date

    def __str__(self) -> str:
        return f"{self.iso3}:{self.date.isoformat()}"

    @classmethod
    def parse(cls, raw: str) -> Deposit:
        """From `ISO3:YYYY-MM-DD` (the code in any case); ValueError with a message."""
        found = _DEPOSIT.fullmatch(raw.strip())
        try:
            if found:
                return cls(found[1].upper(), dt.date.fromisoformat(found[2]))
        except ValueError:
            pass
        raise ValueError(
            gettext("A deposit is written ISO3:YYYY-MM-DD (VNM:2026-12-01), not %(value)s.")
            % {"value": repr(raw)}
        )


@dataclass(frozen=True)
class Hypothesis:
    """A hypothetical deposit the rules accept, and the instrument it would be."""

    deposit: Deposit
    participant: Participant
    kind: ActionKind

    @property
    def act(self) -> rules.Act:
        return rules.Act(
            self.participant.iso3, self.kind, self.deposit.date, self.participant.is_reio
        )


@dataclass(frozen=True)
class Refusal:
    """A hypothetical deposit the rules refuse, or that names no participant."""

    deposit: Deposit
    participant: Participant | None
    problems: tuple[str, ...]

    @property
    def message(self) -> str:
        return gettext("The deposit %(deposit)s is refused: %(problems)s") % {
            "deposit": self.deposit,
            "problems": " ".join(self.problems),
        }


@dataclass(frozen=True)
class Scenario:
    treaty: Treaty
    as_of: dt.date
    # In the order given, as the URL lists them.
    accepted: tuple[Hypothesis, ...]
    refused: tuple[Refusal, ...]
    # The verified status on the same day, and the status with the accepted deposits.
    verified: TreatyStatus
    result: TreatyStatus

    @property
    def deposits(self) -> list[Deposit]:
        return [hypothesis.deposit for hypothesis in self.accepted]

    def rows(self) -> list[tuple[Hypothesis, rules.ParticipantStatus]]:
        """Each accepted deposit with its participant's hypothetical row of the status."""
        return [(h, self.result.status.row(h.participant.iso3)) for h in self.accepted]


def scenario(
    treaty: Treaty,
    deposits: Sequence[Deposit],
    participants: Mapping[str, Participant],
    as_of: dt.date | None = None,
) -> Scenario:
    """The status of `treaty` with these deposits added, as of `as_of` (default: today,
    or the last deposit's day if later, so that every deposit is in it).

    `participants` maps codes to participants (at least those deposits name). Queries:
    the verified actions; the member States of an organization that deposits; for a
    protocol, the depositors' actions on the parent treaty.
    """
    today = rules.today_in_new_york()
    as_of = as_of or max([today, *(deposit.date for deposit in deposits)])
    rows = verified_rows([treaty], as_of)[treaty.pk]
    history: dict[str, list[rules.Act]] = defaultdict(list)
    for iso3, _name, participant_kind, kind, day, *_rest in rows:
        history[iso3].append(rules.Act(iso3, ActionKind(kind), day, participant_kind == Kind.REIO))
    members = _members(deposits, participants)
    parent = _parent_acts(treaty, deposits, participants)
    accepted, refused = [], []
    # Day by day; an organization after its member States of the same day, whose
    # instruments it may follow; otherwise in the order given.
    order = sorted(
        range(len(deposits)),
        key=lambda n: (
            deposits[n].date,
            _is_reio(participants.get(deposits[n].iso3)),
            n,
        ),
    )
    decided: dict[int, Hypothesis | Refusal] = {}
    for n in order:
        deposit = deposits[n]
        participant = participants.get(deposit.iso3)
        if participant is None:
            decided[n] = Refusal(
                deposit,
                None,
                (gettext("No participant has the code %(code)s.") % {"code": deposit.iso3},),
            )
            continue
        own = history[participant.iso3]
        signed = any(act.kind == ActionKind.SIGNATURE and act.date <= deposit.date for act in own)
        hypothesis = Hypothesis(
            deposit, participant, ActionKind.RATIFICATION if signed else ActionKind.ACCESSION
        )
        problems = rules.check_action(
            treaty.clauses,
            hypothesis.act,
            own,
            # A hypothetical deposit may be in the future: that is what it is for.
            today=dt.date.max,
            members=[act for code in members.get(participant.iso3, ()) for act in history[code]],
            parent=(treaty.parent.clauses, parent[participant.iso3]) if treaty.parent_id else None,
        )
        if deposit.date > as_of:
            problems.append(
                rules.Problem(
                    "date",
                    gettext("It is after the day the status is shown for, %(day)s.")
                    % {"day": as_of.isoformat()},
                )
            )
        if problems:
            decided[n] = Refusal(deposit, participant, tuple(p.message for p in problems))
        else:
            decided[n] = hypothesis
            own.append(hypothesis.act)
    accepted = [decided[n] for n in range(len(deposits)) if isinstance(decided[n], Hypothesis)]
    refused = [decided[n] for n in range(len(deposits)) if isinstance(decided[n], Refusal)]
    verified = TreatyStatus.of(treaty, rows, as_of)
    result = TreatyStatus.of(
        treaty, rows, as_of, hypothetical=[(h.act, h.participant.name) for h in accepted]
    )
    return Scenario(treaty, as_of, tuple(accepted), tuple(refused), verified, result)


def _is_reio(participant: Participant | None) -> bool:
    return participant is not None and participant.kind == Kind.REIO


def _members(
    deposits: Sequence[Deposit], participants: Mapping[str, Participant]
) -> dict[str, list[str]]:
    """The member States' codes of each organization that deposits (one query, if any)."""
    organizations = {
        participants[d.iso3].pk: d.iso3 for d in deposits if _is_reio(participants.get(d.iso3))
    }
    if not organizations:
        return {}
    found = defaultdict(list)
    links = Participant.members.through.objects.filter(from_participant__in=organizations)
    for organization, member in links.values_list("from_participant", "to_participant__iso3"):
        found[organizations[organization]].append(member)
    return found


def _parent_acts(
    treaty: Treaty, deposits: Sequence[Deposit], participants: Mapping[str, Participant]
) -> dict[str, list[rules.Act]]:
    """For a protocol: each depositor's verified actions on the parent treaty (one query)."""
    found = defaultdict(list)
    if not treaty.parent_id:
        return found
    depositors = [participants[d.iso3] for d in deposits if d.iso3 in participants]
    actions = (
        Action.objects.verified()
        .filter(treaty_id=treaty.parent_id, participant__in=depositors)
        .select_related("participant")
    )
    for action in actions:
        found[action.participant.iso3].append(action.as_act())
    return found
