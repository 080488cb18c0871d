"""The geometry of the dashboard's timeline: plain arithmetic for an SVG chart, no database.

`timeline()` turns the counts of `rules.Status.timeline` into coordinates in a fixed
viewBox (`WIDTH` x `HEIGHT` user units) that the browser scales to the page's width;
the template (`ratifications/_timeline.html`) draws them and writes every word.
"""

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ratifications.rules import TimelinePoint

WIDTH, HEIGHT = 600, 280
# Room for the counts on the left, the months and years below (two lines of text at the
# phone's larger type), half a label above.
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 60


@dataclass(frozen=True)
class Scale:
    """A straight-line map from a domain [d0, d1] onto a range [r0, r1] of user units."""

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
    position: float
    value: int | dt.date
    # Under a month: its year, on the first tick and on each January.
    show_year: bool = False


@dataclass(frozen=True)
class Timeline:
    """Everything the template needs to draw, in viewBox units."""

    width: int
    height: int
    # The first day drawn (the treaty's opening, or an earlier action).
    start: dt.date
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    signatories: str
    instruments: str
    threshold_y: float
    as_of_x: float
    entry_into_force_x: float | None


def timeline(
    points: Sequence[TimelinePoint],
    *,
    start: dt.date,
    as_of: dt.date,
    threshold: int,
    entry_into_force: dt.date | None,
) -> Timeline:
    """The chart from `start` (the treaty's opening) to `as_of`, or to entry into force if later.

    Both series start at zero on `start` and hold their last count until `as_of`.
    """
    start = min([start, *(p.date for p in points[:1])])
    end = max(d for d in (as_of, entry_into_force, start + dt.timedelta(days=30)) if d)
    x = Scale(start.toordinal(), end.toordinal(), LEFT, WIDTH - RIGHT)
    top = max(
        [threshold, *(p.signatories for p in points), *(p.instruments_counted for p in points)]
    )
    counts = count_ticks(top)
    y = Scale(0, counts[-1], HEIGHT - BOTTOM, TOP)

    def series(value) -> str:
        coordinates = [(x(start.toordinal()), y(0))]
        coordinates += [(x(p.date.toordinal()), y(value(p))) for p in points]
        return step_path(coordinates, x(max(as_of, start).toordinal()))

    months = month_ticks(start, end)
    return Timeline(
        width=WIDTH,
        height=HEIGHT,
        start=start,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        x_ticks=[
            Tick(x(day.toordinal()), day, show_year=(n == 0 or day.month == 1))
            for n, day in enumerate(months)
        ],
        y_ticks=[Tick(y(count), count) for count in counts],
        signatories=series(lambda p: p.signatories),
        instruments=series(lambda p: p.instruments_counted),
        threshold_y=y(threshold),
        as_of_x=x(max(as_of, start).toordinal()),
        entry_into_force_x=x(entry_into_force.toordinal()) if entry_into_force else None,
    )
