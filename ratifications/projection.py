"""When a treaty might reach its threshold, if it keeps pace with comparable treaties.

A plain module with no database access. The reference data (`data/base_rates/`: how fast
twenty treaties collected their instruments, each figure with its source and label) is read
once per process; `project()` then costs a few dozen arithmetic steps per reference treaty.

The method (docs/projection.md), for a treaty with `counted` of its `threshold` instruments
`age` days after it opened for signature:

1. The reference class: the treaties of the data whose deposits are known quarter by quarter
   (`ReferenceTreaty.curve`), less the treaty itself and its own protocols or parent (one
   UN Treaty Collection number: they are not independent of it). `ReferenceClass` names the
   narrower alternatives (same chapter, same threshold), which the method page shows beside it.
2. Only those that had not reached their threshold at the same age can say how long the rest
   takes: a treaty that had is not comparable to one that has not.
3. For each, the day it first had at least the same share of its threshold, but no earlier
   than that age (its curve read between quarters as a straight line), and the days from
   then to its threshold date: its remaining time. A treaty ahead of this one at that age
   counts from that age; one behind it, from the later day it caught up.
4. The dates `as_of` plus those remaining times: their median, and their 25th and 75th
   percentiles as a 50% interval. Entry into force follows from each by the treaty's own
   clauses (`rules.Clauses.entry_into_force_after`).

Once the threshold is reached, the real dates replace the projection. With fewer than
`MINIMUM_PEERS` treaties left at that age, or before the treaty opens, there is none, and
`Projection.reason` says why. `backtest()` checks the method on the reference treaties
themselves (leaving each out in turn), at 6, 12 and 24 months after they opened.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ratifications.rules import Clauses, add_months

DATA = Path(__file__).resolve().parent / "data" / "base_rates"
# The interval: the middle half of the reference treaties' dates.
LOW, HIGH = 0.25, 0.75
INTERVAL = HIGH - LOW
# Fewer comparable treaties than this cannot give a median and quartiles worth stating.
MINIMUM_PEERS = 5
# The ages at which the back-test asks each reference treaty's peers, in months after opening.
BACKTEST_MONTHS = (6, 12, 24)


class ReferenceClass(models.TextChoices):
    ALL = "all", _("All comparable treaties")
    FAMILY = "family", _("The same family (chapter of the UN Treaty Collection)")
    THRESHOLD = "threshold", _("The same threshold")


# The rule (docs/projection.md): every comparable treaty. The back-test shows why: the
# narrower classes leave four to eight treaties, too few for quartiles that hold what
# they claim.
DEFAULT_CLASS = ReferenceClass.ALL


# Compared by identity: one of each a process, cheap to hash as a cache key.
@dataclass(frozen=True, eq=False)
class ReferenceTreaty:
    """One row of `base_rates.csv`, with its deposit curve from `base_rates_curves.csv`.

    The figures are as the data writes them, qualifiers included ("8 (derived)"); only
    those the method uses are parsed.
    """

    key: str
    name: str
    depositary: str
    ref: str
    adopted: str
    opening: dt.date
    opening_event: str
    threshold: int
    # As the data writes it: "5 (>=3 CoE)", "55 + 55 %"...
    threshold_label: str
    eif_rule: str
    threshold_date: dt.date
    threshold_batch: str
    eif_date: dt.date
    signatories_day1: str
    signatories_opening_event: str
    instruments_1y: str
    instruments_2y: str
    instruments_3y: str
    data_basis: str
    verified: str
    derived_or_memory: str
    sources: str
    notes: str
    # Counted instruments every three months after opening: (months, date, instruments).
    curve: tuple[tuple[int, dt.date, int], ...] = ()

    @property
    def days(self) -> int:
        """From opening to the threshold date."""
        return (self.threshold_date - self.opening).days

    @property
    def chapter(self) -> str:
        """Its chapter of the UN Treaty Collection ("XVIII", penal matters), or ""."""
        return chapter(self.ref)

    @property
    def number(self) -> str:
        """Its UN Treaty Collection number without a protocol's letter ("XVIII-12")."""
        return number(self.ref)

    @functools.cached_property
    def points(self) -> tuple[tuple[int, int], ...]:
        """(days since opening, instruments) before the threshold date, then the threshold."""
        before = [
            ((day - self.opening).days, count)
            for _months, day, count in self.curve
            if day < self.threshold_date
        ]
        return (*before, (self.days, self.threshold))

    def reached(self, share: float) -> float:
        """Days after opening when it first had `share` of its threshold, between the
        quarterly counts read as a straight line."""
        wanted = share * self.threshold
        previous_day, previous_count = 0, 0
        for day, count in self.points:
            if count >= wanted:
                if count == previous_count or day == previous_day:
                    return day
                return previous_day + (day - previous_day) * max(
                    0.0, (wanted - previous_count) / (count - previous_count)
                )
            previous_day, previous_count = day, count
        return self.days

    def count_at(self, months: int) -> int | None:
        """Instruments counted `months` after opening, where the curve has that quarter."""
        return next((count for m, _day, count in self.curve if m == months), None)


