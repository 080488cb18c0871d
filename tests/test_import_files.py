"""Hostile and messy files: what is accepted, and what is refused with which message.

Every refusal goes through `import_actions`, which must print each error as
`line N: message`, exit with a CommandError (no traceback) and write nothing.
The record they meet: the shipped participants, and one signature of the Hanoi
Convention, Viet Nam's, in Hanoi on 25 October 2025 (`viet_nam_signed`).
"""

import io
import tracemalloc

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from ratifications.importing import plan_import
from ratifications.models import Action
from states.models import Participant
from tests.factories import ActionFactory

HEADER = "participant,action,date,place,notification,note,source"


def import_file(tmp_path, data: bytes, *args) -> str:
    path = tmp_path / "actions.csv"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_actions", str(path), "--treaty", "hanoi-convention", *args, stdout=out)
    return out.getvalue()


def refused(tmp_path, data: bytes, *args: str) -> list[str]:
    """The errors import_actions prints for this file, having checked it wrote nothing."""
    before = list(Action.objects.values_list("pk", "updated_at"))
    path = tmp_path / "actions.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"error\(s\) in .*; nothing was imported"):
        call_command(
            "import_actions",
            str(path),
            "--treaty",
            "hanoi-convention",
            *args,
            stdout=io.StringIO(),
            stderr=err,
        )
    assert list(Action.objects.values_list("pk", "updated_at")) == before
    return err.getvalue().splitlines()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b"\xef\xbb\xbfparticipant,action,date\nCanada,signature,2026-07-15\n",
            id="byte-order mark",
        ),
        pytest.param(
            b"participant,action,date\r\nCanada,signature,2026-07-15\r\n", id="Windows line ends"
        ),
        pytest.param(b"participant,action,date\rCanada,signature,2026-07-15\r", id="old Mac"),
        pytest.param(
            b"participant,action,date\nCanada,signature,2026-07-15\n\n\n  \n,,\n",
            id="trailing blank lines",
        ),
        pytest.param(
            b"  Participant , ACTION,date \n  Canada  ,  Signature ,  2026-07-15  \n",
            id="extra spaces and capitals",
        ),
        pytest.param(b"date,action,participant\n2026-07-15,signature,CAN\n", id="another order"),
        pytest.param(
            b"participant,action,date\nCanada,signature,2026-07-15,,\n", id="padded with commas"
        ),
        pytest.param(
            b"participant,action,date\ncanada   ,signature,2026-07-15\n", id="lower case name"
        ),
    ],
)
def test_messy_but_meaningful_files_are_accepted(viet_nam_signed, tmp_path, data):
    assert "1 added, 0 already there." in import_file(tmp_path, data)
    assert Action.objects.verified().get(participant__iso3="CAN").kind == "signature"


@pytest.mark.parametrize(
    "name",
    [
        "Côte d’Ivoire",  # a typographic apostrophe
        "Côte d`Ivoire",
        "Co\u0302te d'Ivoire",  # the accent as a separate mark, as macOS writes it
        "CIV",
    ],
)
def test_names_with_other_apostrophes_and_accents_find_the_participant(viet_nam_signed, name):
    ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3="CIV"))
    plan = plan_import(f"participant,action,date\n{name},signature,2025-10-25\n", viet_nam_signed)
    assert list(plan.errors) == []
    assert [row.participant.name for row in plan.already_there] == ["Côte d'Ivoire"]


def test_a_row_identical_to_the_records_is_already_there_not_an_error(viet_nam_signed, tmp_path):
    data = b"participant,action,date,place\nViet Nam,signature,2025-10-25,Hanoi\n"
    assert "0 added, 1 already there." in import_file(tmp_path, data)


