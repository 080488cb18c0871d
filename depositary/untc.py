"""The depositary's status file: the UN Treaty Collection's MTDSG XML, and how it differs from
the record (docs/workflow.md, "In step with the depositary").

A plain module with no database access. `read` turns the bytes of a status file into a
`StatusFile`, or refuses it with an `Unreadable` that says why; `compare` lists the
`Found` differences between a `StatusFile` and the recorded actions it is given; `fetch`
downloads a file, bounded in time and size.

The real files have quirks (tests/data/untc_samples/FORMAT.md): ISO-8859-1 with CRLF line
ends, control bytes 0x1C and 0x1D for curly quotes (which strict XML parsers reject),
footnote markers written as escaped `<superscript>` markup or as digits after a name,
columns that differ from treaty to treaty (their legend, in the header, says which symbol is
which instrument), and a bracketed date for an action no longer in effect.
"""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import re
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ratifications.rules import INSTRUMENTS, ActionKind
from states.models import match_key

NEW_YORK = ZoneInfo("America/New_York")
# The problems of a file listed in its refusal; the others are counted.
MAX_PROBLEMS = 20

# The legend's names of the actions this tracker records (the header of a column says
# "Acceptance(A), Approval(AA), Ratification, Accession(a)"). Any other ("Definitive
# signature(s)", "Provisional application under article 23(n)") refuses the file.
_LEGEND_NAMES = {
    "signature": ActionKind.SIGNATURE,
    "ratification": ActionKind.RATIFICATION,
    "acceptance": ActionKind.ACCEPTANCE,
    "approval": ActionKind.APPROVAL,
    "accession": ActionKind.ACCESSION,
    "succession": ActionKind.SUCCESSION,
    "formal confirmation": ActionKind.FORMAL_CONFIRMATION,
}
_LEGEND_ENTRY = re.compile(r"(?P<name>[^()]+?)\s*(?:\(\s*(?P<symbol>[A-Za-z]{1,2})\s*\))?")
_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["Sept"] = 9
# "25 Oct 2025", "28 Nov 2017 A", "[12 Aug 2013 a]" or "[12 Aug 2013] a": no longer in effect.
_CELL = re.compile(
    r"(?P<open>\[)?\s*(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,4})\.?\s+(?P<year>\d{4})\s*"
    r"(?P<close>\])?\s*(?P<symbol>[A-Za-z]{1,2})?\s*(?P<late>\])?"
)
# Footnote markers: escaped markup in the XML's text, or digits after a name ("Argentina 1").
_SUPERSCRIPT = re.compile(r"<\s*superscript\s*>(.*?)<\s*/\s*superscript\s*>", re.I | re.S)
_TRAILING_NOTES = re.compile(r"(?<=\D)\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)$")
# The page's timestamp, in English or French: "STATUS AS AT : 16-11-2025 10:16:04 EDT".
_AS_AT = re.compile(
    r"(?:STATUS\s+AS\s+AT|[ÉE]TAT\s+AU)\s*:?\s*(\d{1,2})-(\d{1,2})-(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?",
    re.I,
)
# What no status file holds: a document type, whose entities could expand without end.
_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.I)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# 0x1C and 0x1D stand for curly quotes in the real files; other control characters,
# which XML 1.0 forbids, mean nothing there.
_CONTROL = {0x1C: "\u201c", 0x1D: "\u201d"} | {
    code: None
    for code in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))
    if code not in (0x1C, 0x1D)
}