def chapter(reference: str) -> str:
    head = reference.split("-")[0].strip()
    return head if head and set(head) <= set("IVXLC") else ""


def number(reference: str) -> str:
    return "-".join(reference.split("-")[:2]) if chapter(reference) else reference


@functools.cache
def reference_treaties() -> tuple[ReferenceTreaty, ...]:
    """Every treaty of the shipped data, in the order of the data; read once a process."""
    curves: dict[str, list[tuple[int, dt.date, int]]] = {}
    with (DATA / "base_rates_curves.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            curves.setdefault(row["treaty_key"], []).append(
                (
                    int(row["months_since_opening"]),
                    dt.date.fromisoformat(row["date"]),
                    int(row["instruments"]),
                )
            )
    treaties = []
    with (DATA / "base_rates.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            treaties.append(
                ReferenceTreaty(
                    key=row["treaty_key"],
                    name=row["treaty"],
                    depositary=row["depositary"],
                    ref=row["ref"],
                    adopted=row["adoption_date"],
                    opening=dt.date.fromisoformat(row["opening_date"]),
                    opening_event=row["opening_event"],
                    # "5 (>=3 CoE)": the number is what the method compares.
                    threshold=int(row["threshold_n"].split()[0]),
                    threshold_label=row["threshold_n"],
                    eif_rule=row["eif_rule"],
                    threshold_date=dt.date.fromisoformat(row["threshold_date"]),
                    threshold_batch=row["threshold_batch"],
                    eif_date=dt.date.fromisoformat(row["eif_date"]),
                    signatories_day1=row["signatories_day1"],
                    signatories_opening_event=row["signatories_opening_event"],
                    instruments_1y=row["instruments_1y"],
                    instruments_2y=row["instruments_2y"],
                    instruments_3y=row["instruments_3y"],
                    data_basis=row["data_basis"],
                    verified=row["verified"],
                    derived_or_memory=row["derived_or_memory"],
                    sources=row["sources"],
                    notes=row["notes"],
                    curve=tuple(sorted(curves.get(row["treaty_key"], ()))),
                )
            )
    return tuple(treaties)


@functools.cache
def comparable() -> tuple[ReferenceTreaty, ...]:
    """The treaties the method can use: those whose deposits are known quarter by quarter."""
    return tuple(treaty for treaty in reference_treaties() if treaty.curve)


def reference_class(
    kind: ReferenceClass, *, reference: str, threshold: int, peers: Sequence[ReferenceTreaty]
) -> tuple[ReferenceTreaty, ...]:
    """The treaties of `peers` in that class for a treaty of this UNTC reference and
    threshold, never the treaty itself nor its protocols or parent (one UNTC number)."""
    own = number(reference)
    found = [peer for peer in peers if not (own and peer.number == own)]
    if kind == ReferenceClass.FAMILY:
        family = chapter(reference)
        found = [peer for peer in found if family and peer.chapter == family]
    elif kind == ReferenceClass.THRESHOLD:
        found = [peer for peer in found if peer.threshold == threshold]
    return tuple(found)


