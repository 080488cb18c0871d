"""The projection (ratifications/projection.py): the shipped data, worked examples, properties,
the timeline's hook and the back-test. No database."""

import datetime as dt
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ratifications import projection
from ratifications.projection import (
    MINIMUM_PEERS,
    Overlay,
    Reason,
    ReferenceClass,
    ReferenceTreaty,
    backtest,
    comparable,
    project,
    reference_treaties,
    timeline_overlay,
)
from ratifications.rules import Clauses, add_months

OPENED = dt.date(2025, 10, 25)
HANOI = Clauses(
    threshold=40,
    entry_into_force_days=90,
    later_entry_into_force_days=30,
    adopted_on=dt.date(2024, 12, 24),
    signature_opens_on=OPENED,
    signature_closes_on=dt.date(2026, 12, 31),
)
DAY = dt.timedelta(days=1)


def peer(key, days, curve, *, threshold=10, ref="") -> ReferenceTreaty:
    """A reference treaty opened on 1 January 2000 that reached `threshold` after `days`
    days, with `curve` as {months: instruments}."""
    opened = dt.date(2000, 1, 1)
    return ReferenceTreaty(
        key=key,
        name=f"Treaty {key}",
        depositary="UN SG",
        ref=ref,
        adopted="",
        opening=opened,
        opening_event="",
        threshold=threshold,
        threshold_label=str(threshold),
        eif_rule="",
        threshold_date=opened + dt.timedelta(days=days),
        threshold_batch="",
        eif_date=opened + dt.timedelta(days=days + 30),
        signatories_day1="",
        signatories_opening_event="",
        instruments_1y="",
        instruments_2y="",
        instruments_3y="",
        data_basis="",
        verified="",
        derived_or_memory="",
        sources="",
        notes="",
        curve=tuple((m, add_months(opened, m), n) for m, n in sorted(curve.items())),
    )


# The shipped data


def test_the_shipped_data_holds_twenty_treaties_each_with_its_sources():
    treaties = reference_treaties()
    assert len(treaties) == 20
    assert {"UNTOC", "BUDAPEST", "MALABO", "BBNJ", "OTTAWA"} <= {t.key for t in treaties}
    assert all(t.sources and t.verified for t in treaties)


def test_seventeen_treaties_have_a_quarterly_curve_and_are_compared():
    assert len(comparable()) == 17
    assert {t.key for t in reference_treaties()} - {t.key for t in comparable()} == {
        "BBNJ",
        "BUDAPEST",
        "MALABO",
    }


@pytest.mark.parametrize("treaty", comparable(), ids=lambda t: t.key)
def test_each_curve_stays_below_the_threshold_until_the_threshold_date(treaty):
    *before, last = treaty.points
    assert last == (treaty.days, treaty.threshold)
    assert all(count < treaty.threshold for _day, count in before)
    counts = [count for _day, count in treaty.points]
    assert counts == sorted(counts), "a curve never goes down before its threshold"
    assert treaty.reached(1.0) == treaty.days


def test_the_data_is_read_once_a_process():
    assert reference_treaties() is reference_treaties()


def test_the_readme_figures_hold_for_the_opening_to_threshold_days():
    # README "What the reference class says", 1: UNTOC 931, Firearms 1372, Ottawa 287 days.
    days = {t.key: t.days for t in reference_treaties()}
    assert (days["UNTOC"], days["UNTOC-FA"], days["OTTAWA"], days["MALABO"]) == (
        931,
        1372,
        287,
        3238,
    )


# The reference class


def test_the_family_is_the_chapter_of_the_treaty_collection():
    family = projection.reference_class(
        ReferenceClass.FAMILY, reference="XVIII-16", threshold=40, peers=comparable()
    )
    assert {t.key for t in family} == {
        "UNTOC",
        "UNTOC-TIP",
        "UNTOC-SOM",
        "UNTOC-FA",
        "UNCAC",
        "ICSFT",
        "NUCTERR",
        "ROME",
    }


