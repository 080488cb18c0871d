"""A treaty's public status: computed from its verified actions by the rules engine."""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext

from declarations.models import Declaration
from ratifications import rules
from ratifications.models import Action, Treaty
from ratifications.projection import Projection, project
from ratifications.rules import ActionKind
from states.models import Kind, Participant


def statuses(treaties: Iterable[Treaty], as_of: dt.date | None = None) -> dict[int, "TreatyStatus"]:
    """The status of each treaty as of a New York date (default today), by pk.

    One query, of plain rows rather than actions: a status may stand on thousands.
    """
    treaties = list(treaties)
    as_of = as_of or rules.today_in_new_york()
    found = verified_rows(treaties, as_of)
    return {treaty.pk: TreatyStatus.of(treaty, found[treaty.pk], as_of) for treaty in treaties}


def verified_rows(treaties: list[Treaty], as_of: dt.date) -> dict[int, list[tuple]]:
    """Each treaty's verified actions up to `as_of` as `TreatyStatus.of` reads them, in
    date order, by treaty pk: (iso3, UN name, participant kind, action kind, date,
    reviewed_at, notification, declared). One query."""
    # Whether its participant made declarations, reservations or notifications that stand on
    # that day (declarations/): in the same query.
    declared = Declaration.objects.verified().in_effect(as_of)
    declared = declared.filter(treaty=OuterRef("treaty"), participant=OuterRef("participant"))
    rows = (
        Action.objects.verified()
        .filter(treaty__in=treaties, date__lte=as_of)
        .annotate(declared=Exists(declared))
        .order_by("date", "pk")
        .values_list(
            "treaty_id",
            "participant__iso3",
            "participant__name",
            "participant__kind",
            "kind",
            "date",
            "reviewed_at",
            "notification",
            "declared",
        )
    )
    found = defaultdict(list)
    for treaty, *row in rows:
        found[treaty].append(row)
    return found


def participant_statuses(
    participant: Participant, actions: Iterable[Action], treaties: Iterable[Treaty], as_of: dt.date
) -> dict[int, rules.ParticipantStatus]:
    """A participant's row of the status of each treaty it acted on, by treaty pk.

    Its row depends on its own actions and on the treaty's threshold date, which depends
    only on the actions up to it and comes no earlier than the day the threshold-th
    instrument was deposited (a denunciation taking effect can only delay it). So besides
    its own `actions` (verified), only the other instruments and denunciations up to that
    day are read: one query finds the day, one reads them, and a treaty whose threshold came
    later (an instrument that does not count, or a denunciation that took effect before) is
    read whole by a third. However many actions the treaties have.
    """
    own = defaultdict(list)
    for action in actions:
        own[action.treaty_id].append(
            rules.Act(participant.iso3, action.action_kind, action.date, participant.is_reio)
        )
    acted = [treaty for treaty in treaties if own[treaty.pk]]
    events = [*rules.INSTRUMENTS, ActionKind.DENUNCIATION]
    others = Action.objects.verified().filter(kind__in=events).exclude(participant=participant)
    threshold_days = _threshold_days(acted, as_of)
    before = models.Q(pk__in=[])
    for treaty, day in threshold_days.items():
        before |= models.Q(treaty=treaty, date__lte=day)
    found = _acts(others.filter(before)) if threshold_days else {}
    rows, delayed = {}, []
    for treaty in acted:
        acts = own[treaty.pk] + found.get(treaty.pk, [])
        row, reached = rules.participant_status(treaty.clauses, acts, participant.iso3, as_of)
        # Past that day only its own acts were read: a threshold they seem to complete
        # later may have been reached earlier by others'.
        day = threshold_days.get(treaty.pk)
        if day is not None and (reached is None or reached > day):
            delayed.append(treaty)
        rows[treaty.pk] = row
    if delayed:
        found = _acts(others.filter(treaty__in=delayed, date__lte=as_of))
        for treaty in delayed:
            acts = own[treaty.pk] + found.get(treaty.pk, [])
            rows[treaty.pk], _ = rules.participant_status(
                treaty.clauses, acts, participant.iso3, as_of
            )
    return rows