def quantile(values: Sequence[float], q: float) -> float:
    """Between the sorted values as a straight line (the usual "type 7" definition)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class Range:
    low: dt.date
    median: dt.date
    high: dt.date

    def as_json(self) -> dict:
        return {
            "low": self.low.isoformat(),
            "median": self.median.isoformat(),
            "high": self.high.isoformat(),
        }

    def __contains__(self, day: dt.date) -> bool:
        return self.low <= day <= self.high


class Reason(models.TextChoices):
    """Why there is no projection."""

    NOT_OPEN = "not_open"
    NO_PEERS = "no_peers"
    TOO_FEW = "too_few"


@dataclass(frozen=True)
class Projection:
    as_of: dt.date
    instruments_counted: int
    threshold: int
    reference_class: ReferenceClass
    # The treaties of the class, and those of them that had not reached their threshold
    # at this age: the ones the range comes from.
    candidates: tuple[ReferenceTreaty, ...]
    reference_treaties: tuple[ReferenceTreaty, ...]
    threshold_date: Range | None
    entry_into_force: Range | None
    # True once the threshold is reached: the real dates, low == median == high.
    reached: bool = False
    why: Reason | None = None
    age: int = 0
    entry_into_force_days: int = 0

    @property
    def projected(self) -> bool:
        return self.threshold_date is not None and not self.reached

    @property
    def interval(self) -> float | None:
        return INTERVAL if self.projected else None

    @property
    def reason(self) -> str | None:
        """Why there is no projection, in the active language (English in the API)."""
        if self.why == Reason.NOT_OPEN:
            return gettext(
                "The treaty is not yet open for signature on this day: there is nothing to "
                "compare yet."
            )
        if self.why == Reason.NO_PEERS:
            return gettext(
                "No treaty in the reference data belongs to this class (%(class)s): there is "
                "nothing to compare with."
            ) % {"class": self.reference_class.label}
        if self.why == Reason.TOO_FEW and not self.reference_treaties:
            return gettext(
                "All %(total)d comparable treaties had reached their threshold %(days)d days "
                "after opening: this treaty is slower than every one of them, and they cannot "
                "say how much longer it would take, nor whether it ever enters into force."
            ) % {"total": len(self.candidates), "days": self.age}
        if self.why == Reason.TOO_FEW:
            return ngettext(
                "Of the %(total)d comparable treaties, only %(left)d had not reached its "
                "threshold %(days)d days after opening; at least %(minimum)d are needed to "
                "state a range. This treaty is slower than nearly all of them.",
                "Of the %(total)d comparable treaties, only %(left)d had not reached their "
                "threshold %(days)d days after opening; at least %(minimum)d are needed to "
                "state a range. This treaty is slower than nearly all of them.",
                len(self.reference_treaties),
            ) % {
                "total": len(self.candidates),
                "left": len(self.reference_treaties),
                "days": self.age,
                "minimum": MINIMUM_PEERS,
            }
        return None

    @property
    def method(self) -> str:
        """One sentence on how the dates were found, in the active language."""
        if self.reached:
            return gettext(
                "The threshold is reached: these are the real dates, from the verified "
                "record and the treaty's clauses."
            )
        return gettext(
            "For each comparable treaty that had not reached its threshold at the same age, "
            "the time from the day it had at least the same share of its threshold (never "
            "younger than this treaty is now) to the day it reached it, added to this day; "
            "the median of those dates, and the middle half of them (25th to 75th percentile) "
            "as the range. Entry into force follows %(days)d days after the threshold, by "
            "the treaty's clauses. The comparable treaties are those deposited with the "
            "Secretary-General whose deposits are known quarter by quarter; all of them did "
            "enter into force, so a slower treaty, or one that never does, is not among them."
        ) % {"days": self.entry_into_force_days}

    def as_json(self) -> dict:
        """The projection API's document (CONTRACT.md, "Added for the second round")."""
        return {
            "as_of": self.as_of.isoformat(),
            "instruments_counted": self.instruments_counted,
            "threshold": self.threshold,
            "method": self.method,
            "reference_class": self.reference_class.value,
            "reference_treaties": [
                {"key": treaty.key, "name": treaty.name} for treaty in self.reference_treaties
            ],
            "threshold_date": self.threshold_date.as_json() if self.threshold_date else None,
            "entry_into_force": self.entry_into_force.as_json() if self.entry_into_force else None,
            "interval": self.interval,
            "reason": self.reason,
        }