class Unreadable(ValueError):
    """The file is not a status file this tracker can read; `problems` says why, each a
    sentence. Nothing is recorded from it."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class FetchFailed(Exception):
    """The status file could not be downloaded; the message says why."""


@dataclass(frozen=True)
class Entry:
    """An action as a cell of the table shows it."""

    kind: ActionKind
    date: dt.date
    symbol: str = ""
    # False for a bracketed date: an action no longer in effect (withdrawn, denounced).
    in_effect: bool = True

    def __str__(self):
        symbol = f" ({self.symbol})" if self.symbol else ""
        text = f"{self.kind.value}{symbol} of {self.date.isoformat()}"
        return text if self.in_effect else f"{text}, no longer in effect"


@dataclass(frozen=True)
class Row:
    number: int  # in the table, from 1
    name: str  # as the file writes it, footnote markers removed
    footnotes: tuple[str, ...]
    signature: Entry | None
    instrument: Entry | None

    @property
    def entries(self) -> list[Entry]:
        return [entry for entry in (self.signature, self.instrument) if entry]


@dataclass(frozen=True)
class StatusFile:
    reference: str  # the MTDSG number, "XVIII-16"
    title: str
    # The page's "status as at" time, when the file has one.
    as_at: dt.datetime | None
    signatories: int | None  # as the header counts them
    parties: int | None
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: dict[str, str]  # the end notes, by their marker

    @property
    def newest(self) -> dt.date | None:
        """The newest date in the table: what "status about" means without an "as at" time."""
        return max((entry.date for row in self.rows for entry in row.entries), default=None)

    def count_mismatches(self) -> list[str]:
        """Where the header's counts and the table disagree (a table cut short, say)."""
        mismatches = []
        signatories = sum(1 for r in self.rows if r.signature and r.signature.in_effect)
        if self.signatories is not None and self.signatories != signatories:
            mismatches.append(
                ngettext(
                    "The file's header counts %(header)d signatory; its table has %(table)d.",
                    "The file's header counts %(header)d signatories; its table has %(table)d.",
                    self.signatories,
                )
                % {"header": self.signatories, "table": signatories}
            )
        parties = sum(1 for r in self.rows if r.instrument and r.instrument.in_effect)
        if self.parties is not None and self.parties != parties:
            mismatches.append(
                ngettext(
                    "The file's header counts %(header)d Party; its table has %(table)d.",
                    "The file's header counts %(header)d Parties; its table has %(table)d.",
                    self.parties,
                )
                % {"header": self.parties, "table": parties}
            )
        return mismatches


def read(data: bytes, *, max_bytes: int) -> StatusFile:
    """The status file in `data`, or Unreadable: not XML, not a status file, a column or
    cell it cannot read, an empty table, more than `max_bytes`."""
    if len(data) > max_bytes:
        raise Unreadable([too_large(len(data), max_bytes)])
    root = _parse(_text(data))
    treaty = root.find("Treaty") if root.tag == "Document" else None
    if treaty is None:
        raise Unreadable(
            [
                _(
                    "This is not a status file of the UN Treaty Collection: it has no "
                    "<Document><Treaty> (its root element is <%(root)s>)."
                )
                % {"root": root.tag}
            ]
        )
    problems: list[str] = []
    reference = _reference(treaty, problems)
    header = treaty.find("Header/ExternalData")
    title = ""
    if header is not None:
        title = _text_of(header.find("Titlesect")) or _text_of(header.find("Subtitlesect"))
    table = treaty.find("Participants/Table/TGroup")
    if table is None:
        raise Unreadable([*problems, _("The file has no table of participants.")])
    columns = tuple(_text_of(entry) for entry in table.findall("Thead/Row/Entry"))
    readers = _column_readers(columns, problems)
    if problems:
        raise Unreadable(problems)
    rows = _rows(table, readers, problems)
    if not rows and not problems:
        problems.append(_("The table of participants is empty."))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            shown.append(
                ngettext("…and %(n)d more problem.", "…and %(n)d more problems.", more)
                % {"n": more}
            )
        raise Unreadable(shown)
    status = treaty.find("Header/ExternalData/Status")
    return StatusFile(
        reference=reference,
        title=title,
        as_at=_as_at(root),
        signatories=_number(status, "Signatories"),
        parties=_number(status, "Parties"),
        columns=columns,
        rows=tuple(rows),
        notes={
            _text_of(note.find("index")): _text_of(note.find("text"))
            for note in treaty.findall("EndNotes/Note")
        },
    )


