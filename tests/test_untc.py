"""Reading the depositary's status file (depositary/untc.py): the two real samples exactly,
Hanoi files built from the shipped data, and every broken or hostile file refused clearly."""

import datetime as dt
import time

import pytest

from depositary import untc
from depositary.untc import Entry, Unreadable
from ratifications.rules import ActionKind
from tests.untc_files import SAMPLES, shipped_rows, status_file

LIMIT = 10 * 1024 * 1024
SEP_20 = dt.date(2017, 9, 20)

# The Treaty on the Prohibition of Nuclear Weapons in January 2018, as its file has it:
# 56 signatories, all on 20 September 2017 but these, and three instruments (ratifications).
TPNW_NAMES = [
    "Algeria", "Austria", "Bangladesh", "Brazil", "Cabo Verde", "Central African Republic",
    "Chile", "Comoros", "Congo", "Costa Rica", "Côte d'Ivoire", "Cuba",
    "Democratic Republic of the Congo", "Ecuador", "El Salvador", "Fiji", "Gambia", "Ghana",
    "Guatemala", "Guyana", "Holy See", "Honduras", "Indonesia", "Ireland", "Jamaica", "Kiribati",
    "Lao People's Democratic Republic", "Libya", "Liechtenstein", "Madagascar", "Malawi",
    "Malaysia", "Mexico", "Namibia", "Nepal", "New Zealand", "Nicaragua", "Nigeria", "Palau",
    "Panama", "Paraguay", "Peru", "Philippines", "Samoa", "San Marino", "Sao Tome and Principe",
    "South Africa", "St. Vincent and the Grenadines", "State of Palestine", "Thailand", "Togo",
    "Tuvalu", "Uruguay", "Vanuatu", "Venezuela (Bolivarian Republic of)", "Viet Nam",
]  # fmt: skip
TPNW_OTHER_DAYS = {
    "Jamaica": dt.date(2017, 12, 8),
    "Lao People's Democratic Republic": dt.date(2017, 9, 21),
    "Namibia": dt.date(2017, 12, 8),
    "Nicaragua": dt.date(2017, 9, 22),
    "St. Vincent and the Grenadines": dt.date(2017, 12, 8),
    "Viet Nam": dt.date(2017, 9, 22),
}
TPNW_PARTIES = {"Guyana", "Holy See", "Thailand"}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def read(data: bytes) -> untc.StatusFile:
    return untc.read(data, max_bytes=LIMIT)


def refusal(data: bytes, limit: int = LIMIT) -> str:
    with pytest.raises(Unreadable) as refused:
        untc.read(data, max_bytes=limit)
    return str(refused.value)


def test_the_tpnw_sample_is_read_exactly_row_by_row():
    file = read(sample("XXVI-9.en.xml"))
    assert file.reference == "XXVI-9"
    assert file.title == "Treaty on the Prohibition of Nuclear Weapons"
    assert file.columns == (
        "Participant",
        "Signature",
        "Acceptance(A), Approval(AA), Ratification, Accession(a)",
    )
    expected = []
    for number, name in enumerate(TPNW_NAMES, 1):
        signed = Entry(ActionKind.SIGNATURE, TPNW_OTHER_DAYS.get(name, SEP_20))
        deposited = Entry(ActionKind.RATIFICATION, SEP_20) if name in TPNW_PARTIES else None
        expected.append(untc.Row(number, name, (), signed, deposited))
    assert list(file.rows) == expected
    # The file has no "status as at" time: it is "about" its newest date.
    assert file.as_at is None
    assert file.newest == dt.date(2017, 12, 8)
    assert (file.signatories, file.parties) == (56, 3)
    assert file.count_mismatches() == []


def test_the_gothenburg_amendment_sample_is_read_with_its_quirks():
    data = sample("XXVII-1-k.en.xml")
    # What a strict parser refuses, and the file's own shape.
    assert b"\x1c" in data and b"\x1d" in data and b"\r" in data
    assert b"&lt;superscript&gt;" in data
    file = read(data)
    assert file.reference == "XXVII-1-k"
    assert file.title.startswith("Amendment of the text and annexes II to IX to the Protocol")
    assert file.columns == ("Participant", "Acceptance(A)")
    accepted = {
        "Canada": dt.date(2017, 11, 28),
        "Czech Republic": dt.date(2017, 11, 22),
        "European Union": dt.date(2017, 8, 30),
        "Finland": dt.date(2017, 12, 7),
        "Germany": dt.date(2017, 9, 22),
        "Netherlands": dt.date(2017, 10, 18),
        "Slovakia": dt.date(2017, 5, 25),
        "Spain": dt.date(2017, 12, 18),
        "Sweden": dt.date(2015, 11, 16),
        "United States of America": dt.date(2017, 1, 18),
    }
    assert list(file.rows) == [
        untc.Row(
            number,
            name,
            ("1",) if name == "Netherlands" else (),
            None,
            Entry(ActionKind.ACCEPTANCE, day, "A"),
        )
        for number, (name, day) in enumerate(accepted.items(), 1)
    ]
    assert file.notes == {"1": "For the European Part of the Netherlands."}
    assert file.as_at is None
    assert file.newest == dt.date(2017, 12, 18)
    assert (file.signatories, file.parties) == (None, 10)
    assert file.count_mismatches() == []


