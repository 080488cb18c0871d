"""The geometry of the dashboard's timeline: plain arithmetic for an SVG chart, no database.

`timeline()` turns the counts of `rules.Status.timeline` into positions that the template
(`ratifications/_timeline.html`) draws; the template writes every word.

Two panels share one time axis. The main one counts instruments against the threshold, the
number that decides entry into force, on its own scale from 0 to the threshold (or further once
it is passed); below it, smaller, the signatories on theirs. Two panels rather than one chart
with a second axis: two scales on one plot invite reading the crossing of lines that measure
different things, and the signatories, about twice as many, would again flatten the line that
matters. Vertical marks, labelled at the top, show the day shown (today), the close of
signature and entry into force; `Band`s shade a range of dates (the hook for a projected entry
into force).

The SVG has no viewBox, so that it fills its card at any width with its text at its true size:
the words are placed in percent of the chart's width (x) and pixels (y). Every line is drawn in
one nested SVG, the plot, whose viewBox is `SPAN` units wide and as many units tall as the chart
has pixels, stretched to the width (`preserveAspectRatio="none"`; the stylesheet keeps strokes
even with `vector-effect`), so that a handful of paths draw it: the template stays small.
"""

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ratifications.rules import TimelinePoint

# Horizontal, in percent of the chart's width: the dates run between LEFT and RIGHT. The
# counts are written left of the chart, in a gutter of the stylesheet's (`.timeline-frame`);
# the right margin leaves room for a month's name centred on a tick near the edge.
LEFT, RIGHT = 0.0, 97.0
# The plot's width in its own units.
SPAN = 1000
# Vertical, in pixels: a row of the marks' labels; a panel's title (to its baseline), the room
# between it and the panel (for the threshold's label), the panels and the gap between them;
# two lines of months and years under the axis.
ROW = 17
TITLE = 18
ABOVE_PLOT = 24
MAIN_HEIGHT = 150
GAP = 14
SIGNATORIES_HEIGHT = 56
AXIS = 40
# A label this far from its mark's line.
NUDGE = 4