def too_large(size: int | None, limit: int) -> str:
    """Refusing a file of `size` bytes (None: more than `limit`, read no further)."""
    values = {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    if size is None:
        return (
            _(
                "The file is larger than %(limit)s, the most a status file may be (the largest "
                "real ones are a few hundred kilobytes). Is this the right file?"
            )
            % values
        )
    return (
        _(
            "The file is %(size)s; a status file may be %(limit)s at most (the largest real ones "
            "are a few hundred kilobytes). Is this the right file?"
        )
        % values
    )


def _text(data: bytes) -> str:
    """The file as text, in the encoding it declares (UTF-8 without one), ready for expat:
    no declaration (the text is given as UTF-8), control characters mended."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _ENCODING.match(data[:200])
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except LookupError:
        raise Unreadable(
            [_("The file declares an unknown encoding, %(encoding)s.") % {"encoding": encoding}]
        ) from None
    except UnicodeDecodeError as error:
        raise Unreadable(
            [
                _(
                    "The file is not %(encoding)s text as it declares (byte 0x%(byte)02X at "
                    "position %(position)d). Is this the right file?"
                )
                % {
                    "encoding": encoding,
                    "byte": error.object[error.start],
                    "position": error.start + 1,
                }
            ]
        ) from None
    if _DECLARATIONS.search(text):
        raise Unreadable(
            [
                _(
                    "The file declares a document type or entities, which no status file of "
                    "the UN Treaty Collection does; it is refused unread."
                )
            ]
        )
    # Keep the declaration's line, so that the parser's line numbers are the file's.
    return _XML_DECLARATION.sub(lambda m: "\n" * m.group().count("\n"), text).translate(_CONTROL)


def _parse(text: str) -> ET.Element:
    try:
        return ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise Unreadable(
            [
                _(
                    "The file is not XML (%(reason)s at line %(line)d, column %(column)d): is "
                    "it the status file (the XML view of the treaty's page), not the page itself?"
                )
                % {"reason": reason, "line": line, "column": column + 1}
            ]
        ) from None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def _text_of(element: ET.Element | None) -> str:
    return _clean("".join(element.itertext())) if element is not None else ""


def _number(status: ET.Element | None, name: str) -> int | None:
    text = _text_of(status.find(name)) if status is not None else ""
    return int(text) if text.isdigit() else None


def _reference(treaty: ET.Element, problems: list[str]) -> str:
    """The MTDSG number from the chapter's heading and the item's numbers: "XXVII-1-k"."""
    chapter = _text_of(treaty.find("Header/Chapter/Header"))
    roman = re.fullmatch(r"(?:CHAPTER\s+)?([IVXLC]+)", chapter, re.I)
    number = _text_of(treaty.find("Header/ExternalData/Numsect"))
    sub = _text_of(treaty.find("Header/ExternalData/Subnumsect"))
    if not roman or not number:
        problems.append(
            _(
                "The file does not say which treaty it is (its chapter and number, "
                "Header/Chapter and ExternalData/Numsect, are missing)."
            )
        )
        return ""
    return "-".join(part for part in (roman.group(1).upper(), number, sub) if part)


def _as_at(root: ET.Element) -> dt.datetime | None:
    """The "status as at" time, in New York, wherever the file writes it."""
    for text in root.itertext():
        found = _AS_AT.search(text)
        if found:
            day, month, year, hour, minute, second = (int(part or 0) for part in found.groups())
            try:
                return dt.datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class _Column:
    """How to read a column's cells: its legend, symbol to action."""

    header: str
    legend: dict[str, ActionKind]

    @property
    def is_signature(self) -> bool:
        return set(self.legend.values()) == {ActionKind.SIGNATURE}


def _column_readers(columns: tuple[str, ...], problems: list[str]) -> list[_Column]:
    """A reader for each column after the participant's; problems for the others."""
    if not columns or not columns[0]:
        problems.append(_("The table's first column has no heading; it should be the participant."))
        return []
    if not columns[0].lower().startswith("participant"):
        problems.append(
            _("The table's first column is %(found)s, not the participant.")
            % {"found": repr(columns[0])}
        )
        return []
    readers = []
    for header in columns[1:]:
        legend: dict[str, ActionKind] = {}
        for part in header.split(","):
            entry = _LEGEND_ENTRY.fullmatch(part.strip())
            kind = entry and _LEGEND_NAMES.get(entry.group("name").lower())
            if not kind:
                problems.append(
                    _(
                        "Unknown legend %(part)s in the column %(column)s: this tracker reads "
                        "signatures and instruments of ratification, acceptance (A), approval "
                        "(AA), accession (a), succession (d) and formal confirmation (c)."
                    )
                    % {"part": repr(part.strip()), "column": repr(header)}
                )
                continue
            symbol = entry.group("symbol") or ""
            if symbol in legend:
                problems.append(
                    _("The column %(column)s gives the symbol %(symbol)s twice.")
                    % {"column": repr(header), "symbol": repr(symbol or _("(none)"))}
                )
            legend[symbol] = kind
        readers.append(_Column(header, legend))
    signatures = [c for c in readers if c.legend and c.is_signature]
    instruments = [c for c in readers if c.legend and not c.is_signature]
    mixed = [c for c in instruments if ActionKind.SIGNATURE in c.legend.values()]
    if len(signatures) > 1 or len(instruments) > 1 or mixed:
        problems.append(
            _(
                "The table has columns %(columns)s: this tracker reads one column of "
                "signatures and one of instruments."
            )
            % {"columns": ", ".join(repr(c) for c in columns[1:])}
        )
    return readers


def _cell(entry: ET.Element) -> tuple[str, tuple[str, ...]]:
    """A cell's text and its footnote markers (escaped markup, or elements of their own)."""
    notes: list[str] = []
    parts = [entry.text or ""]
    for child in entry:
        if child.tag.lower() == "superscript":
            notes.append(_text_of(child))
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    text = "".join(parts)
    notes += [_clean(note) for note in _SUPERSCRIPT.findall(text)]
    return _clean(_SUPERSCRIPT.sub(" ", text)), tuple(note for note in notes if note)


def _rows(table: ET.Element, readers: list[_Column], problems: list[str]) -> list[Row]:
    rows, seen = [], {}
    body = table.findall("Tbody/Rows/Row") or table.findall("Tbody/Row")
    for number, element in enumerate(body, 1):
        cells = [_cell(entry) for entry in element.findall("Entry")]
        if not any(text for text, _notes in cells):
            continue
        name, notes = cells[0] if cells else ("", ())
        trailing = _TRAILING_NOTES.search(name)
        if trailing:
            notes += tuple(n.strip() for n in trailing.group(1).split(","))
            name = name[: trailing.start()].strip()
        where = _("row %(number)d (%(name)s)") % {"number": number, "name": name or "?"}
        if not name:
            problems.append(_("%(where)s: the participant's name is missing.") % {"where": where})
            continue
        if match_key(name) in seen:
            problems.append(
                _("%(where)s: the participant is in the table twice (also row %(other)d).")
                % {"where": where, "other": seen[match_key(name)]}
            )
            continue
        seen[match_key(name)] = number
        found: dict[str, Entry] = {}
        for column, (text, _notes) in zip(readers, cells[1:], strict=False):
            if not text:
                continue
            entry = _entry(text, column, where, problems)
            if entry:
                found["signature" if column.is_signature else "instrument"] = entry
        if len(cells) > len(readers) + 1 and any(text for text, _n in cells[len(readers) + 1 :]):
            problems.append(
                _("%(where)s has more cells than the table has columns.") % {"where": where}
            )
        rows.append(Row(number, name, notes, found.get("signature"), found.get("instrument")))
    return rows


def _entry(text: str, column: _Column, where: str, problems: list[str]) -> Entry | None:
    found = _CELL.fullmatch(text)
    month = found and _MONTHS.get(found.group("month").capitalize())
    closed = found and (
        bool(found.group("open")) == bool(found.group("close") or found.group("late"))
        and not (found.group("close") and found.group("late"))
    )
    if not (found and month and closed):
        problems.append(
            _(
                "%(where)s, column %(column)s: cannot read %(text)s as a date (D Mon YYYY, "
                "then a symbol of the column's legend)."
            )
            % {"where": where, "column": repr(column.header), "text": repr(text)}
        )
        return None
    symbol = found.group("symbol") or ""
    try:
        date = dt.date(int(found.group("year")), month, int(found.group("day")))
    except ValueError:
        problems.append(
            _("%(where)s, column %(column)s: %(text)s is not a date.")
            % {"where": where, "column": repr(column.header), "text": repr(text)}
        )
        return None
    kind = column.legend.get(symbol)
    if kind is None:
        problems.append(
            _(
                "%(where)s, column %(column)s: the symbol %(symbol)s of %(text)s is not in the "
                "column's legend."
            )
            % {
                "where": where,
                "column": repr(column.header),
                "symbol": repr(symbol) if symbol else _("(none)"),
                "text": repr(text),
            }
        )
        return None
    return Entry(kind, date, symbol, in_effect=not found.group("open"))


# The differences


class Difference(models.TextChoices):
    """What the record and the depositary's file disagree on (CONTRACT.md, `reconcile_untc`)."""

    MISSING_HERE = "missing_here", gettext_lazy("missing here")
    MISSING_THERE = "missing_there", gettext_lazy("missing there")
    DATE_DIFFERS = "date_differs", gettext_lazy("date differs")
    TYPE_DIFFERS = "type_differs", gettext_lazy("type differs")
    NOT_MATCHED = "not_matched", gettext_lazy("participant not matched")


@dataclass(frozen=True)
class Recorded:
    """A verified action of the record, as `compare` reads it."""

    iso3: str
    name: str
    kind: ActionKind
    date: dt.date


@dataclass(frozen=True)
class Found:
    """One difference. `name` is the UN name (the file's, for a participant not matched);
    `here` the recorded action, `there` the file's; either may be None."""

    kind: Difference
    name: str
    iso3: str = ""
    here: Recorded | None = None
    there: Entry | None = None
    # A participant not matched: its row, and every action in it.
    row: int | None = None
    entries: tuple[Entry, ...] = ()

    def __str__(self):
        """The command's line, in English like the command's other output."""
        label = str(self.kind.label)
        if self.kind == Difference.NOT_MATCHED:
            actions = ", ".join(str(e) for e in self.entries) or "no action"
            return (
                f"{label}: {self.name!r} (row {self.row}): {actions}; "
                "if it is a participant, add this name to its aliases"
            )
        here = f"{self.here.kind.value} of {self.here.date.isoformat()}" if self.here else ""
        if self.kind == Difference.MISSING_HERE:
            return f"{label}: {self.name}: {self.there}"
        if self.kind == Difference.MISSING_THERE:
            return f"{label}: {self.name}: {here}"
        return f"{label}: {self.name}: {here} here, {self.there} there"


_ORDER = list(Difference)


def compare(
    file: StatusFile,
    recorded: Iterable[Recorded],
    participant: Callable[[str], tuple[str, str] | None],
) -> list[Found]:
    """Every difference between the file and the recorded actions of its treaty.

    `participant` gives the (ISO alpha-3 code, UN name) a name of the file is (by its
    aliases, never guessed), or None. Only signatures and instruments are compared: the
    table shows no denunciation or declaration. When the file has its "status as at" time,
    an action recorded after that day is not expected in it.
    """
    since = file.as_at.date() if file.as_at else None
    here: dict[str, list[Recorded]] = {}
    names: dict[str, str] = {}
    for action in recorded:
        if action.kind != ActionKind.SIGNATURE and action.kind not in INSTRUMENTS:
            continue
        if since and action.date > since:
            continue
        here.setdefault(action.iso3, []).append(action)
        names[action.iso3] = action.name
    there: dict[str, Row] = {}
    found: list[Found] = []
    for row in file.rows:
        known = participant(row.name)
        if known is None:
            found.append(
                Found(Difference.NOT_MATCHED, row.name, row=row.number, entries=tuple(row.entries))
            )
            continue
        iso3, name = known
        there[iso3] = row
        names[iso3] = name
    for iso3 in here.keys() | there.keys():
        actions, row = here.get(iso3, []), there.get(iso3)
        found += _differences(
            names[iso3],
            iso3,
            [a for a in actions if a.kind == ActionKind.SIGNATURE],
            row.signature if row else None,
        )
        found += _differences(
            names[iso3],
            iso3,
            sorted((a for a in actions if a.kind != ActionKind.SIGNATURE), key=lambda a: a.date),
            row.instrument if row else None,
        )
    return sorted(found, key=lambda f: (_ORDER.index(f.kind), f.name, f.row or 0))


def _differences(
    name: str, iso3: str, here: list[Recorded], there: Entry | None
) -> Iterable[Found]:
    """The differences of one participant in one column: at most one action there, the
    recorded ones here (an instrument denounced and another later: two)."""
    if there is not None:
        pair = (
            next((a for a in here if (a.kind, a.date) == (there.kind, there.date)), None)
            or next((a for a in here if a.date == there.date), None)
            or next((a for a in here if a.kind == there.kind), None)
            or (here[-1] if here else None)
        )
        if pair is None:
            yield Found(Difference.MISSING_HERE, name, iso3, there=there)
        elif pair.kind != there.kind:
            yield Found(Difference.TYPE_DIFFERS, name, iso3, here=pair, there=there)
        elif pair.date != there.date:
            yield Found(Difference.DATE_DIFFERS, name, iso3, here=pair, there=there)
        here = [a for a in here if a is not pair]
    for action in here:
        yield Found(Difference.MISSING_THERE, name, iso3, here=action)


def participant_finder(index: Mapping[str, object]) -> Callable[[str], tuple[str, str] | None]:
    """`compare`'s `participant` from `ParticipantQuerySet.name_index()`."""

    def find(name: str) -> tuple[str, str] | None:
        participant = index.get(match_key(name))
        return (participant.iso3, participant.name) if participant else None

    return find


# Fetching


def fetch(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """The file at `url` (http or https), in `timeout` seconds and `max_bytes` at most."""
    if not url.startswith(("https://", "http://")):
        raise FetchFailed(_("%(url)s is not an http or https address.") % {"url": url})
    # Only HTTP: no file:// or ftp:// by a redirect.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler,
        urllib.request.HTTPSHandler,
        urllib.request.HTTPRedirectHandler,
        urllib.request.HTTPDefaultErrorHandler,
        urllib.request.HTTPErrorProcessor,
    ):
        opener.add_handler(handler())
    request = urllib.request.Request(url, headers={"User-Agent": "Treatytrack"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchFailed(too_large(int(length), max_bytes))
            chunks, size = [], 0
            # The socket's timeout bounds each read; the deadline, a server that drips.
            while chunk := response.read(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(too_large(None, max_bytes))
                if time.monotonic() > deadline:
                    raise TimeoutError
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        raise FetchFailed(
            _("%(url)s answered %(status)d %(reason)s.")
            % {"url": url, "status": error.code, "reason": error.reason}
        ) from None
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
            message = _("%(url)s did not answer in %(seconds)s seconds.") % {
                "url": url,
                "seconds": f"{timeout:g}",
            }
        else:
            message = _("%(url)s could not be reached (%(reason)s).") % {
                "url": url,
                "reason": reason,
            }
        raise FetchFailed(message) from None
