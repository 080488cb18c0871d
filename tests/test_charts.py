"""The timeline's geometry (ratifications/charts.py): scales, ticks, step paths."""

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratifications import charts
from ratifications.charts import Scale, count_ticks, month_ticks, step_path
from ratifications.rules import TimelinePoint

OPENING = dt.date(2025, 10, 25)


def test_a_scale_maps_the_ends_of_its_domain_onto_the_ends_of_its_range():
    y = Scale(0, 80, 220, 14)
    assert y(0) == 220
    assert y(80) == 14
    assert y(40) == 117


def test_a_scale_with_an_empty_domain_maps_everything_to_its_start():
    assert Scale(5, 5, 10, 90)(5) == 10


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (73, [0, 20, 40, 60, 80]),
        (40, [0, 10, 20, 30, 40]),
        (7, [0, 2, 4, 6, 8]),
        (403, [0, 100, 200, 300, 400, 500]),
        (1, [0, 1]),
        (0, [0, 1]),
    ],
)
def test_counts_are_ticked_in_round_steps_from_zero(top, ticks):
    assert count_ticks(top) == ticks


@given(st.integers(min_value=0, max_value=100_000))
def test_count_ticks_start_at_zero_reach_the_top_and_stay_few(top):
    ticks = count_ticks(top)
    assert ticks[0] == 0
    assert ticks[-1] >= top
    assert len(ticks) <= 6
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        # The Hanoi Convention's first year: every three months, on calendar quarters.
        (OPENING, dt.date(2026, 11, 28), ["2026-01", "2026-04", "2026-07", "2026-10"]),
        # A month: the one first day in it.
        (OPENING, dt.date(2025, 11, 24), ["2025-11"]),
        # A range that starts on the first of a month includes it.
        (dt.date(2026, 1, 1), dt.date(2026, 4, 15), ["2026-01", "2026-02", "2026-03", "2026-04"]),
        # Years: each January.
        (
            dt.date(2025, 10, 1),
            dt.date(2030, 11, 1),
            ["2026-01", "2027-01", "2028-01", "2029-01", "2030-01"],
        ),
    ],
)
def test_dates_are_ticked_on_the_first_of_evenly_spaced_months(start, end, months):
    assert [day.strftime("%Y-%m") for day in month_ticks(start, end)] == months


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
    # The timeline spans 30 days at the least, and any 30 days after a day
    # reach the first of a month; 28 may not (2 to 30 January).
    st.integers(min_value=30, max_value=20_000),
)
def test_month_ticks_are_first_days_inside_the_range_and_few(start, days):
    end = start + dt.timedelta(days=days)
    ticks = month_ticks(start, end)
    assert 1 <= len(ticks) <= 6
    assert all(day.day == 1 and start <= day <= end for day in ticks)
    assert ticks == sorted(ticks)


def test_a_step_path_holds_each_value_until_the_next_point_then_to_the_end():
    assert step_path([(0, 10), (5, 4), (8, 2)], end_x=10) == "M0 10H5V4H8V2H10"
    assert step_path([(1.5, 3.25)], end_x=4) == "M1.5 3.25H4"
    assert step_path([], end_x=4) == ""


def hanoi_timeline(as_of, points=None, entry_into_force=None, threshold=40):
    points = points or [
        TimelinePoint(OPENING, 69, 0),
        TimelinePoint(dt.date(2025, 10, 26), 72, 0),
        TimelinePoint(dt.date(2025, 11, 19), 73, 0),
    ]
    points = [p for p in points if p.date <= as_of]
    return charts.timeline(
        points, start=OPENING, as_of=as_of, threshold=threshold, entry_into_force=entry_into_force
    )


def test_the_timeline_runs_from_the_opening_to_the_day_shown():
    chart = hanoi_timeline(dt.date(2026, 11, 28))
    assert chart.start == OPENING
    assert [tick.value for tick in chart.y_ticks] == [0, 20, 40, 60, 80]
    assert chart.y_ticks[0].position == chart.bottom
    assert chart.y_ticks[-1].position == chart.top
    assert chart.threshold_y == chart.y_ticks[2].position
    # Both series start at zero on the opening day and end on the day shown.
    left, zero = chart.left, chart.bottom
    assert chart.signatories.startswith(f"M{left:g} {zero:g}H{left:g}V")
    assert chart.signatories.endswith(f"H{chart.right:g}")
    # No instrument yet: a flat line along the bottom.
    assert {step.split("V")[1] for step in chart.instruments.split("H")[1:-1]} == {f"{zero:g}"}
    assert chart.as_of_x == chart.right
    assert chart.entry_into_force_x is None
    # The first tick shows its year, and so does each January.
    assert [(tick.value.month, tick.show_year) for tick in chart.x_ticks] == [
        (1, True),
        (4, False),
        (7, False),
        (10, False),
    ]


def test_an_earlier_day_draws_fewer_steps():
    assert hanoi_timeline(dt.date(2025, 10, 25)).signatories.count("V") == 1
    assert hanoi_timeline(dt.date(2026, 11, 28)).signatories.count("V") == 3


def test_the_entry_into_force_is_marked_and_stretches_the_chart_to_it():
    points = [TimelinePoint(OPENING, 45, 0), TimelinePoint(dt.date(2026, 6, 1), 45, 40)]
    chart = hanoi_timeline(
        dt.date(2026, 6, 10), points=points, entry_into_force=dt.date(2026, 8, 30)
    )
    assert chart.entry_into_force_x == chart.right
    # The counts stop on the day shown, before it.
    assert chart.as_of_x < chart.entry_into_force_x
    assert chart.instruments.endswith(f"H{chart.as_of_x:g}")
    assert chart.threshold_y == next(t.position for t in chart.y_ticks if t.value == 40)


def test_a_day_before_the_opening_draws_an_empty_chart():
    chart = hanoi_timeline(dt.date(2025, 1, 1))
    assert chart.signatories == f"M{chart.left:g} {chart.bottom:g}H{chart.left:g}"
    assert len(chart.x_ticks) == 1