def test_the_same_threshold_class_holds_the_treaties_that_needed_forty():
    same = projection.reference_class(
        ReferenceClass.THRESHOLD, reference="XVIII-16", threshold=40, peers=comparable()
    )
    assert {t.key for t in same} == {
        "UNTOC",
        "UNTOC-TIP",
        "UNTOC-SOM",
        "UNTOC-FA",
        "FCTC",
        "OTTAWA",
    }


def test_a_treaty_is_never_compared_with_itself_nor_its_protocols():
    # A protocol to UNTOC (XVIII-12-d) leaves out UNTOC and its three protocols.
    found = projection.reference_class(
        ReferenceClass.ALL, reference="XVIII-12-d", threshold=40, peers=comparable()
    )
    assert len(found) == 13
    assert not any(t.key.startswith("UNTOC") for t in found)


def test_a_treaty_without_a_chapter_has_no_family():
    result = project(HANOI, 0, dt.date(2026, 12, 2), kind=ReferenceClass.FAMILY)
    assert result.threshold_date is None
    assert result.why == Reason.NO_PEERS
    assert "No treaty in the reference data belongs to this class" in result.reason


# Worked examples


FIVE = [
    # Remaining time from 100 days with no instrument: 100, 200, 300, 400, 500.
    peer("A", 200, {0: 0, 3: 2, 6: 6}),
    peer("B", 300, {0: 0, 3: 0, 6: 4, 9: 8}),
    peer("C", 400, {0: 0, 3: 1, 6: 2, 9: 3, 12: 5}),
    peer("D", 500, {0: 0, 12: 2}),
    peer("E", 600, {0: 0, 12: 1}),
]


def test_with_no_instrument_each_peer_counts_from_the_same_age():
    as_of = OPENED + dt.timedelta(days=100)
    result = project(HANOI, 0, as_of, peers=FIVE)
    # Quartiles of 100, 200, 300, 400, 500 days: 200, 300, 400.
    assert result.threshold_date == projection.Range(
        as_of + 200 * DAY, as_of + 300 * DAY, as_of + 400 * DAY
    )
    assert result.entry_into_force == projection.Range(
        as_of + 290 * DAY, as_of + 390 * DAY, as_of + 490 * DAY
    )
    assert result.interval == 0.5
    assert result.reason is None


def test_a_peer_behind_at_that_age_counts_from_the_later_day_it_caught_up():
    # Half of 10 (5 instruments): A had 5 by day 91 + (5-2)/(6-2) * 91 = 159.25, after the
    # age of 100: it counts 200 - 159.25 = 40.75 days, not 100.
    a = FIVE[0]
    assert a.reached(0.5) == pytest.approx(91 + 0.75 * 91)
    as_of = OPENED + dt.timedelta(days=100)
    remaining = {p.key: days for p, days in projection._remaining(FIVE, 100, 20 / 40)}
    assert remaining["A"] == pytest.approx(a.days - a.reached(0.5))
    # E never had 5 before its threshold day: its curve jumps from 1 to 10 at day 600.
    assert remaining["E"] == pytest.approx(600 - E_REACHED_HALF)
    assert project(HANOI, 20, as_of, peers=FIVE).threshold_date.median < (
        project(HANOI, 0, as_of, peers=FIVE).threshold_date.median
    )


E_REACHED_HALF = 366 + (600 - 366) * (5 - 1) / (10 - 1)


def test_a_peer_that_had_reached_its_threshold_at_that_age_is_left_out():
    as_of = OPENED + dt.timedelta(days=250)
    result = project(HANOI, 0, as_of, peers=FIVE)
    assert [p.key for p in result.reference_treaties] == ["B", "C", "D", "E"]
    assert result.threshold_date is None
    assert result.why == Reason.TOO_FEW
    assert "only 4 had not reached their threshold 250 days after opening" in result.reason
    assert f"at least {MINIMUM_PEERS} are needed" in result.reason