@dataclass(frozen=True)
class Scale:
    """A straight-line map from a domain [d0, d1] onto a range [r0, r1]."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return self.r0
        return round(self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0), 1)


def count_ticks(top: int, count: int = 5) -> list[int]:
    """Round numbers from 0 to `top` or just above it: at most `count` steps.

    Steps of 1, 2 or 5 times a power of ten: 73 gives 0, 20, 40, 60, 80.
    """
    top = max(top, 1)
    for power in itertools.count():
        for step in (10**power, 2 * 10**power, 5 * 10**power):
            if math.ceil(top / step) <= count:
                return list(range(0, math.ceil(top / step) * step + 1, step))
    raise AssertionError("unreachable")


def _months(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_ticks(start: dt.date, end: dt.date, count: int = 6) -> list[dt.date]:
    """First days of months from `start` to `end`, at most `count` of them.

    Every 1, 2, 3, 6 or 12 months (or more), on months that divide the year
    evenly (January, April, July, October for every three), so they read as a calendar.
    """
    first = _months(start) + (start.day > 1)
    last = _months(end)

    def aligned(step: int) -> int:
        return first + (-first % step)

    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if (last - aligned(s)) // s + 1 <= count), 120)
    return [dt.date(m // 12, m % 12 + 1, 1) for m in range(aligned(step), last + 1, step)]


def step_path(points: Sequence[tuple[float, float]], end_x: float) -> str:
    """An SVG path for a step series: each value holds until the next point, the last to `end_x`."""
    if not points:
        return ""
    (x, y), *rest = points
    parts = [f"M{x:g} {y:g}"]
    for next_x, next_y in rest:
        parts.append(f"H{next_x:g}V{next_y:g}")
    parts.append(f"H{end_x:g}")
    return "".join(parts)


@dataclass(frozen=True)
class Tick:
    """A label on an axis: a count (y in pixels) or a month (x in percent of the width)."""

    position: float
    value: int | dt.date
    # Under a month: its year, on the first tick and on each January.
    show_year: bool = False
    # Which way its label runs from `position`: "right", "left" or "both" (centred).
    runs: str = "both"


@dataclass(frozen=True)
class Panel:
    """One series on its own scale: its title's baseline, its counts' labels, its path."""

    title_y: float
    top: float
    bottom: float
    ticks: list[Tick]
    path: str


@dataclass(frozen=True)
class Band:
    """A range of dates to shade across both panels, as a projected entry into force will be.

    `kind` names it for the template, which writes its label (add the words for a new kind
    there), and for the stylesheet (`chart-band-<kind>`). The chart stretches to show it.
    """

    start: dt.date
    end: dt.date
    kind: str


@dataclass(frozen=True)
class Mark:
    """A marked day (or a band: a range of days), its label on a row of its own at the top.

    `kind`: "today" (the day shown is today), "as-of" (another day is shown),
    "signature-closes", "entry-into-force", or a band's kind. The label is at `x` percent
    of the width, `dx` pixels off the line, running toward the middle (`runs`); the line
    (`path`) or the band (`rect`: x, y, width, height) is in the plot's units.
    """

    kind: str
    day: dt.date
    x: float
    label_y: float
    runs: str
    dx: int
    path: str = ""
    end: dt.date | None = None
    rect: tuple[float, float, float, float] = (0, 0, 0, 0)


@dataclass(frozen=True)
class Timeline:
    """Everything the template needs to draw (see the module's docstring for the units)."""

    height: int
    # The first and last days drawn.
    start: dt.date
    end: dt.date
    left: float
    right: float
    span: int
    # Paths in the plot's units: the counts' gridlines, the two baselines with the months'
    # ticks, the threshold.
    grid: str
    axes: str
    threshold: str
    threshold_y: float
    instruments: Panel
    signatories: Panel
    x_ticks: list[Tick]
    marks: list[Mark]
    bands: list[Mark]
    signature_closes: dt.date | None
    # Comparable treaties' instruments as if they had opened on this treaty's day with its
    # threshold, drawn faintly behind its own: one path, in the plot's units.
    references: str = ""

    @property
    def width(self) -> float:
        return self.right - self.left


def _runs(x: float) -> str:
    """A month near the left edge runs right, near the right edge left; otherwise centred."""
    if x < LEFT + 3:
        return "right"
    if x > RIGHT - 3:
        return "left"
    return "both"


def timeline(
    points: Sequence[TimelinePoint],
    *,
    start: dt.date,
    as_of: dt.date,
    today: dt.date,
    threshold: int,
    entry_into_force: dt.date | None,
    signature_closes: dt.date | None = None,
    bands: Sequence[Band] = (),
    references: Sequence[Sequence[tuple[dt.date, float]]] = (),
) -> Timeline:
    """The chart from `start` (the treaty's opening) through every day it marks.

    Both series start at zero on `start` and hold their last count until `as_of`. The dates
    run at least to the close of signature, to entry into force and to the end of each band.
    """
    start = min([start, as_of, *(p.date for p in points[:1])])
    end = max(
        d
        for d in (
            as_of,
            entry_into_force,
            signature_closes,
            start + dt.timedelta(days=30),
            *(band.end for band in bands),
        )
        if d
    )
    percent = Scale(start.toordinal(), end.toordinal(), LEFT, RIGHT)
    units = Scale(start.toordinal(), end.toordinal(), 0, SPAN)

    def x(day: dt.date) -> float:
        return percent(day.toordinal())

    def u(day: dt.date) -> float:
        return units(day.toordinal())

    # What is marked, each label on a row of its own. A label runs from its line toward the
    # middle; so that it crosses no line of a mark on a row above, the rows go first to the
    # marks in the right half, from the right, then to those in the left half, from the left.
    # A band's row goes by its start; its label runs over it.
    days = [("today" if as_of == today else "as-of", as_of)]
    if today < as_of and today >= start:
        # A day to come is shown: where the record stops being news.
        days.append(("today", today))
    if signature_closes:
        days.append(("signature-closes", signature_closes))
    if entry_into_force:
        days.append(("entry-into-force", entry_into_force))
    middle = start + (end - start) / 2
    rows = sorted(
        [(day, kind, None) for kind, day in days] + [(b.start, b.kind, b) for b in bands],
        key=lambda row: (row[0] > middle, abs((row[0] - middle).days)),
        reverse=True,
    )

    def panel(title_y: float, height: float, value, counts: list[int]) -> Panel:
        top = title_y + ABOVE_PLOT
        y = Scale(0, counts[-1], top + height, top)
        coordinates = [(0.0, y(0))] + [(u(p.date), y(value(p))) for p in points]
        return Panel(
            title_y=title_y,
            top=top,
            bottom=top + height,
            ticks=[Tick(y(count), count) for count in counts],
            path=step_path(coordinates, u(as_of)),
        )

    counted = [p.instruments_counted for p in points]
    instruments = panel(
        2 + ROW * len(rows) + TITLE,
        MAIN_HEIGHT,
        lambda p: p.instruments_counted,
        count_ticks(max([threshold, *counted]), 4),
    )
    signatories = panel(
        instruments.bottom + GAP + TITLE,
        SIGNATORIES_HEIGHT,
        lambda p: p.signatories,
        # Two steps at most: a small panel reads with three lines.
        count_ticks(max([0, *(p.signatories for p in points)]), 2),
    )
    counts = Scale(0, instruments.ticks[-1].value, instruments.bottom, instruments.top)
    threshold_y = counts(threshold)
    # Each comparable treaty as far as the chart goes, from the start of the first day.
    drawn = ([(day, count) for day, count in curve if day <= end] for curve in references)
    references_path = "".join(
        "M" + "L".join(f"{u(day):g} {counts(count):g}" for day, count in points)
        for points in drawn
        if len(points) > 1
    )
    marks, placed_bands = [], []
    for number, (day, kind, band) in enumerate(rows):
        runs = "right" if day <= middle else "left"
        label_y = 2 + ROW * (number + 1) - 4
        common = {
            "kind": kind,
            "day": day,
            "x": x(day),
            "label_y": label_y,
            "runs": runs,
            "dx": -NUDGE if runs == "left" else NUDGE,
        }
        top, bottom = label_y + NUDGE, signatories.bottom
        if band is None:
            marks.append(Mark(**common, path=f"M{u(day):g} {top:g}V{bottom:g}"))
        else:
            width = round(u(band.end) - u(day), 1)
            rect = (u(day), top, width, bottom - top)
            if band.end > middle:
                # Over the band, to its end: from its start it would run out of the chart,
                # and left of its start it would name the wrong days.
                common |= {"x": x(min(band.end, end)), "runs": "left", "dx": -NUDGE}
            placed_bands.append(Mark(**common, end=band.end, rect=rect))
    months = month_ticks(start, end)
    baselines = (instruments.bottom, signatories.bottom)
    return Timeline(
        height=round(signatories.bottom + AXIS),
        start=start,
        end=end,
        left=LEFT,
        right=RIGHT,
        span=SPAN,
        grid="".join(
            f"M0 {tick.position:g}H{SPAN}"
            for tick in instruments.ticks + signatories.ticks
            if tick.position not in baselines
        ),
        axes="".join(f"M0 {y:g}H{SPAN}" for y in baselines)
        + "".join(f"M{u(day):g} {signatories.bottom:g}v5" for day in months),
        threshold=f"M0 {threshold_y:g}H{SPAN}",
        threshold_y=threshold_y,
        instruments=instruments,
        signatories=signatories,
        x_ticks=[
            Tick(x(day), day, show_year=(n == 0 or day.month == 1), runs=_runs(x(day)))
            for n, day in enumerate(months)
        ],
        # In date order for the list under the chart; each has its own row anyway.
        marks=sorted(marks, key=lambda mark: mark.day),
        bands=placed_bands,
        signature_closes=signature_closes,
        references=references_path,
    )