def opening(clauses: Clauses) -> dt.date | None:
    """When its deposits can start: opening for signature, else adoption."""
    return clauses.signature_opens_on or clauses.adopted_on


def project(
    clauses: Clauses,
    counted: int,
    as_of: dt.date,
    *,
    threshold_reached_on: dt.date | None = None,
    reference: str = "",
    kind: ReferenceClass = DEFAULT_CLASS,
    peers: Sequence[ReferenceTreaty] | None = None,
) -> Projection:
    """The range of dates by which the threshold would be reached, and entry into force.

    `clauses` are the treaty's; `counted` its instruments counted on `as_of`;
    `threshold_reached_on` the real date, once reached; `reference` its UN Treaty
    Collection number (for its family, and to leave out its own protocols); `peers` the
    reference treaties (default: the shipped data).
    """
    peers = comparable() if peers is None else tuple(peers)
    return _project(clauses, counted, as_of, threshold_reached_on, reference, kind, peers)


@functools.lru_cache(maxsize=512)
def _project(clauses, counted, as_of, threshold_reached_on, reference, kind, peers) -> Projection:
    # Cached: the dashboard, its counters' poll, the embed and the calendar ask the same
    # question all day. Every argument is immutable.
    kind = ReferenceClass(kind)
    candidates = reference_class(
        kind, reference=reference, threshold=clauses.threshold, peers=peers
    )
    start = opening(clauses)
    age = (as_of - start).days if start else 0
    common = {
        "as_of": as_of,
        "instruments_counted": counted,
        "threshold": clauses.threshold,
        "reference_class": kind,
        "candidates": candidates,
        "age": age,
        "entry_into_force_days": clauses.entry_into_force_days,
    }
    if threshold_reached_on is not None and threshold_reached_on <= as_of:
        real = clauses.entry_into_force_after(threshold_reached_on)
        return Projection(
            **common,
            reference_treaties=(),
            threshold_date=Range(threshold_reached_on, threshold_reached_on, threshold_reached_on),
            entry_into_force=Range(real, real, real),
            reached=True,
        )
    if start is None or age < 0:
        return Projection(
            **common,
            reference_treaties=(),
            threshold_date=None,
            entry_into_force=None,
            why=Reason.NOT_OPEN,
        )
    if not candidates:
        return Projection(
            **common,
            reference_treaties=(),
            threshold_date=None,
            entry_into_force=None,
            why=Reason.NO_PEERS,
        )
    remaining = _remaining(candidates, age, min(counted, clauses.threshold) / clauses.threshold)
    used = tuple(peer for peer, _days in remaining)
    if len(remaining) < MINIMUM_PEERS:
        return Projection(
            **common,
            reference_treaties=used,
            threshold_date=None,
            entry_into_force=None,
            why=Reason.TOO_FEW,
        )
    days = [days for _peer, days in remaining]
    threshold_date = Range(
        *(as_of + dt.timedelta(days=round(quantile(days, q))) for q in (LOW, 0.5, HIGH))
    )
    return Projection(
        **common,
        reference_treaties=used,
        threshold_date=threshold_date,
        entry_into_force=Range(
            *(
                clauses.entry_into_force_after(day)
                for day in (threshold_date.low, threshold_date.median, threshold_date.high)
            )
        ),
    )


def _remaining(
    candidates: Iterable[ReferenceTreaty], age: int, share: float
) -> list[tuple[ReferenceTreaty, float]]:
    """Each candidate still short of its threshold at `age`, with its remaining days from
    the day it had `share` of it, no earlier than `age` (at least one: not reached today)."""
    return [
        (peer, max(1.0, peer.days - max(age, peer.reached(share))))
        for peer in candidates
        if peer.days > age
    ]


