"""`reconcile_untc` (CONTRACT.md): the differences with the depositary's status file, one a
line, and --apply recording what is missing here, all or nothing, as the import does."""

import datetime as dt
import io
import time

import pytest
from django.core.management import CommandError, call_command

from depositary.models import Dismissal, Reconciliation
from ratifications.models import Action, Revision, Treaty
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, DepositaryStaffFactory
from tests.untc_files import SAMPLES, cell, status_file

HANOI = "hanoi-convention"


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("reconcile_untc", *map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    return str(error.value)


def state(iso3: str) -> Participant:
    return Participant.objects.get(iso3=iso3)


@pytest.fixture
def recorded(empty_record) -> Treaty:
    """Viet Nam and Mali signed (in Hanoi, 25 and 26 October 2025); Viet Nam ratified on
    3 March 2026."""
    for iso3, day in (("VNM", dt.date(2025, 10, 25)), ("MLI", dt.date(2025, 10, 26))):
        ActionFactory(treaty=empty_record, participant=state(iso3), date=day)
    ActionFactory(
        treaty=empty_record,
        participant=state("VNM"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 3),
    )
    return empty_record


def write(tmp_path, rows, **options):
    path = tmp_path / "XVIII-16.en.xml"
    path.write_bytes(status_file(rows, **options))
    return path


@pytest.fixture
def three_differences(recorded, tmp_path):
    """The record, with Canada's signature more, Mali's on another day, and a name no
    participant has."""
    return write(
        tmp_path,
        [
            ("Canada", "14 Jul 2026", ""),
            ("Mali", "27 Oct 2025", ""),
            ("Republic of Atlantis", "15 Jul 2026", ""),
            ("Viet Nam", "25 Oct 2025", "3 Mar 2026"),
        ],
    )


def test_it_prints_exactly_the_three_differences_and_records_nothing(three_differences):
    before = Revision.current().number
    assert run(three_differences, "--treaty", HANOI) == [
        "missing here: Canada: signature of 2026-07-14",
        "date differs: Mali: signature of 2025-10-26 here, signature of 2025-10-27 there",
        "participant not matched: 'Republic of Atlantis' (row 3): signature of 2026-07-15; "
        "if it is a participant, add this name to its aliases",
        "3 differences",
    ]
    assert not Action.objects.filter(participant__iso3="CAN").exists()
    # The check itself is recorded: the dashboard says when the record was last checked.
    check = Reconciliation.objects.get()
    assert (check.origin, check.source, check.rows, check.found) == (
        "command",
        str(three_differences),
        4,
        3,
    )
    assert Revision.current().number > before


def test_apply_records_the_missing_signature_and_a_second_run_prints_the_two_left(
    three_differences,
):
    lines = run(three_differences, "--treaty", HANOI, "--apply")
    assert lines[0] == "missing here: Canada: signature of 2026-07-14 (recorded now as verified)"
    assert lines[-1] == "3 differences"
    canada = Action.objects.get(participant__iso3="CAN")
    assert (canada.kind, canada.date, canada.review) == (
        "signature",
        dt.date(2026, 7, 14),
        Action.Review.VERIFIED,
    )
    assert canada.source == (
        "UN Treaty Collection, MTDSG XVIII-16 status file (status as at 02 Aug 2026 10:16:04 EDT)"
    )
    assert canada.history.get().history_change_reason == "reconciled"
    assert run(three_differences, "--treaty", HANOI) == [
        "date differs: Mali: signature of 2025-10-26 here, signature of 2025-10-27 there",
        "participant not matched: 'Republic of Atlantis' (row 3): signature of 2026-07-15; "
        "if it is a participant, add this name to its aliases",
        "2 differences",
    ]
    # Applying again changes nothing.
    run(three_differences, "--treaty", HANOI, "--apply")
    assert Action.objects.filter(participant__iso3="CAN").count() == 1


def test_missing_there_type_and_date_differ_for_instruments(recorded, tmp_path):
    path = write(
        tmp_path,
        [
            ("Mali", "26 Oct 2025", "2 Feb 2026 AA"),
            ("Viet Nam", "25 Oct 2025", "3 Mar 2026 A"),
        ],
    )
    ActionFactory(
        treaty=recorded,
        participant=state("MLI"),
        kind=ActionKind.APPROVAL,
        date=dt.date(2026, 2, 1),
    )
    ActionFactory(treaty=recorded, participant=state("BRA"))
    assert run(path, "--treaty", HANOI) == [
        "missing there: Brazil: signature of 2025-10-25",
        "date differs: Mali: approval of 2026-02-01 here, approval (AA) of 2026-02-02 there",
        "type differs: Viet Nam: ratification of 2026-03-03 here, acceptance (A) of 2026-03-03 "
        "there",
        "3 differences",
    ]


def test_an_action_recorded_after_the_files_time_is_not_expected_in_it(recorded, tmp_path):
    ActionFactory(treaty=recorded, participant=state("BRA"), date=dt.date(2026, 8, 3))
    rows = [("Mali", "26 Oct 2025", ""), ("Viet Nam", "25 Oct 2025", "3 Mar 2026")]
    assert run(write(tmp_path, rows), "--treaty", HANOI) == ["0 differences"]
    # Without a time, the file may be of any day: it is a difference.
    path = write(tmp_path, rows, as_at=None)
    assert run(path, "--treaty", HANOI)[0] == "missing there: Brazil: signature of 2026-08-03"


def test_names_are_matched_through_aliases_never_guessed(recorded, tmp_path):
    rows = [
        ("Mali", "26 Oct 2025", ""),
        ("Vietnam", "25 Oct 2025", "3 Mar 2026"),
        ("Côte d’Ivoire", "25 Oct 2025", ""),
        ("Korea", "25 Oct 2025", ""),
    ]
    lines = run(write(tmp_path, rows, encoding="utf-8"), "--treaty", HANOI)
    assert lines == [
        "missing here: Côte d'Ivoire: signature of 2025-10-25",
        "participant not matched: 'Korea' (row 4): signature of 2025-10-25; if it is a "
        "participant, add this name to its aliases",
        "2 differences",
    ]


def test_apply_is_all_or_nothing_when_the_rules_refuse_one(recorded, tmp_path):
    rows = [
        ("Brazil", "25 Oct 2025", ""),
        # A ratification before its signature: the rules refuse it.
        ("Chile", "2 Feb 2026", "1 Feb 2026"),
        ("Mali", "26 Oct 2025", ""),
        ("Viet Nam", "25 Oct 2025", "3 Mar 2026"),
    ]
    before = Action.objects.count()
    message = refused(write(tmp_path, rows), "--treaty", HANOI, "--apply")
    assert message.startswith("Nothing was recorded: the rules refuse what is missing here.\n")
    assert "Chile: " in message and "signature" in message
    assert Action.objects.count() == before


def test_apply_leaves_dismissed_differences_and_actions_no_longer_in_effect(recorded, tmp_path):
    rows = [
        ("Brazil", "25 Oct 2025", ""),
        ("Chile", "", "[2 Feb 2026 a]"),
        ("Mali", "26 Oct 2025", ""),
        ("Viet Nam", "25 Oct 2025", "3 Mar 2026"),
    ]
    path = write(tmp_path, rows)
    run(path, "--treaty", HANOI)
    brazil = Reconciliation.objects.get().differences.get(participant__iso3="BRA")
    Dismissal.of(brazil, by=DepositaryStaffFactory(username="treaty-section"), reason="Typo")
    lines = run(path, "--treaty", HANOI, "--apply")
    day = brazil.reconciliation.checked_at.date().isoformat()
    assert lines == [
        f"missing here: Brazil: signature of 2025-10-25 (dismissed by treaty-section on {day}: "
        "Typo)",
        "missing here: Chile: accession (a) of 2026-02-02, no longer in effect (not recorded: "
        "no longer in effect; record it by hand, with what ended it)",
        "2 differences",
    ]
    assert not Action.objects.filter(participant__iso3__in=["BRA", "CHL"]).exists()


def test_the_real_samples_are_compared_with_their_own_treaty(db):
    treaty = Treaty.objects.create(
        slug="tpnw",
        short_name="TPNW",
        title="Treaty on the Prohibition of Nuclear Weapons",
        untc_reference="XXVI-9",
        adopted_on=dt.date(2017, 7, 7),
        signature_opens_on=dt.date(2017, 9, 20),
        threshold=50,
        entry_into_force_days=90,
        later_entry_into_force_days=90,
    )
    viet_nam = Participant.objects.create(name="Viet Nam", iso2="VN", iso3="VNM")
    Participant.objects.create(name="Guyana", iso2="GY", iso3="GUY")
    ActionFactory(treaty=treaty, participant=viet_nam, date=dt.date(2017, 9, 22))
    lines = run(SAMPLES / "XXVI-9.en.xml", "--treaty", "tpnw", "--apply")
    assert lines[:2] == [
        "missing here: Guyana: signature of 2017-09-20 (recorded now as verified)",
        "missing here: Guyana: ratification of 2017-09-20 (recorded now as verified)",
    ]
    assert lines[-1] == "56 differences"  # 54 names no participant of this test has
    guyana = Action.objects.filter(participant__iso3="GUY").order_by("kind")
    assert [(a.kind, a.date) for a in guyana] == [
        ("ratification", dt.date(2017, 9, 20)),
        ("signature", dt.date(2017, 9, 20)),
    ]
    # No "as at" time in the file: the source says what it is about.
    assert guyana[0].source == (
        "UN Treaty Collection, MTDSG XXVI-9 status file (status about 08 Dec 2017, its newest "
        "date; the file gives no status as at time)"
    )


# Refused files: nothing recorded, not even the check


@pytest.fixture
def nothing_recorded(recorded):
    before = (Action.objects.count(), Revision.current().number)
    yield
    assert not Reconciliation.objects.exists()
    assert (Action.objects.count(), Revision.current().number) == before


def test_another_treatys_file_is_refused(nothing_recorded):
    message = refused(SAMPLES / "XXVI-9.en.xml", "--treaty", HANOI, "--apply")
    assert message == (
        f"{SAMPLES / 'XXVI-9.en.xml'} was not read; nothing was recorded:\n"
        "This is the status file of XXVI-9 (Treaty on the Prohibition of Nuclear Weapons), not "
        "of United Nations Convention against Cybercrime (XVIII-16)."
    )


def test_a_50_mb_file_is_refused_quickly(nothing_recorded, tmp_path):
    path = write(tmp_path, [("Canada", "14 Jul 2026", "")])
    with path.open("ab") as stream:
        stream.write(b" " * (50 * 1024 * 1024))
    started = time.monotonic()
    message = refused(path, "--treaty", HANOI, "--apply")
    assert time.monotonic() - started < 2
    assert "The file is 50.0\xa0MB; a status file may be 10.0\xa0MB at most" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"participant,action,date\n", "The file is not XML"),
        (status_file([]), "The table of participants is empty."),
        (
            status_file(
                [("Canada", "14 Jul 2026")], columns=("Participant", "Definitive signature(s)")
            ),
            "Unknown legend 'Definitive signature(s)'",
        ),
    ],
    ids=["not xml", "empty table", "unknown legend"],
)
def test_a_broken_file_is_refused(nothing_recorded, tmp_path, data, expected):
    path = tmp_path / "broken.xml"
    path.write_bytes(data)
    assert expected in refused(path, "--treaty", HANOI, "--apply")