def test_older_than_every_peer_it_says_so():
    result = project(HANOI, 0, OPENED + dt.timedelta(days=700), peers=FIVE)
    assert result.threshold_date is None and result.entry_into_force is None
    assert result.reason.startswith("All 5 comparable treaties had reached their threshold")


def test_before_the_treaty_opens_there_is_nothing_to_compare():
    result = project(HANOI, 0, OPENED - DAY)
    assert result.why == Reason.NOT_OPEN
    assert result.threshold_date is None
    assert "not yet open for signature" in result.reason


def test_once_the_threshold_is_reached_the_real_dates_replace_it():
    result = project(HANOI, 41, dt.date(2027, 3, 1), threshold_reached_on=dt.date(2027, 2, 1))
    day, force = dt.date(2027, 2, 1), dt.date(2027, 5, 2)
    assert result.reached
    assert result.threshold_date == projection.Range(day, day, day)
    assert result.entry_into_force == projection.Range(force, force, force)
    assert result.interval is None and result.reason is None
    assert result.as_json()["reference_treaties"] == []


def test_the_hanoi_convention_today_with_no_instrument_answers_from_its_peers_at_that_age():
    """The shipped status, thirteen months after opening: 14 of the 17 had not reached their
    threshold at 403 days (Ottawa, Paris and the CRPD had)."""
    result = project(HANOI, 0, dt.date(2026, 12, 2), reference="XVIII-16")
    assert len(result.reference_treaties) == 14
    assert {"OTTAWA", "PARIS", "CRPD"}.isdisjoint(p.key for p in result.reference_treaties)
    assert result.threshold_date == projection.Range(
        dt.date(2027, 7, 22), dt.date(2028, 6, 26), dt.date(2029, 4, 16)
    )
    assert result.entry_into_force == projection.Range(
        dt.date(2027, 10, 20), dt.date(2028, 9, 24), dt.date(2029, 7, 15)
    )


def test_the_api_document_has_the_contract_fields():
    document = project(HANOI, 0, dt.date(2026, 12, 2), reference="XVIII-16").as_json()
    assert set(document) >= {
        "as_of",
        "instruments_counted",
        "threshold",
        "method",
        "reference_treaties",
        "threshold_date",
        "entry_into_force",
        "interval",
        "reason",
    }
    assert document["threshold_date"] == {
        "low": "2027-07-22",
        "median": "2028-06-26",
        "high": "2029-04-16",
    }
    assert document["reference_treaties"][0] == {
        "key": "UNTOC",
        "name": "UN Convention against Transnational Organized Crime",
    }
    assert " will " not in document["method"]


# Properties


ages = st.integers(min_value=0, max_value=1500)
counts = st.integers(min_value=0, max_value=39)


@given(age=ages, counted=counts)
def test_low_is_never_after_the_median_nor_the_median_after_high(age, counted):
    result = project(HANOI, counted, OPENED + dt.timedelta(days=age), reference="XVIII-16")
    for found in (result.threshold_date, result.entry_into_force):
        if found:
            assert found.low <= found.median <= found.high
    if result.threshold_date:
        assert result.threshold_date.low > result.as_of, "not reached on the day itself"


@given(age=ages, fewer=counts, more=counts)
def test_more_instruments_never_move_the_median_later(age, fewer, more):
    fewer, more = sorted((fewer, more))
    as_of = OPENED + dt.timedelta(days=age)
    slow = project(HANOI, fewer, as_of, reference="XVIII-16")
    fast = project(HANOI, more, as_of, reference="XVIII-16")
    # The treaties compared depend on the age only: both have a range or neither.
    assert (slow.threshold_date is None) == (fast.threshold_date is None)
    if slow.threshold_date:
        assert fast.threshold_date.median <= slow.threshold_date.median
        assert fast.threshold_date.high <= slow.threshold_date.high