# The timeline's hook: what the chart draws behind the treaty's own curve.


@dataclass(frozen=True)
class ReferenceCurve:
    key: str
    name: str
    # (date, instruments) as if it had opened on this treaty's day with this threshold:
    # its days after opening kept, its counts scaled to this threshold; up to its threshold.
    points: tuple[tuple[dt.date, float], ...]


@dataclass(frozen=True)
class Overlay:
    """What the timeline needs: the projected range (None when there is none) and the
    reference treaties' curves."""

    threshold_date: Range | None
    entry_into_force: Range | None
    curves: tuple[ReferenceCurve, ...]


def timeline_overlay(projection: Projection, clauses: Clauses) -> Overlay:
    """The band (the projected threshold range, and entry into force from it) and the
    curves of the projection's reference class, scaled to this treaty's opening and
    threshold. Nothing while the real dates are known: the chart draws those already."""
    start = opening(clauses)
    curves = tuple(
        ReferenceCurve(
            peer.key,
            peer.name,
            tuple(
                (
                    start + dt.timedelta(days=day),
                    round(count * clauses.threshold / peer.threshold, 2),
                )
                for day, count in peer.points
            ),
        )
        for peer in (projection.candidates if start else ())
    )
    if projection.reached:
        return Overlay(None, None, ())
    if not projection.projected:
        return Overlay(None, None, curves)
    return Overlay(projection.threshold_date, projection.entry_into_force, curves)


# The back-test


@dataclass(frozen=True)
class Trial:
    """What the method would have said of one reference treaty, `months` after it opened,
    from its peers alone."""

    treaty: ReferenceTreaty
    months: int
    as_of: dt.date
    counted: int
    projection: Projection

    @property
    def inside(self) -> bool | None:
        """Whether its real threshold date fell in the stated range (None: no range)."""
        if not self.projection.projected:
            return None
        return self.treaty.threshold_date in self.projection.threshold_date


@dataclass(frozen=True)
class BackTest:
    reference_class: ReferenceClass
    trials: tuple[Trial, ...]
    # Treaties that had reached their threshold by that age: nothing to project.
    already_reached: tuple[tuple[ReferenceTreaty, int], ...]

    @property
    def judged(self) -> list[Trial]:
        return [trial for trial in self.trials if trial.inside is not None]

    @property
    def inside(self) -> int:
        return sum(1 for trial in self.judged if trial.inside)

    @property
    def later(self) -> int:
        """Misses where the real date came after the range: slower than its peers."""
        return sum(
            1
            for trial in self.judged
            if trial.treaty.threshold_date > trial.projection.threshold_date.high
        )

    @property
    def earlier(self) -> int:
        return len(self.judged) - self.inside - self.later

    @property
    def coverage(self) -> float | None:
        return self.inside / len(self.judged) if self.judged else None

    @property
    def acceptable(self) -> bool:
        """Within 15 points of the stated coverage (issue 13's measure of honest)."""
        return self.coverage is not None and abs(self.coverage - INTERVAL) <= 0.15


@functools.cache
def backtest(kind: ReferenceClass = DEFAULT_CLASS) -> BackTest:
    """For every comparable treaty, at 6, 12 and 24 months after it opened (while it had
    not reached its threshold), the projection its peers give, leaving it and its own
    protocols or parent out; computed once a process from the shipped data."""
    trials, reached = [], []
    peers = comparable()
    for treaty in peers:
        clauses = Clauses(
            threshold=treaty.threshold,
            entry_into_force_days=0,
            later_entry_into_force_days=0,
            signature_opens_on=treaty.opening,
        )
        for months in BACKTEST_MONTHS:
            as_of = add_months(treaty.opening, months)
            counted = treaty.count_at(months)
            if counted is None:
                continue
            if treaty.threshold_date <= as_of:
                reached.append((treaty, months))
                continue
            projection = project(
                clauses, counted, as_of, reference=treaty.ref, kind=kind, peers=peers
            )
            trials.append(Trial(treaty, months, as_of, counted, projection))
    return BackTest(ReferenceClass(kind), tuple(trials), tuple(reached))