def _threshold_days(treaties: list[Treaty], as_of: dt.date) -> dict[int, dt.date]:
    """The day each treaty's threshold-th verified instrument came, up to `as_of`, for those
    that have that many: one query, reading no more than that many instruments of each
    (a slice of the treaty's instruments by date, one per distinct threshold, since a
    slice takes a number, not a column)."""
    instruments = (
        Action.objects.verified()
        .filter(treaty=OuterRef("pk"), kind__in=rules.INSTRUMENTS, date__lte=as_of)
        .order_by("date")
        .values("date")
    )
    by_threshold = defaultdict(list)
    for treaty in treaties:
        by_threshold[treaty.threshold].append(treaty.pk)
    queries = [
        Treaty.objects.filter(pk__in=pks)
        .annotate(day=Subquery(instruments[threshold - 1 : threshold]))
        .values_list("pk", "day")
        for threshold, pks in by_threshold.items()
    ]
    if not queries:
        return {}
    first, *rest = queries
    # Unordered: a union would otherwise be ordered by the treaties' default ordering.
    days = first.union(*rest, all=True).order_by()
    return {pk: day for pk, day in days if day is not None}


def _acts(actions) -> dict[int, list[rules.Act]]:
    found = defaultdict(list)
    # In any order: the rules engine sorts each participant's acts.
    rows = actions.order_by().values_list(
        "treaty_id", "participant__iso3", "participant__kind", "kind", "date"
    )
    for treaty, iso3, kind, action, day in rows:
        found[treaty].append(rules.Act(iso3, ActionKind(action), day, kind == Kind.REIO))
    return found


@dataclass(frozen=True)
class TreatyStatus:
    """A treaty's computed status, with what the pages show beside it."""

    treaty: Treaty
    status: rules.Status
    # By participant code: UN names, the newest depositary notification, and whether it
    # made declarations, reservations or notifications that stand on the day of the status.
    names: dict[str, str]
    notifications: dict[str, str]
    declared: frozenset[str]
    # The newest verified action's date, and when a verified action was last reviewed.
    data_as_of: dt.date | None
    last_updated: dt.datetime | None

    @classmethod
    def of(
        cls,
        treaty: Treaty,
        rows: list[tuple],
        as_of: dt.date,
        hypothetical: Iterable[tuple[rules.Act, str]] = (),
    ) -> "TreatyStatus":
        """From `verified_rows`' rows of one treaty, in date order; with `hypothetical`
        acts (each with its participant's UN name) added for a what-if (ratifications/
        whatif.py), which change the counts but not when the data is from."""
        acts = [
            rules.Act(iso3, ActionKind(kind), day, participant_kind == Kind.REIO)
            for iso3, _name, participant_kind, kind, day, *_rest in rows
        ]
        hypothetical = list(hypothetical)
        acts += [act for act, _name in hypothetical]
        return cls(
            treaty,
            rules.compute_status(treaty.clauses, acts, as_of),
            names={row[0]: row[1] for row in rows}
            | {act.participant: name for act, name in hypothetical},
            notifications={row[0]: row[6] for row in rows if row[6]},
            declared=frozenset(row[0] for row in rows if row[7]),
            data_as_of=rows[-1][4] if rows else None,
            last_updated=max((row[5] for row in rows if row[5]), default=None),
        )

    @functools.cached_property
    def projection(self) -> Projection:
        """When the threshold might be reached, if the treaty keeps pace with comparable
        treaties (ratifications/projection.py); the real dates once it is. No query."""
        status = self.status
        return project(
            self.treaty.clauses,
            status.instruments_counted,
            status.as_of,
            threshold_reached_on=status.threshold_reached_on,
            reference=self.treaty.untc_reference,
        )

    def rows(self) -> list[rules.ParticipantStatus]:
        """The participants with any verified action, by UN name."""
        return sorted(self.status.participants, key=lambda row: self.names[row.participant])

    def as_json(self) -> dict:
        """The status API's document (CONTRACT.md), also printed by `treaty_status --json`."""
        status, treaty = self.status, self.treaty

        def day(value):
            return value.isoformat() if value else None

        return {
            "treaty": {
                "slug": treaty.slug,
                "name": treaty.short_name,
                "title": treaty.title,
                "threshold": treaty.threshold,
                "entry_into_force_days": treaty.entry_into_force_days,
                "later_entry_into_force_days": treaty.later_entry_into_force_days,
                "signature_opens_on": day(treaty.signature_opens_on),
                "signature_closes_on": day(treaty.signature_closes_on),
            },
            "as_of": day(status.as_of),
            "data_as_of": day(self.data_as_of),
            "signatories": status.signatories,
            "parties": status.parties,
            "instruments_counted": status.instruments_counted,
            "remaining": status.remaining,
            "threshold_reached_on": day(status.threshold_reached_on),
            "entry_into_force": day(status.entry_into_force),
            "in_force": status.in_force,
            "days_until_entry_into_force": status.days_until_entry_into_force,
            "signature_open": status.signature_open,
            "days_until_signature_closes": status.days_until_signature_closes,
            "participants": [
                {
                    "name": self.names[row.participant],
                    "iso3": row.participant,
                    "signature": day(row.signature),
                    "consent": day(row.consent),
                    "consent_type": row.consent_type.value if row.consent_type else None,
                    "counts_toward_threshold": row.counts_toward_threshold,
                    "not_counted_reason": row.not_counted.value if row.not_counted else None,
                    "entry_into_force": day(row.entry_into_force),
                    "denunciation_received": day(row.denunciation_received),
                    "denunciation_effective": day(row.denunciation_effective),
                }
                for row in self.rows()
            ],
        }