def test_an_unknown_treaty_or_a_missing_file_is_refused(nothing_recorded, tmp_path):
    assert refused(tmp_path / "nope.xml", "--treaty", "nope").startswith("No treaty 'nope'")
    assert refused(tmp_path / "nope.xml", "--treaty", HANOI).startswith("Cannot read")


# Fetching: a local server (`untc_server`, tests/conftest.py), never the network


def test_the_file_is_fetched_from_an_address(recorded, untc_server):
    server, routes = untc_server
    routes["/hanoi.xml"] = (200, status_file([("Canada", cell(dt.date(2026, 7, 14)))]), 0)
    assert run(f"{server}/hanoi.xml", "--treaty", HANOI)[0] == (
        "missing here: Canada: signature of 2026-07-14"
    )


def test_without_a_file_the_treatys_own_address_is_fetched(recorded, untc_server):
    server, routes = untc_server
    routes["/own.xml"] = (200, status_file([("Canada", "14 Jul 2026", "")]), 0)
    recorded.status_file_url = f"{server}/own.xml"
    recorded.save()
    assert run("--treaty", HANOI)[-1] == "4 differences"
    assert Reconciliation.objects.get().source == f"{server}/own.xml"


def test_a_fetch_that_fails_says_why_and_records_nothing(nothing_recorded, untc_server, settings):
    server, routes = untc_server
    settings.UNTC_FETCH_TIMEOUT = 1
    settings.UNTC_MAX_BYTES = 50_000
    routes["/slow.xml"] = (200, b" " * 10_000, 0.2)
    routes["/big.xml"] = (200, b" " * 100_000, 0)
    assert refused(f"{server}/missing.xml", "--treaty", HANOI).endswith(
        f"{server}/missing.xml answered 404 Not Found."
    )
    started = time.monotonic()
    assert refused(f"{server}/slow.xml", "--treaty", HANOI).endswith(
        f"{server}/slow.xml did not answer in 1 seconds."
    )
    assert time.monotonic() - started < 3
    assert "The file is larger than 48.8\xa0KB, the most a status file may be" in refused(
        f"{server}/big.xml", "--treaty", HANOI
    )
    assert "could not be reached" in refused("http://127.0.0.1:9/x.xml", "--treaty", HANOI)


def test_the_last_check_is_on_the_treaty_in_the_same_query(
    three_differences, django_assert_num_queries
):
    assert Treaty.objects.with_depositary_check().get().depositary_checked_at is None
    run(three_differences, "--treaty", HANOI)
    check = Reconciliation.objects.get()
    with django_assert_num_queries(1):
        treaty = Treaty.objects.with_depositary_check().get(slug=HANOI)
    assert treaty.depositary_checked_at == check.checked_at
    assert check.status_as_at == dt.datetime(2026, 8, 2, 14, 16, 4, tzinfo=dt.UTC)
    assert check.newest_date == dt.date(2026, 7, 15)
