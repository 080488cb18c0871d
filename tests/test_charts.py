"""The timeline's geometry (ratifications/charts.py): scales, ticks, step paths."""

import datetime as dt
import itertools
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format
from hypothesis import given
from hypothesis import strategies as st

from ratifications import charts
from ratifications.charts import Band, Scale, count_ticks, month_ticks, step_path
from ratifications.rules import TimelinePoint, today_in_new_york

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


TODAY = dt.date(2026, 12, 2)
CLOSES = dt.date(2026, 12, 31)
HANOI = [
    TimelinePoint(OPENING, 69, 0),
    TimelinePoint(dt.date(2025, 10, 26), 72, 0),
    TimelinePoint(dt.date(2025, 11, 19), 73, 0),
]


def hanoi_timeline(as_of=TODAY, points=HANOI, today=TODAY, **clauses):
    clauses = {"threshold": 40, "entry_into_force": None, "signature_closes": CLOSES} | clauses
    points = [p for p in points if p.date <= as_of]
    return charts.timeline(points, start=OPENING, as_of=as_of, today=today, **clauses)


def y_values(path: str) -> list[float]:
    """The heights a step path goes through (its M and V commands)."""
    return [float(v) for v in re.findall(r"(?:^M[\d.]+ |V)([\d.]+)", path)]


def test_instruments_are_counted_against_the_threshold_on_their_own_scale():
    chart = hanoi_timeline()
    panel = chart.instruments
    # 0 to 40, the threshold at the top: not 0 to 80 to make room for 73 signatories.
    assert [tick.value for tick in panel.ticks] == [0, 10, 20, 30, 40]
    assert panel.ticks[0].position == panel.bottom
    assert chart.threshold_y == panel.ticks[-1].position == panel.top
    assert chart.threshold == f"M0 {panel.top:g}H{chart.span}"
    # No instrument yet: a flat line along the panel's bottom.
    assert set(y_values(panel.path)) == {panel.bottom}


def test_signatories_are_a_smaller_panel_below_on_their_own_scale():
    chart = hanoi_timeline()
    panel = chart.signatories
    assert panel.top > chart.instruments.bottom
    assert panel.bottom - panel.top < chart.instruments.bottom - chart.instruments.top
    assert [tick.value for tick in panel.ticks] == [0, 50, 100]
    # From zero on the opening day to 69 that day, 72, then 73.
    steps = y_values(panel.path)
    assert steps[0] == panel.bottom
    assert steps[1:] == sorted(steps[1:], reverse=True)
    assert len(steps) == 4


def test_passing_the_threshold_extends_the_scale_above_it():
    points = [*HANOI, TimelinePoint(dt.date(2026, 6, 1), 80, 45)]
    chart = hanoi_timeline(points=points, entry_into_force=dt.date(2026, 8, 30))
    assert [tick.value for tick in chart.instruments.ticks] == [0, 20, 40, 60]
    assert chart.threshold_y == next(t.position for t in chart.instruments.ticks if t.value == 40)
    assert min(y_values(chart.instruments.path)) < chart.threshold_y


def test_the_series_run_from_the_opening_to_the_day_shown_and_the_chart_to_the_close():
    chart = hanoi_timeline(as_of=dt.date(2026, 3, 1))
    assert (chart.start, chart.end) == (OPENING, CLOSES)
    for panel in (chart.instruments, chart.signatories):
        assert panel.path.startswith(f"M0 {panel.bottom:g}")
    # The counts hold until the day shown, a little over a third of the way.
    end = float(chart.signatories.path.rsplit("H", 1)[1])
    assert end == round((dt.date(2026, 3, 1) - OPENING).days / (CLOSES - OPENING).days * 1000, 1)


def test_an_earlier_day_draws_fewer_steps():
    assert hanoi_timeline(dt.date(2025, 10, 25)).signatories.path.count("V") == 1
    assert hanoi_timeline().signatories.path.count("V") == 3


def test_today_and_the_close_of_signature_are_marked():
    chart = hanoi_timeline()
    assert [(mark.kind, mark.day) for mark in chart.marks] == [
        ("today", TODAY),
        ("signature-closes", CLOSES),
    ]
    today, closes = chart.marks
    assert closes.x == chart.right
    assert chart.left < today.x < closes.x
    # Each label on its own row, the later one on top; both run left, toward the middle.
    assert closes.label_y < today.label_y
    assert (today.runs, today.dx, closes.runs) == ("left", -charts.NUDGE, "left")
    # The lines run from under their labels to the bottom of the signatories.
    assert today.path.endswith(f"V{chart.signatories.bottom:g}")
    fraction = (TODAY - OPENING).days / (CLOSES - OPENING).days
    assert today.path.startswith(f"M{round(fraction * 1000, 1):g} ")


def test_a_past_day_is_marked_as_the_day_shown_and_today_is_not():
    chart = hanoi_timeline(as_of=dt.date(2025, 10, 26))
    assert [mark.kind for mark in chart.marks] == ["as-of", "signature-closes"]
    shown = chart.marks[0]
    # Near the left edge: its label runs right.
    assert (shown.runs, shown.dx) == ("right", charts.NUDGE)


def test_a_day_to_come_is_marked_beside_today():
    chart = hanoi_timeline(as_of=dt.date(2026, 12, 20), today=dt.date(2026, 12, 1))
    assert [mark.kind for mark in chart.marks] == ["today", "as-of", "signature-closes"]