def impacts(treaty: Treaty, submissions: Iterable[Action]) -> dict[int, "Impact"]:
    """What verifying each submission would change in today's status, by its pk.

    One query (the verified actions); each submission is then added on its
    own to the same verified record and the rules engine run again.
    """
    as_of = rules.today_in_new_york()
    acts = [
        a.as_act()
        for a in Action.objects.verified()
        .filter(treaty=treaty, date__lte=as_of)
        .select_related("participant")
    ]
    before = rules.compute_status(treaty.clauses, acts, as_of)
    return {
        s.pk: Impact(
            submission=s,
            before=before,
            after=rules.compute_status(treaty.clauses, [*acts, s.as_act()], as_of),
        )
        for s in submissions
    }


@dataclass(frozen=True)
class Impact:
    """The status before and after one submission would be verified."""

    submission: "Action"
    before: rules.Status
    after: rules.Status

    @property
    def row(self) -> rules.ParticipantStatus | None:
        iso3 = self.submission.participant.iso3
        return next((p for p in self.after.participants if p.participant == iso3), None)

    def summary(self) -> str:
        """One sentence for the depositary's queue."""
        before, after, kind = self.before, self.after, self.submission.action_kind
        row = self.row
        if kind.is_instrument:
            if after.instruments_counted == before.instruments_counted:
                reason = row.not_counted.label if row and row.not_counted else ""
                return gettext("Not counted toward the threshold: %(reason)s.") % {"reason": reason}
            if before.threshold_reached_on is None and after.threshold_reached_on is not None:
                return gettext(
                    "This is instrument %(n)d of %(threshold)d: the threshold is reached and "
                    "the treaty enters into force on %(day)s."
                ) % {
                    "n": after.instruments_counted,
                    "threshold": after.threshold,
                    "day": date_format(after.entry_into_force, "DATE_FORMAT"),
                }
            if row and row.entry_into_force:
                return gettext(
                    "Counts: %(n)d of %(threshold)d instruments; "
                    "in force for this participant on %(day)s."
                ) % {
                    "n": after.instruments_counted,
                    "threshold": after.threshold,
                    "day": date_format(row.entry_into_force, "DATE_FORMAT"),
                }
            return gettext(
                "Counts: %(n)d of %(threshold)d instruments (%(remaining)d more needed)."
            ) % {
                "n": after.instruments_counted,
                "threshold": after.threshold,
                "remaining": after.remaining,
            }
        if kind == ActionKind.SIGNATURE:
            return gettext("Signatories: %(before)d, then %(after)d.") % {
                "before": before.signatories,
                "after": after.signatories,
            }
        if kind == ActionKind.DENUNCIATION and row and row.denunciation_effective:
            return gettext("Takes effect on %(day)s; it remains a party until then.") % {
                "day": date_format(row.denunciation_effective, "DATE_FORMAT")
            }
        return gettext("No change to the counts.")
