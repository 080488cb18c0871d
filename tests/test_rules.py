"""The rules engine: DOMAIN.md's worked examples, its rules 1-5, properties, real treaties."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratifications.rules import (
    Act,
    ActionKind,
    Clauses,
    NotCounted,
    SignaturePhase,
    add_months,
    check_action,
    compute_status,
    is_party_on,
    today_in_new_york,
)

D = dt.date
HANOI = Clauses(
    threshold=40,
    entry_into_force_days=90,
    later_entry_into_force_days=30,
    later_whichever_is_later=True,
    reio_instruments_count=False,
    adopted_on=D(2024, 12, 24),
    signature_opens_on=D(2025, 10, 25),
    signature_closes_on=D(2026, 12, 31),
)
SIG = ActionKind.SIGNATURE
RAT = ActionKind.RATIFICATION
ACC = ActionKind.ACCESSION
DEN = ActionKind.DENUNCIATION
LATER = D(2030, 1, 1)


def ratified(n: int, on: D, prefix: str = "S") -> list[Act]:
    """n States, each signing at Hanoi and ratifying on `on`."""
    acts = []
    for i in range(n):
        acts += [Act(f"{prefix}{i:03}", SIG, D(2025, 10, 25)), Act(f"{prefix}{i:03}", RAT, on)]
    return acts


def row(status, participant):
    return next(p for p in status.participants if p.participant == participant)


# -- DOMAIN.md worked examples ------------------------------------------------


def test_the_fortieth_instrument_on_1_june_2026_brings_entry_into_force_on_30_august():
    acts = ratified(39, D(2026, 3, 1)) + [Act("LAST", ACC, D(2026, 6, 1))]
    status = compute_status(HANOI, acts, LATER)
    assert status.threshold_reached_on == D(2026, 6, 1)
    assert status.entry_into_force == D(2026, 8, 30)
    assert status.instruments_counted == 40
    assert status.remaining == 0
    assert status.in_force


@pytest.mark.parametrize(
    ("deposit", "in_force_for_it"),
    [
        # Ten days before the treaty's entry into force: deposit + 30.
        (D(2026, 8, 20), D(2026, 9, 19)),
        # Soon after the 40th: the treaty's own date is later.
        (D(2026, 6, 15), D(2026, 8, 30)),
        # On the same day as the 40th: part of the threshold batch.
        (D(2026, 6, 1), D(2026, 8, 30)),
    ],
)
def test_a_later_instrument_enters_into_force_after_30_days_or_with_the_treaty(
    deposit, in_force_for_it
):
    acts = ratified(39, D(2026, 3, 1)) + [
        Act("FORTIETH", ACC, D(2026, 6, 1)),
        Act("LATE", ACC, deposit),
    ]
    status = compute_status(HANOI, acts, LATER)
    assert row(status, "LATE").entry_into_force == in_force_for_it


def test_the_eus_instrument_as_fortieth_overall_changes_nothing():
    acts = ratified(39, D(2026, 3, 1)) + [
        Act("EUU", SIG, D(2025, 10, 25), reio=True),
        Act("EUU", ActionKind.FORMAL_CONFIRMATION, D(2026, 6, 1), reio=True),
    ]
    status = compute_status(HANOI, acts, LATER)
    assert status.instruments_counted == 39
    assert status.threshold_reached_on is None
    assert status.entry_into_force is None
    eu = row(status, "EUU")
    assert eu.party
    assert not eu.counts_toward_threshold
    assert eu.not_counted == NotCounted.REIO


def test_eight_states_depositing_on_one_day_reach_the_threshold_together():
    batch_day = D(2026, 5, 5)
    acts = ratified(37, D(2026, 3, 1)) + ratified(8, batch_day, prefix="B")
    status = compute_status(HANOI, acts, LATER)
    assert status.instruments_counted == 45
    assert status.threshold_reached_on == batch_day
    assert status.entry_into_force == batch_day + dt.timedelta(days=90)
    batch = [p for p in status.participants if p.participant.startswith("B")]
    assert len(batch) == 8
    assert {p.entry_into_force for p in batch} == {status.entry_into_force}


def test_a_denunciation_received_on_29_february_takes_effect_on_28_february_a_year_later():
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)


# -- Status as of a date ------------------------------------------------------


def test_status_uses_only_actions_on_or_before_the_date():
    acts = [
        Act("A", SIG, D(2025, 10, 25)),
        Act("B", SIG, D(2025, 10, 26)),
        Act("A", RAT, D(2026, 1, 5)),
    ]
    assert compute_status(HANOI, acts, D(2025, 10, 25)).signatories == 1
    on_26 = compute_status(HANOI, acts, D(2025, 10, 26))
    assert (on_26.signatories, on_26.instruments_counted) == (2, 0)
    on_jan_5 = compute_status(HANOI, acts, D(2026, 1, 5))
    assert (on_jan_5.instruments_counted, on_jan_5.parties, on_jan_5.remaining) == (1, 1, 39)


def test_entry_into_force_is_counted_down_from_the_date_asked():
    acts = ratified(40, D(2026, 6, 1))
    before = compute_status(HANOI, acts, D(2026, 8, 1))
    assert (before.in_force, before.days_until_entry_into_force) == (False, 29)
    on_the_day = compute_status(HANOI, acts, D(2026, 8, 30))
    assert (on_the_day.in_force, on_the_day.days_until_entry_into_force) == (True, 0)


def test_signature_countdown_runs_to_the_closing_day_then_stops():
    assert compute_status(HANOI, [], D(2026, 11, 28)).days_until_signature_closes == 33
    assert compute_status(HANOI, [], D(2026, 12, 31)).days_until_signature_closes == 0
    after = compute_status(HANOI, [], D(2027, 1, 1))
    assert (after.signature_open, after.days_until_signature_closes) == (False, None)


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (D(2025, 10, 24), SignaturePhase.NOT_YET_OPEN),
        (D(2025, 10, 25), SignaturePhase.OPEN),
        (D(2026, 12, 31), SignaturePhase.OPEN),
        (D(2027, 1, 1), SignaturePhase.CLOSED),
    ],
)
def test_the_signature_is_open_from_the_opening_day_to_the_closing_day_both_included(day, phase):
    assert HANOI.signature_phase(day) == phase
    assert compute_status(HANOI, [], day).signature_phase == phase


def test_a_treaty_with_no_signature_dates_is_always_open_for_signature():
    clauses = Clauses(threshold=2, entry_into_force_days=30, later_entry_into_force_days=30)
    assert clauses.signature_phase(D(1990, 1, 1)) == SignaturePhase.OPEN
    assert compute_status(clauses, [], D(2030, 1, 1)).days_until_signature_closes is None


def test_a_signatory_without_an_instrument_does_not_count_and_says_why():
    status = compute_status(HANOI, [Act("A", SIG, D(2025, 10, 25))], LATER)
    a = row(status, "A")
    assert (a.party, a.counts_toward_threshold, a.not_counted) == (
        False,
        False,
        NotCounted.NO_INSTRUMENT,
    )


def test_a_denouncing_state_stays_a_party_until_the_denunciation_takes_effect():
    acts = ratified(40, D(2026, 6, 1)) + [Act("S000", DEN, D(2028, 2, 29))]
    still = compute_status(HANOI, acts, D(2029, 2, 27))
    assert row(still, "S000").party
    assert still.instruments_counted == 40
    gone = compute_status(HANOI, acts, D(2029, 2, 28))
    s000 = row(gone, "S000")
    assert (s000.party, s000.not_counted, s000.denunciation_effective) == (
        False,
        NotCounted.DENOUNCED,
        D(2029, 2, 28),
    )
    assert gone.instruments_counted == 39
    # Entry into force, once reached, does not move.
    assert gone.in_force and gone.entry_into_force == D(2026, 8, 30)


def test_a_state_may_accede_again_after_its_denunciation_took_effect():
    acts = ratified(40, D(2026, 6, 1)) + [
        Act("S000", DEN, D(2027, 1, 10)),
        Act("S000", ACC, D(2028, 3, 1)),
    ]
    status = compute_status(HANOI, acts, LATER)
    s000 = row(status, "S000")
    assert (s000.party, s000.consent_type, s000.consent) == (True, ACC, D(2028, 3, 1))
    assert s000.entry_into_force == D(2028, 3, 31)
    assert s000.denunciation_received is None
    assert status.instruments_counted == 40


def test_a_second_instrument_while_one_is_in_force_neither_counts_nor_replaces_it():
    # The rules refuse it; were it recorded all the same (two verifications at
    # once), the status would still count the State once, by its first instrument.
    acts = [
        Act("A", SIG, D(2025, 10, 25)),
        Act("A", RAT, D(2026, 1, 5)),
        Act("A", ACC, D(2026, 2, 5)),
    ]
    status = compute_status(HANOI, acts, LATER)
    assert status.instruments_counted == 1
    assert (row(status, "A").consent_type, row(status, "A").consent) == (RAT, D(2026, 1, 5))
    assert [p.instruments_counted for p in status.timeline] == [0, 1]


NO_WHICHEVER = Clauses(
    threshold=2,
    entry_into_force_days=90,
    later_entry_into_force_days=30,
    later_whichever_is_later=False,
)


@pytest.mark.parametrize(
    ("deposit", "in_force_for_it"),
    [
        # After the threshold but before the treaty is in force (2026-04-02): its own
        # 30 days would end on 2026-02-02, when the treaty is not yet in force at all.
        (D(2026, 1, 3), D(2026, 4, 2)),
        (D(2026, 3, 3), D(2026, 4, 2)),
        # Its own 30 days end after the treaty's date: those.
        (D(2026, 3, 10), D(2026, 4, 9)),
        (D(2026, 6, 1), D(2026, 7, 1)),
    ],
)
def test_without_the_whichever_is_later_words_a_state_is_never_bound_before_the_treaty(
    deposit, in_force_for_it
):
    acts = [
        Act("A", ACC, D(2026, 1, 1)),
        Act("B", ACC, D(2026, 1, 2)),
        Act("C", ACC, deposit),
    ]
    status = compute_status(NO_WHICHEVER, acts, LATER)
    assert status.entry_into_force == D(2026, 4, 2)
    assert row(status, "C").entry_into_force == in_force_for_it


@pytest.mark.parametrize(
    ("threshold_on", "denounced", "as_of", "in_force_for_it"),
    [
        # Ratified 2026-01-05, denounced 2026-01-06: effective 2027-01-06, before the
        # treaty's entry into force (2027-08-30). It was never bound.
        (D(2027, 6, 1), D(2026, 1, 6), LATER, None),
        # Still a party on 2026-12-01, but its denunciation takes effect on 2027-01-20,
        # before the treaty's 2027-01-30: it never will be bound.
        (D(2026, 11, 1), D(2026, 1, 20), D(2026, 12, 1), None),
        # Effective 2027-08-30, the treaty's very day: never bound either.
        (D(2027, 6, 1), D(2026, 8, 30), LATER, None),
        # Effective 2027-08-31, the day after: bound for one day, and that date stays.
        (D(2027, 6, 1), D(2026, 8, 31), LATER, D(2027, 8, 30)),
    ],
)
def test_a_state_whose_denunciation_takes_effect_before_the_treaty_has_no_entry_into_force(
    threshold_on, denounced, as_of, in_force_for_it
):
    acts = [
        *ratified(40, threshold_on),
        Act("EARLY", SIG, D(2025, 10, 25)),
        Act("EARLY", RAT, D(2026, 1, 5)),
        Act("EARLY", DEN, denounced),
    ]
    status = compute_status(HANOI, acts, as_of)
    assert status.entry_into_force == threshold_on + dt.timedelta(days=90)
    early = row(status, "EARLY")
    assert early.entry_into_force == in_force_for_it
    assert early.denunciation_received == denounced


def test_a_treaty_where_organizations_count_counts_their_instrument():
    clauses = Clauses(
        threshold=2,
        entry_into_force_days=90,
        later_entry_into_force_days=90,
        reio_instruments_count=True,
    )
    acts = [
        Act("A", ACC, D(2026, 1, 1)),
        Act("EUU", ActionKind.FORMAL_CONFIRMATION, D(2026, 1, 2), reio=True),
    ]
    assert compute_status(clauses, acts, LATER).threshold_reached_on == D(2026, 1, 2)


def test_new_york_today_is_the_new_york_calendar_date_not_the_servers():
    late_evening_in_new_york = dt.datetime(2026, 11, 28, 3, 30, tzinfo=dt.UTC)
    assert today_in_new_york(late_evening_in_new_york) == D(2026, 11, 27)
    assert today_in_new_york(dt.datetime(2026, 11, 28, 5, 30, tzinfo=dt.UTC)) == D(2026, 11, 28)


# -- Rules 1-5 ----------------------------------------------------------------

TODAY = D(2026, 12, 31)
SIGNED = [Act("A", SIG, D(2025, 10, 25))]


def problems(candidate, history=(), **kwargs):
    kwargs.setdefault("today", TODAY)
    return [(p.field, p.message) for p in check_action(HANOI, candidate, list(history), **kwargs)]


@pytest.mark.parametrize(
    ("candidate", "history", "field", "words"),
    [
        # Rule 1: one signature, inside the window.
        (Act("A", SIG, D(2025, 11, 1)), SIGNED, "kind", "already signed"),
        (Act("A", SIG, D(2025, 10, 24)), [], "date", "open for signature"),
        (Act("A", SIG, D(2027, 1, 1)), [], "date", "open for signature"),
        # Rule 2: ratification, acceptance, approval need an earlier signature.
        (Act("A", RAT, D(2026, 1, 1)), [], "kind", "has not signed"),
        (
            Act("A", ActionKind.ACCEPTANCE, D(2026, 1, 1)),
            [Act("A", SIG, D(2026, 2, 1))],
            "date",
            "after this date",
        ),
        (Act("A", ActionKind.FORMAL_CONFIRMATION, D(2026, 1, 1)), SIGNED, "kind", "organizations"),
        # Rule 2: one instrument in force at a time.
        (
            Act("A", ACC, D(2026, 3, 1)),
            [*SIGNED, Act("A", RAT, D(2026, 1, 1))],
            "kind",
            "already a party",
        ),
        (
            Act("A", RAT, D(2026, 1, 1)),
            [*SIGNED, Act("A", ACC, D(2026, 3, 1))],
            "kind",
            "still be in force",
        ),
        (Act("A", DEN, D(2026, 3, 1)), SIGNED, "kind", "Only a party"),
        # Rule 4: no date before adoption or after today in New York.
        (Act("A", ACC, D(2024, 12, 23)), [], "date", "adopted"),
        (Act("A", ACC, D(2027, 1, 1)), [], "date", "future"),
    ],
)
def test_an_action_breaking_a_rule_is_refused_on_the_right_field(candidate, history, field, words):
    found = problems(candidate, history)
    assert any(f == field and words in message for f, message in found), found


@pytest.mark.parametrize(
    ("candidate", "history"),
    [
        (Act("A", SIG, D(2025, 10, 25)), []),
        (Act("A", SIG, D(2026, 12, 31)), []),
        (Act("A", RAT, D(2025, 10, 25)), SIGNED),  # same-day signature is enough
        (Act("A", ACC, D(2026, 1, 1)), []),  # accession needs no signature
        (Act("A", ActionKind.SUCCESSION, D(2026, 1, 1)), []),
        (Act("A", DEN, D(2026, 5, 1)), [*SIGNED, Act("A", RAT, D(2026, 1, 1))]),
        # After the denunciation took effect, the State may accede again.
        (
            Act("A", ACC, D(2026, 3, 1)),
            [Act("A", ACC, D(2025, 1, 1)), Act("A", DEN, D(2025, 2, 1))],
        ),
        (Act("A", ACC, TODAY), []),
    ],
)
def test_an_action_within_the_rules_passes(candidate, history):
    assert problems(candidate, history) == []


def pending(act: Act) -> Act:
    return Act(act.participant, act.kind, act.date, act.reio, pending=True)


@pytest.mark.parametrize(
    ("candidate", "history", "message"),
    [
        (
            Act("A", SIG, D(2025, 11, 1)),
            [pending(SIGNED[0])],
            "This participant's signature of 25 October 2025 is pending verification; "
            "there is one signature.",
        ),
        (
            Act("A", ACC, D(2026, 3, 1)),
            [*SIGNED, pending(Act("A", RAT, D(2026, 1, 1)))],
            "This participant's ratification of 1 January 2026 is pending verification; "
            "a second instrument needs a denunciation that has taken effect first.",
        ),
        (
            Act("A", RAT, D(2026, 1, 1)),
            [*SIGNED, pending(Act("A", ACC, D(2026, 3, 1)))],
            "This participant's accession of 1 March 2026, pending verification, would be "
            "deposited while this one is still in force.",
        ),
        (
            Act("A", DEN, D(2026, 7, 1)),
            [Act("A", ACC, D(2026, 1, 1)), pending(Act("A", DEN, D(2026, 5, 1)))],
            "This participant's denunciation of 1 May 2026 is pending verification; "
            "there is one denunciation.",
        ),
        (
            Act("A", RAT, D(2026, 1, 1)),
            [pending(Act("A", SIG, D(2026, 2, 1)))],
            "A ratification needs an earlier signature, but this participant's signature, "
            "pending verification, is of 1 February 2026, after this date.",
        ),
    ],
)
def test_a_rule_broken_against_a_pending_submission_says_it_is_pending(candidate, history, message):
    # A signature after the instrument: its date is what is wrong (shown on Date).
    field = "date" if "after this date" in message else "kind"
    assert problems(candidate, history) == [(field, message)]


def test_accession_while_a_denunciation_is_still_running_is_refused():
    history = [Act("A", ACC, D(2025, 1, 1)), Act("A", DEN, D(2025, 6, 1))]
    assert problems(Act("A", ACC, D(2026, 5, 31)), history)
    assert problems(Act("A", ACC, D(2026, 6, 1)), history) == []


def test_a_second_denunciation_is_refused():
    history = [Act("A", ACC, D(2025, 1, 1)), Act("A", DEN, D(2025, 6, 1))]
    assert any("already recorded" in m for _, m in problems(Act("A", DEN, D(2025, 7, 1)), history))


def test_an_organization_signs_only_after_one_of_its_member_states():
    eu_signs = Act("EUU", SIG, D(2025, 10, 25), reio=True)
    assert any("member States" in m for _, m in problems(eu_signs, members=[]))
    assert problems(eu_signs, members=[Act("FRA", SIG, D(2025, 10, 25))]) == []
    assert problems(eu_signs, members=[Act("FRA", SIG, D(2025, 10, 26))])


def test_an_organization_deposits_only_after_one_of_its_member_states():
    eu = Act("EUU", ActionKind.FORMAL_CONFIRMATION, D(2026, 6, 1), reio=True)
    history = [Act("EUU", SIG, D(2025, 10, 25), reio=True)]
    only_signed = [Act("FRA", SIG, D(2025, 10, 25))]
    assert problems(eu, history, members=only_signed)
    assert problems(eu, history, members=[*only_signed, Act("FRA", RAT, D(2026, 5, 1))]) == []


def test_a_protocol_instrument_needs_the_participant_to_be_a_party_to_the_parent():
    parent_clauses = HANOI
    candidate = Act("A", ACC, D(2026, 6, 1))
    assert problems(candidate, parent=(parent_clauses, SIGNED))
    assert (
        problems(candidate, parent=(parent_clauses, [*SIGNED, Act("A", RAT, D(2026, 5, 1))])) == []
    )


def test_is_party_on_follows_deposit_and_denunciation():
    acts = [Act("A", ACC, D(2026, 1, 1)), Act("A", DEN, D(2026, 2, 1))]
    assert not is_party_on(HANOI, acts, D(2025, 12, 31))
    assert is_party_on(HANOI, acts, D(2027, 1, 31))
    assert not is_party_on(HANOI, acts, D(2027, 2, 1))


# -- Properties ---------------------------------------------------------------

days = st.dates(min_value=D(2025, 10, 25), max_value=D(2029, 12, 31))
kinds = st.sampled_from([SIG, RAT, ACC, ActionKind.SUCCESSION, DEN])
acts_strategy = st.lists(
    st.builds(
        Act,
        participant=st.sampled_from([f"P{i}" for i in range(12)]) | st.just("EUU"),
        kind=kinds,
        date=days,
        reio=st.booleans(),
    ),
    max_size=40,
).map(lambda acts: [Act(a.participant, a.kind, a.date, reio=a.participant == "EUU") for a in acts])
small = Clauses(threshold=4, entry_into_force_days=90, later_entry_into_force_days=30)


@given(acts=acts_strategy, as_of=days, seed=st.randoms(use_true_random=False))
def test_the_order_of_the_input_never_changes_the_status(acts, as_of, seed):
    shuffled = list(acts)
    seed.shuffle(shuffled)
    assert compute_status(small, shuffled, as_of) == compute_status(small, acts, as_of)


@given(
    acts=st.lists(
        st.builds(
            Act,
            participant=st.sampled_from([f"P{i}" for i in range(8)]),
            kind=st.just(ACC),
            date=days,
        ),
        max_size=12,
    ),
    extra=days,
)
def test_adding_an_instrument_never_moves_entry_into_force_later(acts, extra):
    before = compute_status(small, acts, LATER).entry_into_force
    after = compute_status(small, [*acts, Act("NEW", ACC, extra)], LATER).entry_into_force
    if before is not None:
        assert after is not None and after <= before


@given(
    acts=acts_strategy,
    eu_kind=st.sampled_from(sorted(ActionKind, key=str)),
    eu_day=days,
    as_of=days,
)
def test_an_organizations_instrument_never_changes_the_count(acts, eu_kind, eu_day, as_of):
    states_only = [a for a in acts if not a.reio]
    with_eu = [*states_only, Act("EUU", eu_kind, eu_day, reio=True)]
    before, after = compute_status(small, states_only, as_of), compute_status(small, with_eu, as_of)
    assert after.instruments_counted == before.instruments_counted
    assert after.threshold_reached_on == before.threshold_reached_on


# Few participants, mostly instruments and denunciations over two years, short
# delays: histories where denunciations and entry into force cross often.
crossing_acts = st.lists(
    st.builds(
        Act,
        participant=st.sampled_from(["P0", "P1", "P2", "P3"]),
        kind=st.sampled_from([ACC, ACC, RAT, DEN, DEN]),
        date=st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)),
    ),
    max_size=12,
)
crossing_clauses = st.builds(
    Clauses,
    threshold=st.integers(1, 3),
    entry_into_force_days=st.integers(0, 200),
    later_entry_into_force_days=st.integers(0, 200),
    later_whichever_is_later=st.booleans(),
    denunciation_months=st.integers(1, 12),
)


@settings(max_examples=400)
@given(clauses=crossing_clauses, acts=crossing_acts, as_of=days)
def test_no_participant_is_bound_before_the_treaty_nor_once_denounced_before_it(
    clauses, acts, as_of
):
    status = compute_status(clauses, acts, as_of)
    for p in status.participants:
        if p.entry_into_force is None:
            continue
        assert p.entry_into_force >= status.entry_into_force
        # Bound on that day: its denunciation, if any, takes effect later.
        assert p.denunciation_effective is None or p.denunciation_effective > p.entry_into_force


# -- Real treaties, from their clause values alone ----------------------------
# The public record fixes the date of the instrument that reached the threshold.
# The instruments before it matter only in that they came earlier, so they are
# placed a year before; the engine must find the real entry-into-force date.


def history(threshold: int, reached_on: D) -> list[Act]:
    earlier = [
        Act(f"E{i:03}", ACC, reached_on - dt.timedelta(days=365)) for i in range(threshold - 1)
    ]
    return [*earlier, Act("LAST", ACC, reached_on)]


@pytest.mark.parametrize(
    ("treaty", "clauses", "reached_on", "entry_into_force"),
    [
        # UN Convention against Corruption, art. 68: 30th instrument on
        # 15 September 2005; in force 14 December 2005.
        ("UNCAC", Clauses(30, 90, 30), D(2005, 9, 15), D(2005, 12, 14)),
        # Arms Trade Treaty, art. 22: 50th instrument on 25 September 2014;
        # in force 24 December 2014.
        (
            "ATT",
            Clauses(50, 90, 90, later_whichever_is_later=False),
            D(2014, 9, 25),
            D(2014, 12, 24),
        ),
        # Treaty on the Prohibition of Nuclear Weapons, art. 15: 50th instrument
        # (Honduras) on 24 October 2020; in force 22 January 2021.
        (
            "TPNW",
            Clauses(50, 90, 90, later_whichever_is_later=False),
            D(2020, 10, 24),
            D(2021, 1, 22),
        ),
    ],
)
def test_the_engine_reproduces_real_entry_into_force_dates(
    treaty, clauses, reached_on, entry_into_force
):
    status = compute_status(clauses, history(clauses.threshold, reached_on), D(2025, 1, 1))
    assert status.threshold_reached_on == reached_on
    assert status.entry_into_force == entry_into_force


def test_the_tpnw_entered_into_force_for_benin_ninety_days_after_its_deposit():
    # Benin ratified on 11 December 2020, after the 50th instrument; art. 15(2)
    # gives it 90 days after its own deposit: 11 March 2021.
    tpnw = Clauses(50, 90, 90, later_whichever_is_later=False)
    acts = [*history(50, D(2020, 10, 24)), Act("BEN", RAT, D(2020, 12, 11))]
    assert row(compute_status(tpnw, acts, D(2025, 1, 1)), "BEN").entry_into_force == D(2021, 3, 11)


def test_the_timeline_has_a_point_for_each_day_a_count_changed():
    acts = [
        Act("A", SIG, D(2025, 10, 25)),
        Act("B", SIG, D(2025, 10, 25)),
        Act("C", SIG, D(2025, 10, 26)),
        Act("A", RAT, D(2026, 1, 5)),
        Act("A", DEN, D(2027, 1, 5)),
    ]
    points = [
        (p.date, p.signatories, p.instruments_counted)
        for p in compute_status(HANOI, acts, LATER).timeline
    ]
    assert points == [
        (D(2025, 10, 25), 2, 0),
        (D(2025, 10, 26), 3, 0),
        (D(2026, 1, 5), 3, 1),
        # The denunciation counts when it takes effect, a year after receipt.
        (D(2028, 1, 5), 3, 0),
    ]