def test_a_hanoi_file_built_from_the_shipped_data_plus_changes_is_read_exactly():
    rows = shipped_rows()
    changes = [
        # A ratification, an approval (AA) and an accession (a), a footnote glued to a name,
        # an escaped superscript, a bracketed instrument no longer in effect, a padded day.
        ("Viet Nam", "25 Oct 2025", "3 Mar 2026"),
        ("Azerbaijan", "25 Oct 2025", "1 Apr 2026 AA"),
        ("Canada 1", " 4 Jul 2026", ""),
        ("Qatar<superscript>2</superscript>", "", "[5 May 2026 a]"),
    ]
    changed = {"Viet Nam", "Azerbaijan", "Canada", "Qatar"}
    rows = [row for row in rows if row[0] not in changed] + changes
    file = read(status_file(rows))
    assert file.reference == "XVIII-16"
    assert file.as_at == dt.datetime(2026, 8, 2, 10, 16, 4, tzinfo=untc.NEW_YORK)
    assert file.as_at.utcoffset() == dt.timedelta(hours=-4)  # EDT
    assert len(file.rows) == len(rows)
    by_name = {row.name: row for row in file.rows}
    assert by_name["Viet Nam"].instrument == Entry(ActionKind.RATIFICATION, dt.date(2026, 3, 3))
    assert by_name["Azerbaijan"].instrument == Entry(ActionKind.APPROVAL, dt.date(2026, 4, 1), "AA")
    assert by_name["Canada"].footnotes == ("1",)
    assert by_name["Canada"].signature == Entry(ActionKind.SIGNATURE, dt.date(2026, 7, 4))
    assert by_name["Qatar"].footnotes == ("2",)
    assert by_name["Qatar"].signature is None
    assert by_name["Qatar"].instrument == Entry(
        ActionKind.ACCESSION, dt.date(2026, 5, 5), "a", in_effect=False
    )
    # Every shipped signature, on its day.
    assert by_name["Mauritius"].signature.date == dt.date(2025, 11, 19)
    assert by_name["Mali"].signature.date == dt.date(2025, 10, 26)
    assert sum(1 for row in file.rows if row.signature) == 73 - 2 + 2


def test_a_table_cut_short_disagrees_with_the_headers_counts():
    data = sample("XXVI-9.en.xml")
    start = data.index(b"<Row>", data.index(b"<Tbody>"))
    cut = data[:start] + data[data.index(b"</Row>", start) + len(b"</Row>") :]
    assert read(cut).count_mismatches() == [
        "The file's header counts 56 signatories; its table has 55."
    ]


def test_a_header_counting_one_party_where_the_table_has_three_says_so():
    data = sample("XXVI-9.en.xml").replace(b"<Parties>3</Parties>", b"<Parties>1</Parties>")
    assert read(data).count_mismatches() == ["The file's header counts 1 Party; its table has 3."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STATUS AS AT : 16-11-2025 10:16:04 EDT", dt.datetime(2025, 11, 16, 10, 16, 4)),
        ("État au : 16-11-2025 10:16:04EDT", dt.datetime(2025, 11, 16, 10, 16, 4)),
        ("Status as at: 13-05-2025 11:16:24 EDT", dt.datetime(2025, 5, 13, 11, 16, 24)),
        ("STATUS AS AT : 05-01-2026 09:00:00 EST", dt.datetime(2026, 1, 5, 9, 0, 0)),
    ],
)
def test_the_status_as_at_time_is_read_as_a_new_york_time(text, expected):
    file = read(status_file([("Canada", "4 Jul 2026", "")], as_at=text))
    assert file.as_at == expected.replace(tzinfo=untc.NEW_YORK)


def test_a_file_in_utf_8_with_typographic_quotes_is_read_too():
    data = status_file([("Côte d’Ivoire", "25 Oct 2025", "")], encoding="utf-8")
    assert read(data).rows[0].name == "Côte d’Ivoire"