REFUSALS = [
    pytest.param(
        b"participant,action,date,country\nCAN,signature,2026-07-15,Canada\n",
        [
            "line 1: unknown column 'country'; the columns are "
            "participant,action,date,place,notification,note,source."
        ],
        id="unknown column",
    ),
    pytest.param(
        b"participant,date\nCAN,2026-07-15\n",
        ["line 1: missing column 'action'; participant, action, date are required."],
        id="missing column",
    ),
    pytest.param(
        b"participant,action,date,date\nCAN,signature,2026-07-15,2026-07-15\n",
        ["line 1: column 'date' appears twice."],
        id="column twice",
    ),
    pytest.param(
        b"participant,action,date,\nCAN,signature,2026-07-15,\n",
        ["line 1: column 4 has no name; name it or remove it."],
        id="unnamed column",
    ),
    pytest.param(
        b"Canada,signature,2026-07-15\n",
        [
            "line 1: the first row must be the header "
            "(participant,action,date,place,notification,note,source), "
            "not 'Canada,signature,2026-07-15'."
        ],
        id="no header",
    ),
    pytest.param(
        b"participant;action;date\nCAN;signature;2026-07-15\n",
        [
            "line 1: the values must be separated by commas, not semicolons or tabs: "
            'save the file as "CSV UTF-8 (comma delimited)".'
        ],
        id="semicolons",
    ),
    pytest.param(
        b"participant,action,date\nCAN,signature,15/07/2026\nCHL,signature,2026-7-15\n"
        b"MEX,signature,\n",
        [
            "line 2: bad date '15/07/2026': write YYYY-MM-DD.",
            "line 3: bad date '2026-7-15': write YYYY-MM-DD.",
            "line 4: the date is missing: write YYYY-MM-DD.",
        ],
        id="bad date",
    ),
    pytest.param(
        b"participant,action,date\nCAN,signature,2026-02-30\nCHL,signature,2027-02-29\n"
        b"MEX,signature,2026-13-01\nPER,signature,2026-04-00\nARG,signature,0000-04-01\n",
        [
            "line 2: bad date '2026-02-30': 30 February 2026 does not exist; February 2026 has "
            "28 days.",
            "line 3: bad date '2027-02-29': 29 February 2027 does not exist; February 2027 has "
            "28 days.",
            "line 4: bad date '2026-13-01': there is no month 13; months go from 01 to 12.",
            "line 5: bad date '2026-04-00': there is no day 0; days start at 01.",
            "line 6: bad date '0000-04-01': there is no year 0.",
        ],
        id="a date written right that does not exist",
    ),
    pytest.param(
        b"participant,action,date\nCAN,signature,2026-07-15\nCanada,Signature,2026-07-15\n",
        ["line 3: the same action as line 2."],
        id="same row twice",
    ),
    pytest.param(
        b"participant,action,date,place\nViet Nam,signature,2025-10-25,Paris\n",
        [
            "line 2: Viet Nam's signature of 25 October 2025 is recorded with place 'Hanoi', "
            "not 'Paris'."
        ],
        id="contradicts a recorded action",
    ),
    pytest.param(
        b"participant,action,date\nViet Nam,signature,2026-07-15\n",
        [
            "line 2: Viet Nam: This participant already signed, on 25 October 2025; there is "
            "one signature."
        ],
        id="breaks a rule given the records",
    ),
    pytest.param(
        "participant,action,date\nCanada,signature,2026-07-15\nCôte d'Ivoire,signature,"
        "2025-10-25\n".encode("cp1252"),
        [
            "line 3: the file is not UTF-8 text (byte 0xF4 at position 2 of this line): "
            'save it as "CSV UTF-8" and try again.'
        ],
        id="not UTF-8",
    ),
    pytest.param(
        b"",
        [
            "line 1: the file is empty: it needs a header row "
            "(participant,action,date,place,notification,note,source)."
        ],
        id="empty file",
    ),
    pytest.param(
        b"\xef\xbb\xbf\r\n  \r\n",
        [
            "line 1: the file is empty: it needs a header row "
            "(participant,action,date,place,notification,note,source)."
        ],
        id="only blank lines",
    ),
    pytest.param(
        b"participant,action,date\nAtlantis,signature,2026-07-15\n,signature,2026-07-15\n",
        [
            "line 2: unknown participant 'Atlantis': use its ISO alpha-3 code, UN name or "
            "a known alias.",
            "line 3: the participant is missing.",
        ],
        id="unknown participant",
    ),
    pytest.param(
        b"participant,action,date\nCAN,ratify,2026-07-15\n",
        [
            "line 2: unknown action 'ratify'; one of signature, ratification, acceptance, "
            "approval, accession, succession, formal_confirmation, denunciation."
        ],
        id="unknown action",
    ),
    pytest.param(
        b"participant,action,date\nCAN,signature\nCHL,signature,2026-07-15,New York\n",
        ["line 2: expected 3 values, found 2.", "line 3: expected 3 values, found 4."],
        id="wrong number of values",
    ),
    pytest.param(
        b'participant,action,date,note\nCAN,signature,2026-07-15,"never closed\n'
        b"CHL,signature,2026-07-15,\n",
        ['line 2: a quoted value is never closed: check the quotes (") from this line to the end.'],
        id="unbalanced quote",
    ),
    pytest.param(
        b'participant,action,date,note\nCAN,signature,2026-07-15,"a "quoted" word"\n',
        [
            'line 2: a quote (") inside a value must be doubled (""), and a value with quotes '
            "quoted whole."
        ],
        id="stray quote",
    ),
    pytest.param(
        b"participant,action,date,note\nCAN,signature,2026-07-15,a\x00b\n",
        ["line 2: the line holds a NUL character: is this a CSV file?"],
        id="NUL byte",
    ),
    pytest.param(
        b"participant,action,date,note\nCAN,signature,2026-07-15," + b"x" * 200_000 + b"\n",
        ["line 2: a value is longer than 131072 characters."],
        id="huge field",
    ),
    pytest.param(
        b"participant,action,date,place\nCAN,signature,2026-07-15," + b"x" * 101 + b"\n",
        ["line 2: place is longer than 100 characters."],
        id="too long for its column",
    ),
]