@given(age=ages, counted=counts, days=st.integers(min_value=1, max_value=365))
def test_entry_into_force_follows_the_treatys_own_clauses(age, counted, days):
    clauses = Clauses(
        threshold=40,
        entry_into_force_days=days,
        later_entry_into_force_days=30,
        signature_opens_on=OPENED,
    )
    result = project(clauses, counted, OPENED + dt.timedelta(days=age))
    if result.threshold_date:
        for q in ("low", "median", "high"):
            assert getattr(result.entry_into_force, q) == getattr(
                result.threshold_date, q
            ) + dt.timedelta(days=days)


@given(
    reached=st.dates(min_value=OPENED, max_value=dt.date(2030, 1, 1)),
    later=st.integers(min_value=0, max_value=2000),
    counted=st.integers(min_value=40, max_value=120),
)
def test_once_reached_low_median_and_high_are_the_real_dates(reached, later, counted):
    result = project(
        HANOI, counted, reached + dt.timedelta(days=later), threshold_reached_on=reached
    )
    real = reached + dt.timedelta(days=90)
    assert (result.threshold_date.low, result.threshold_date.high) == (reached, reached)
    assert result.entry_into_force.median == real == result.entry_into_force.low


def test_the_projection_costs_well_under_a_millisecond():
    """The dashboard renders in about 10 ms: the projection must not weigh on it, even
    when it is not in the per-process cache."""
    runs = 200
    start = time.perf_counter()
    for n in range(runs):
        projection._project.cache_clear()
        project(HANOI, n % 40, dt.date(2026, 12, 2), reference="XVIII-16")
    assert (time.perf_counter() - start) / runs < 0.001


# The timeline's hook


def test_the_timeline_gets_the_band_and_the_peers_curves_scaled_to_this_treaty():
    result = project(HANOI, 0, dt.date(2026, 12, 2), reference="XVIII-16")
    overlay = timeline_overlay(result, HANOI)
    assert overlay.threshold_date == result.threshold_date
    assert overlay.entry_into_force == result.entry_into_force
    assert len(overlay.curves) == 17
    ottawa = next(curve for curve in overlay.curves if curve.key == "OTTAWA")
    # Opened 3 Dec 1997 with 3 instruments of 40; its 40th after 287 days.
    assert ottawa.points[0] == (OPENED, 3.0)
    assert ottawa.points[-1] == (OPENED + dt.timedelta(days=287), 40.0)
    cluster = next(curve for curve in overlay.curves if curve.key == "CCM")
    # 24 of its 30 at one year: 32 of this treaty's 40.
    assert (OPENED + dt.timedelta(days=365), 32.0) in cluster.points
    assert all(count <= 40 for curve in overlay.curves for _day, count in curve.points)


def test_the_timeline_gets_neither_band_nor_curves_once_the_real_dates_are_known():
    result = project(HANOI, 40, dt.date(2027, 3, 1), threshold_reached_on=dt.date(2027, 2, 1))
    assert timeline_overlay(result, HANOI) == Overlay(None, None, ())


# The back-test


def test_the_back_test_holds_the_stated_coverage_within_fifteen_points():
    result = backtest()
    assert len(result.judged) == 40
    assert result.inside == 19
    assert abs(result.coverage - projection.INTERVAL) <= 0.15
    assert result.acceptable


def test_the_back_test_never_compares_a_treaty_with_itself_or_its_protocols():
    for trial in backtest().trials:
        used = {p.number for p in trial.projection.candidates}
        assert trial.treaty.number not in used


def test_the_back_test_asks_at_six_twelve_and_twenty_four_months_while_not_reached():
    result = backtest()
    untoc = [t for t in result.trials if t.treaty.key == "UNTOC"]
    assert [(t.months, t.counted) for t in untoc] == [(6, 1), (12, 6), (24, 28)]
    assert (next(t for t in comparable() if t.key == "OTTAWA"), 12) in result.already_reached


def test_the_narrower_classes_cover_far_less_often_than_they_claim():
    """Why the rule is all comparable treaties (docs/projection.md)."""
    assert backtest(ReferenceClass.THRESHOLD).coverage == 0
    assert len(backtest(ReferenceClass.FAMILY).judged) == 10