# Broken and hostile files


def test_a_csv_file_is_not_xml():
    message = refusal(b"participant,action,date\nCanada,signature,2026-07-14\n")
    assert message.startswith("The file is not XML (syntax error at line 1, column 1)")


def test_the_html_status_page_is_not_the_status_file():
    message = refusal(b"<!doctype html><html><body><p>STATUS AS AT</p></body></html>")
    assert "document type or entities" in message


def test_xml_that_is_not_a_status_file_says_so():
    message = refusal(b"<?xml version='1.0'?><rss><channel/></rss>")
    assert message == (
        "This is not a status file of the UN Treaty Collection: it has no <Document><Treaty> "
        "(its root element is <rss>)."
    )


def test_entity_expansion_is_refused_before_parsing_and_quickly():
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
        "<Document><Treaty>&lol9;</Treaty></Document>"
    ).encode()
    started = time.monotonic()
    assert "document type or entities" in refusal(laughs)
    assert time.monotonic() - started < 1


def test_a_50_mb_file_is_refused_at_once_for_its_size():
    data = status_file([("Canada", "4 Jul 2026", "")]) + b" " * (50 * 1024 * 1024)
    started = time.monotonic()
    message = refusal(data)
    assert time.monotonic() - started < 1
    assert message.startswith("The file is 50.0\xa0MB; a status file may be 10.0\xa0MB at most")


def test_an_unknown_legend_is_refused_naming_it():
    columns = ("Participant", "Definitive signature(s), Ratification")
    message = refusal(status_file([("Canada", "4 Jul 2026 s")], columns=columns))
    assert message.startswith(
        "Unknown legend 'Definitive signature(s)' in the column "
        "'Definitive signature(s), Ratification'"
    )


def test_a_provisional_application_column_is_an_unknown_legend_too():
    columns = ("Participant", "Signature", "Provisional application under article 23(n)")
    message = refusal(status_file([("Canada", "4 Jul 2026", "")], columns=columns))
    assert "Unknown legend 'Provisional application under article 23(n)'" in message


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (("Name", "Signature"), "The table's first column is 'Name', not the participant."),
        (
            ("", "Signature"),
            "The table's first column has no heading; it should be the participant.",
        ),
        ((), "The table's first column has no heading; it should be the participant."),
    ],
)
def test_a_table_that_does_not_begin_with_the_participant_is_refused(columns, expected):
    assert refusal(status_file([("Canada", "4 Jul 2026", "")], columns=columns)) == expected


def test_an_empty_table_is_refused():
    assert refusal(status_file([])) == "The table of participants is empty."


def test_a_file_without_its_treatys_number_is_refused():
    data = status_file([("Canada", "4 Jul 2026", "")]).replace(b"<Numsect>16</Numsect>", b"")
    assert "does not say which treaty it is" in refusal(data)


def test_every_unreadable_cell_is_named_with_its_row_and_column():
    rows = [
        ("Canada", "31 Feb 2026", ""),
        ("Chile", "4 Jull 2026", ""),
        ("Cuba", "4 Jul 2026", "5 Jul 2026 d"),
        ("Canada", "4 Jul 2026", ""),
        ("", "4 Jul 2026", ""),
    ]
    with pytest.raises(Unreadable) as refused:
        read(status_file(rows))
    assert refused.value.problems == [
        "row 1 (Canada), column 'Signature': '31 Feb 2026' is not a date.",
        "row 2 (Chile), column 'Signature': cannot read '4 Jull 2026' as a date (D Mon YYYY, "
        "then a symbol of the column's legend).",
        "row 3 (Cuba), column 'Acceptance(A), Ratification, Approval(AA), Accession(a)': the "
        "symbol 'd' of '5 Jul 2026 d' is not in the column's legend.",
        "row 4 (Canada): the participant is in the table twice (also row 1).",
        "row 5 (?): the participant's name is missing.",
    ]


def test_a_file_that_is_not_the_text_it_declares_is_refused():
    data = status_file([("Côte d'Ivoire", "4 Jul 2026", "")]).replace(
        b'encoding="iso-8859-1"', b'encoding="utf-8"'
    )
    assert refusal(data).startswith("The file is not utf-8 text as it declares (byte 0xF4")


def test_a_thousand_bad_rows_are_summed_up():
    rows = [(f"State {n}", "someday", "") for n in range(1000)]
    with pytest.raises(Unreadable) as refused:
        read(status_file(rows))
    assert len(refused.value.problems) == untc.MAX_PROBLEMS + 1
    assert refused.value.problems[-1] == "…and 980 more problems."