@pytest.mark.parametrize(("data", "errors"), REFUSALS)
def test_a_bad_file_is_refused_with_every_error_and_its_line(
    viet_nam_signed, tmp_path, data, errors
):
    assert refused(tmp_path, data) == errors


def test_every_error_of_a_file_is_reported_in_one_pass(viet_nam_signed, tmp_path):
    data = (
        b"participant,action,date\n"
        b"Atlantis,signature,2026-07-15\n"
        b"CAN,sign,2026-07-15\n"
        b"CHL,signature,someday\n"
        b"CAN,signature,2026-07-15\n"
        b"CAN,signature,2026-07-15\n"
    )
    assert [line.split(":")[0] for line in refused(tmp_path, data)] == [
        "line 2",
        "line 3",
        "line 4",
        "line 6",
    ]


def test_a_multi_line_value_keeps_the_line_numbers_of_what_follows(viet_nam_signed, tmp_path):
    data = (
        b"participant,action,date,note\n"
        b'CAN,signature,2026-07-15,"two\nlines"\n'
        b"X,signature,2026-07-15,\n"
    )
    assert refused(tmp_path, data)[0].startswith("line 4: unknown participant 'X'")


def test_a_header_without_rows_imports_nothing_and_is_no_error(viet_nam_signed, tmp_path):
    assert "0 added, 0 already there." in import_file(tmp_path, f"{HEADER}\n".encode())


def test_an_unreadable_path_is_refused_plainly(viet_nam_signed, tmp_path):
    with pytest.raises(
        CommandError, match=r"Cannot read .*missing\.csv: No such file or directory"
    ):
        call_command(
            "import_actions", str(tmp_path / "missing.csv"), "--treaty", "hanoi-convention"
        )


@pytest.mark.parametrize(
    "data", [b"", b"\xff\xfe\x00p\x00a\x00r\x00", b"participant,action,date\n\x00\x01\x02\n"]
)
def test_the_command_line_shows_no_traceback_for_a_bad_file(
    viet_nam_signed, tmp_path, capsys, data
):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    # As manage.py runs it: a CommandError is printed, not raised.
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(
            ["manage.py", "import_actions", str(path), "--treaty", "hanoi-convention"]
        )
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("line ")
    assert "CommandError: 1 error(s)" in err


# -- What a file costs: never more than its length --------------------------
# Each test gives a budget of time far above what the file costs (milliseconds),
# and far below what a cost growing faster than the file would take.


def checked(data: bytes, treaty) -> list[str]:
    return [str(error) for error in plan_import(data, treaty).errors]


def test_a_header_of_fifty_thousand_columns_is_refused_at_once(viet_nam_signed):
    # Checked by counting each name among all the others, this took 45 s.
    header = b"participant,action,date" + b",date" * 50_000
    assert checked(header + b"\nCAN,signature,2026-07-15\n", viet_nam_signed) == [
        "line 1: the header has 50,003 columns; the columns are "
        "participant,action,date,place,notification,note,source. Is this the right file?"
    ]


