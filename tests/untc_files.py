"""Status files of the depositary (MTDSG XML) built for tests, in the real files' shape
(tests/data/untc_samples/): ISO-8859-1, CRLF line ends, the Hanoi Convention's columns."""

import csv
import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from ratifications.management.commands.load_defaults import FIXTURES, STATUS_FILES

SAMPLES = Path(__file__).resolve().parent / "data" / "untc_samples"
HANOI_COLUMNS = (
    "Participant",
    "Signature",
    "Acceptance(A), Ratification, Approval(AA), Accession(a)",
)
SYMBOLS = {"ratification": "", "acceptance": "A", "approval": "AA", "accession": "a"}


def cell(day: dt.date | None, symbol: str = "") -> str:
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}" + (f" {symbol}" if symbol else "")


def status_file(
    rows: list[tuple[str, str, str]],
    *,
    reference: str = "XVIII-16",
    as_at: str | None = "STATUS AS AT : 02-08-2026 10:16:04 EDT",
    columns: tuple[str, ...] = HANOI_COLUMNS,
    encoding: str = "iso-8859-1",
) -> bytes:
    """A status file whose table has `rows`, each (participant, signature cell, instrument
    cell) as the file writes them: ("Canada", "14 Jul 2026", "")."""
    chapter, number = reference.split("-", 1)
    head = "".join(f'<Entry colname="{n}">{escape(c)}</Entry>' for n, c in enumerate(columns, 1))
    body = "".join(
        "<Row>"
        + "".join(f"<Entry>{escape(c)}</Entry>" if c else "<Entry />" for c in row)
        + "</Row>"
        for row in rows
    )
    as_at_text = f"<StatusAsAt>{as_at}</StatusAsAt>" if as_at else ""
    text = f"""<?xml version="1.0" encoding="{encoding}"?>
<Document>
  <Treaty>
    <Template>mtdsg</Template>
    <Header>
      {as_at_text}
      <Chapter><Header>CHAPTER {chapter}</Header><Name>PENAL MATTERS</Name></Chapter>
      <ExternalData>
        <Numsect>{number}</Numsect>
        <Titlesect>United Nations Convention against Cybercrime</Titlesect>
        <Conclusion>New York, 24 December 2024</Conclusion>
        <EIF><Label>Not yet in force</Label><Labeltext>article 65(1)</Labeltext></EIF>
      </ExternalData>
    </Header>
    <Participants><Table colsep="0" frame="none" rowsep="0"><TGroup cols="{len(columns)}">
      <Thead><Row rowsep="0">{head}</Row></Thead>
      <Tbody><Rows>{body}</Rows></Tbody>
    </TGroup></Table></Participants>
    <Footer>XVIII 16. Penal matters</Footer>
  </Treaty>
</Document>
"""
    return text.replace("\n", "\r\n").encode(encoding)


def shipped_rows() -> list[tuple[str, str, str]]:
    """The shipped Hanoi status (fixtures/hanoi_status.csv) as rows of a status file."""
    found: dict[str, list[str]] = {}
    path = FIXTURES / STATUS_FILES["hanoi-convention"]
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            day = dt.date.fromisoformat(row["date"])
            cells = found.setdefault(row["participant"], ["", ""])
            if row["action"] == "signature":
                cells[0] = cell(day)
            else:
                cells[1] = cell(day, SYMBOLS[row["action"]])
    return [(name, *cells) for name, cells in sorted(found.items())]