def test_entry_into_force_is_marked_and_stretches_the_chart_to_it():
    points = [*HANOI, TimelinePoint(dt.date(2026, 6, 1), 80, 40)]
    chart = hanoi_timeline(
        as_of=dt.date(2026, 12, 20), points=points, entry_into_force=dt.date(2027, 3, 1)
    )
    assert chart.end == dt.date(2027, 3, 1)
    eif = next(mark for mark in chart.marks if mark.kind == "entry-into-force")
    assert eif.x == chart.right
    # The counts stop on the day shown, before it.
    assert float(chart.instruments.path.rsplit("H", 1)[1]) < 1000


def test_a_band_is_placed_between_its_dates_and_stretches_the_chart():
    band = Band(dt.date(2027, 1, 15), dt.date(2027, 6, 30), "projected-entry-into-force")
    chart = hanoi_timeline(bands=[band])
    assert chart.end == band.end
    (placed,) = chart.bands
    x, top, width, height = placed.rect
    span = (band.end - OPENING).days
    assert x == round((band.start - OPENING).days / span * 1000, 1)
    assert x + width == pytest.approx(1000, abs=0.1)
    assert top + height == chart.signatories.bottom
    assert (placed.kind, placed.day, placed.end) == (band.kind, band.start, band.end)
    # Its label has a row of its own, like the marks'.
    rows = [mark.label_y for mark in chart.marks] + [placed.label_y]
    assert len(set(rows)) == len(rows)


def test_comparable_treaties_are_drawn_behind_on_the_instruments_scale_as_far_as_the_chart():
    quick = [(OPENING, 0), (dt.date(2026, 4, 25), 20), (dt.date(2026, 10, 25), 40)]
    slow = [(OPENING, 0), (dt.date(2026, 10, 25), 10), (dt.date(2028, 10, 25), 40)]
    chart = hanoi_timeline(references=[quick, slow])
    paths = re.findall(r"M[^M]+", chart.references)
    assert len(paths) == 2
    heights = [float(y) for y in re.findall(r" ([\d.]+)(?:L|$)", paths[0])]
    # 0 on the baseline, 40 (the threshold) on its line, 20 halfway.
    assert heights == [
        chart.instruments.bottom,
        pytest.approx((chart.instruments.bottom + chart.threshold_y) / 2, abs=0.1),
        chart.threshold_y,
    ]
    # The slow one stops where the chart does (the close of signature): two points of three.
    assert paths[1].count("L") == 1
    assert hanoi_timeline().references == ""


@given(
    st.lists(st.dates(min_value=OPENING, max_value=dt.date(2030, 12, 31)), min_size=3, max_size=3)
)
def test_every_label_has_a_row_and_runs_toward_the_middle(days):
    as_of, eif, closes = sorted(days)
    chart = hanoi_timeline(as_of=as_of, today=as_of, entry_into_force=eif, signature_closes=closes)
    rows = [mark.label_y for mark in chart.marks]
    assert len(set(rows)) == len(rows) == 3
    assert max(rows) < chart.instruments.title_y - charts.TITLE + charts.ROW
    middle = (chart.left + chart.right) / 2
    for mark in chart.marks:
        assert chart.left <= mark.x <= chart.right
        assert mark.runs == ("right" if mark.x < middle else "left") or abs(mark.x - middle) < 0.2
    assert chart.marks == sorted(chart.marks, key=lambda mark: mark.day)


def test_a_day_before_the_opening_starts_the_chart_there_with_nothing_drawn():
    chart = hanoi_timeline(as_of=dt.date(2025, 1, 1), today=dt.date(2025, 1, 1))
    assert chart.start == dt.date(2025, 1, 1)
    assert chart.signatories.path == f"M0 {chart.signatories.bottom:g}H0"
    assert chart.marks[0].x == chart.left


# The partial (templates/ratifications/_timeline.html), as the dashboard renders it


def timeline_section(client, language):
    page = client.get("/", headers={"Accept-Language": language}).content.decode()
    start = page.index('<section id="timeline"')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "opening", "closes"),
    [
        ("en", "25 October 2025", "31 December 2026"),
        ("fr", "25 octobre 2025", "31 décembre 2026"),
        ("zh-hans", "2025年10月25日", "2026年12月31日"),
        ("ar", "25 تشرين الأول/أكتوبر 2025", "31 كانون الأول/ديسمبر 2026"),
    ],
)
def test_the_timeline_writes_dates_as_its_language_does(
    client, defaults, language, opening, closes
):
    section = timeline_section(client, language)
    with translation.override(language):
        today = date_format(today_in_new_york(), "DATE_FORMAT")
    # The summary for screen readers, the marks' dates under the chart, the table.
    desc = re.search(r'<desc id="timeline-desc">(.*?)</desc>', section, re.S).group(1)
    assert opening in desc
    assert closes in desc
    caption = re.search(r"<figcaption>(.*?)</figcaption>", section, re.S).group(1)
    assert today in caption and closes in caption
    assert f'<time datetime="2025-10-25">{opening}</time>' in section


def test_the_timeline_writes_its_coordinates_without_a_decimal_comma(client, defaults):
    section = timeline_section(client, "fr")
    numbers = re.findall(r'\b(?:x|y|dx|width|height|d|viewBox)="([^"]*)"', section)
    assert numbers and not [value for value in numbers if re.search(r"\d,\d", value)]


def test_the_timeline_has_no_script_and_no_inline_style(client, defaults):
    section = timeline_section(client, "en")
    assert "<script" not in section
    assert "style=" not in section
    assert "<style" not in section