def test_a_header_with_a_few_extra_columns_still_names_each_problem(viet_nam_signed):
    header = b"participant,action,date,date,country," + b",".join(b"x%d" % n for n in range(90))
    errors = checked(header + b"\n", viet_nam_signed)
    assert [error.split(";")[0] for error in errors] == [
        "line 1: unknown column 'country', 'x0', 'x1', 'x2', 'x3'",
        "line 1: column 'date' appears twice.",
    ]


def test_a_line_of_a_million_characters_stops_the_reading_with_its_line(viet_nam_signed, tmp_path):
    # A file from the command line has no size limit: one huge line is refused
    # without being held whole, and nothing after it is read.
    path = tmp_path / "huge.csv"
    path.write_bytes(
        b"participant,action,date\nCAN,signature,2026-07-15\n"
        + b"MEX,signature,"
        + b"9" * 3_000_000
        + b"\nAtlantis,signature,2026-07-15\n"
    )
    assert checked(path, viet_nam_signed) == [
        "line 3: the line is longer than 1,000,000 characters: is this a CSV file? Nothing "
        "after it was read."
    ]


def test_a_row_of_four_hundred_thousand_values_is_refused_with_its_count(viet_nam_signed):
    row = b"CAN,signature,2026-07-15" + b",x" * 400_000
    errors = checked(b"participant,action,date\n" + row + b"\n" + row + b"\n", viet_nam_signed)
    assert errors == [
        "line 2: expected 3 values, found 400003.",
        "line 3: expected 3 values, found 400003.",
    ]


def test_a_line_end_split_across_the_readers_chunks_is_one_line_end(viet_nam_signed):
    first = b"participant,action,date,note\r\nCAN,signature,2026-07-15,"
    padding = 8192 - len(first) - 1
    data = first + b"n" * padding + b"\r\nMEX,signature,2026-07-16,\r\n"
    assert data.index(b"\r\nMEX") == 8191
    plan = plan_import(data, viet_nam_signed)
    assert list(plan.errors) == []
    assert [(row.line, row.participant.iso3) for row in plan.new] == [(2, "CAN"), (3, "MEX")]


# -- A file wrong on every line ---------------------------------------------

EVERY_LINE_WRONG = b"participant,action,date\n" + b"Atlantis,sign,someday\n" * 40_000


def test_a_file_wrong_on_every_line_keeps_the_first_hundred_errors_and_counts_the_rest(
    viet_nam_signed,
):
    tracemalloc.start()
    try:
        plan = plan_import(EVERY_LINE_WRONG, viet_nam_signed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Three errors a line, 120,000 in all: every one was kept before, some 30 MB.
    assert peak < 8_000_000
    assert len(plan.errors) == 120_000
    kept = list(plan.errors)
    assert len(kept) == 100
    assert [error.line for error in kept[:4]] == [2, 2, 2, 3]
    assert kept[-1].line == 35
    assert plan.errors.more == 119_900
    assert [(kind.value, count) for kind, count in plan.errors.by_kind()] == [
        ("participant", 40_000),
        ("action", 40_000),
        ("date", 40_000),
    ]


def test_the_command_prints_the_first_hundred_errors_and_how_many_of_each_kind_when_asked(
    viet_nam_signed, tmp_path
):
    lines = refused(tmp_path, EVERY_LINE_WRONG, "--first-errors")
    assert len(lines) == 101
    assert lines[0] == (
        "line 2: unknown participant 'Atlantis': use its ISO alpha-3 code, UN name or a known "
        "alias."
    )
    assert lines[-1] == (
        "...and 119900 more error(s), not printed (without --first-errors, all are). All 120000 "
        "by kind: unknown participant: 40000; unknown action: 40000; bad date: 40000."
    )


def test_the_command_prints_every_error_as_the_contract_says(viet_nam_signed, tmp_path):
    data = EVERY_LINE_WRONG[: len(b"participant,action,date\n") + 22 * 300]
    lines = refused(tmp_path, data)
    assert len(lines) == 900
    assert lines[-1].startswith("line 301: bad date")
