"""CSV import and export of actions (CONTRACT.md "Data files"; docs/import-export.md).

One code path for every bulk way in: `import_actions`, `load_defaults` and the
upload page build an `ImportPlan` with `plan_import`, show its errors, and apply
it only when it has none. Rows are checked by the rules engine, as the forms' are.

Two passes over the file, so that a file is checked whole before anything is
written, and memory does not grow with it: the first pass parses and checks
every row, keeping a few numbers a row in arrays rather than objects; the
second reads the file again and writes the new rows in batches, with their
audit trail.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import hashlib
import heapq
import io
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import batched, islice
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from declarations.rules import Kind as DeclarationKind
from ratifications import rules
from ratifications.models import Action, Revision, RuleInputs, Treaty, lock_records
from ratifications.rules import ActionKind
from states.models import Participant, match_key

COLUMNS = ("participant", "action", "date", "place", "notification", "note", "source")
REQUIRED = ("participant", "action", "date")
OPTIONAL = ("place", "notification", "note", "source")
# New actions are written this many at a time: two queries a batch.
BATCH_SIZE = 2000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_LENGTHS = {
    name: Action._meta.get_field(name).max_length for name in ("place", "notification", "source")
}
_KINDS = list(ActionKind)
# "Formal confirmation", "formal-confirmation" and "FORMAL_CONFIRMATION" all name one kind.
_KIND_NAMES = {
    spelling: _KINDS.index(kind)
    for kind in _KINDS
    for spelling in (kind.value, kind.value.replace("_", " "), kind.value.replace("_", "-"))
}
# Within one day: the signature, then the instrument, then what depends on them.
_DAY_RANK = array(
    "B",
    [
        0 if kind == ActionKind.SIGNATURE else 2 if kind == ActionKind.DENUNCIATION else 1
        for kind in _KINDS
    ],
)
# The longest line read (in characters): far more than a row of the longest values
# (csv's field limit is 131,072 characters, and few rows have more than one long value),
# and a bound on what one line of a file can cost.
MAX_LINE = 1_000_000
# The errors of a file kept and shown, the first by line; the others are counted.
MAX_ERRORS = 100
# The most columns a header may have: there are seven, and a few empty ones are a
# mistake worth naming; thousands are not a header.
MAX_COLUMNS = 100
# Progress is reported every this many rows while checking.
_PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


class ImportFailed(Exception):
    """The write pass could not go through; nothing was written."""


class RecordsChanged(ImportFailed):
    """The records changed after the plan was made (their revision moved); nothing was written."""

    def __init__(self):
        super().__init__(
            _(
                "The records changed after the file was checked (an import, a verification, a "
                "mission's submission or any other change, in any treaty); nothing was written. "
                "Check the file again."
            )
        )


class FileChanged(ImportFailed):
    """The file read for writing is not the file that was checked; nothing was written."""

    def __init__(self):
        super().__init__(_("The file changed while it was being imported; nothing was written."))


class _NotUtf8(Exception):
    def __init__(self, line: int, error: UnicodeDecodeError):
        self.line, self.error = line, error


class _TooLong(Exception):
    def __init__(self, line: int):
        self.line = line


class ErrorKind(TextChoices):
    """What is wrong, for the counts of a file's errors."""

    FILE = "file", gettext_lazy("not readable as CSV")
    HEADER = "header", gettext_lazy("header")
    VALUES = "values", gettext_lazy("wrong number of values")
    PARTICIPANT = "participant", gettext_lazy("unknown participant")
    ACTION = "action", gettext_lazy("unknown action")
    DATE = "date", gettext_lazy("bad date")
    LENGTH = "length", gettext_lazy("value too long")
    REPEATED = "repeated", gettext_lazy("same row twice")
    CONFLICT = "conflict", gettext_lazy("contradicts the records")
    RULES = "rules", gettext_lazy("breaks a rule of the treaty")
    # Files of declarations (declarations/importing.py).
    FIELD = "field", gettext_lazy("value not accepted")
    ARTICLES = "articles", gettext_lazy("bad articles")
    REFERENCE = "reference", gettext_lazy("bad reference")


class RowError(NamedTuple):
    line: int
    message: str
    kind: ErrorKind = ErrorKind.FILE
    # The line's values as the file has them, cut short (`ImportPlan.errors_with_rows`).
    cells: tuple[str, ...] = ()

    def __str__(self):
        return f"line {self.line}: {self.message}"


class Errors:
    """A check's errors: the first `limit` by line (all of them when None), and how many of
    each kind.

    However many a file has (40,000 rows, each wrong), it keeps `limit`: a heap of
    those with the lowest lines so far, and a count a kind. Iterating gives the kept
    ones by line; `len` is how many there are in all.
    """

    def __init__(self, limit: int | None = MAX_ERRORS):
        self.limit = limit
        self.counts: Counter[ErrorKind] = Counter()
        # (-line, -order, error): the root is the one to drop first, the highest line
        # and, on one line, the last found.
        self._kept: list[tuple[int, int, RowError]] = []

    def append(self, error: RowError) -> None:
        self.counts[error.kind] += 1
        item = (-error.line, -len(self), error)
        if self.limit is None or len(self._kept) < self.limit:
            heapq.heappush(self._kept, item)
        elif self._kept and item > self._kept[0]:
            heapq.heapreplace(self._kept, item)

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.append(error)

    def __len__(self) -> int:
        return self.counts.total()

    def __iter__(self) -> Iterator[RowError]:
        return (error for *_, error in sorted(self._kept, reverse=True))

    @property
    def more(self) -> int:
        """How many are not kept."""
        return len(self) - len(self._kept)

    def by_kind(self) -> list[tuple[ErrorKind, int]]:
        return [(kind, self.counts[kind]) for kind in ErrorKind if self.counts[kind]]


class Row(NamedTuple):
    """A row of the file, as checked: what the preview and the summary show."""

    line: int
    participant: Participant
    kind: ActionKind
    date: dt.date
    # Only in `ImportPlan.preview`, which reads them from the file again.
    place: str = ""
    notification: str = ""
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class StatusChange:
    """The treaty's status today in New York, before and after the import (the preview's)."""

    before: rules.Status
    after: rules.Status

    @property
    def entry_into_force_changes(self) -> bool:
        return (self.before.threshold_reached_on, self.before.entry_into_force) != (
            self.after.threshold_reached_on,
            self.after.entry_into_force,
        )


class _Source:
    """The file to read twice: CSV text, the bytes of a file, or a path to one.

    Read line by line (any line end: \\n, \\r\\n, or \\r alone), so that a byte that is
    not UTF-8 is reported with its line, a path is streamed, never read whole, and no
    line longer than `MAX_LINE` is ever held: each costs its length, once.
    """

    def __init__(self, source: str | bytes | Path):
        self.source = source
        if isinstance(source, Path):
            self.size = source.stat().st_size
        else:
            self.size = len(source)
        self.done = 0  # bytes (characters for text) read so far
        self.digests: list[bytes] = []

    def lines(self) -> Iterator[str]:
        self.done = 0
        digest = hashlib.sha256()
        binary = not isinstance(self.source, str)
        # Undecodable bytes become lone surrogates, told apart below, so that the
        # digest is of the bytes themselves and the error names its line.
        errors = "surrogateescape" if binary else "surrogatepass"
        with self._text() as stream:
            number = 0
            while line := stream.readline(MAX_LINE + 1):
                number += 1
                data = line.encode("utf-8", errors)
                self.done += len(data) if binary else len(line)
                digest.update(data)
                if len(line) > MAX_LINE:
                    raise _TooLong(number)
                if number == 1:
                    line = line.removeprefix("\ufeff")
                if binary and not line.isascii():
                    try:
                        line.encode("utf-8")
                    except UnicodeEncodeError:
                        try:
                            line.encode("utf-8", errors).decode("utf-8")
                        except UnicodeDecodeError as exc:
                            raise _NotUtf8(number, exc) from None
                yield line
        self.digests.append(digest.digest())

    def _text(self):
        if isinstance(self.source, str):
            return io.StringIO(self.source, newline="")
        if isinstance(self.source, Path):
            stream = self.source.open("rb")
        else:
            stream = io.BytesIO(self.source)
        # newline="": every kind of line end splits lines, and is kept as it is (csv's rule).
        return io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")

    def changed(self) -> bool:
        """Whether the second reading differed from the first (a file edited meanwhile)."""
        return len(set(self.digests)) > 1


def _records(source: _Source, errors: Errors) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record that is not blank; bad ones become errors."""
    reader = csv.reader(source.lines(), strict=True)
    end = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(end + 1, _csv_message(exc), ErrorKind.FILE))
            end = reader.line_num
            continue
        except _NotUtf8 as exc:
            errors.append(RowError(exc.line, _not_utf8_message(exc.error), ErrorKind.FILE))
            return
        except _TooLong as exc:
            errors.append(
                RowError(
                    exc.line,
                    _(
                        "the line is longer than %(limit)s characters: is this a CSV file? "
                        "Nothing after it was read."
                    )
                    % {"limit": number_format(MAX_LINE, force_grouping=True)},
                    ErrorKind.FILE,
                )
            )
            return
        start, end = end + 1, reader.line_num
        joined = "".join(cells)
        if not joined.strip():
            continue
        if "\x00" in joined:
            errors.append(
                RowError(
                    start,
                    _("the line holds a NUL character: is this a CSV file?"),
                    ErrorKind.FILE,
                )
            )
            continue
        yield start, cells


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return _('a quoted value is never closed: check the quotes (") from this line to the end.')
    if "expected after" in text:
        return _(
            'a quote (") inside a value must be doubled (""), and a value with quotes quoted whole.'
        )
    if "field larger than field limit" in text:
        return _("a value is longer than %(limit)d characters.") % {"limit": csv.field_size_limit()}
    return _("this line is not valid CSV (%(error)s).") % {"error": text}


def _not_utf8_message(error: UnicodeDecodeError) -> str:
    return _(
        "the file is not UTF-8 text (byte 0x%(byte)02X at position %(position)d of this line): "
        'save it as "CSV UTF-8" and try again.'
    ) % {"byte": error.object[error.start], "position": error.start + 1}


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted in a message; long ones cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


# A row shown beside its error: this many values at most, each cut to SHOWN_VALUE.
SHOWN_CELLS = 12
SHOWN_VALUE = 60


def _shown_cells(cells: list[str]) -> tuple[str, ...]:
    shown = tuple(
        c if len(c) <= SHOWN_VALUE else c[:SHOWN_VALUE] + "…" for c in cells[:SHOWN_CELLS]
    )
    if len(cells) > SHOWN_CELLS:
        more = len(cells) - SHOWN_CELLS
        shown += (ngettext("…and %(n)s more value", "…and %(n)s more values", more) % {"n": more},)
    return shown


def _clean(cell: str) -> str:
    # NFC, so that "Côte" typed on a Mac matches "Côte" typed elsewhere.
    return _unneutralised(unicodedata.normalize("NFC", cell.strip()))


# A spreadsheet reads a cell that begins with one of these as a formula, and runs it
# ("CSV injection", OWASP): the export writes such a text with an apostrophe before it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(text: str) -> str:
    """The text as a cell no spreadsheet runs; `_unneutralised` gives it back exactly.

    A text that would begin with a formula's first character, after any apostrophes
    of its own, gets one apostrophe more, which spreadsheets show as "text" and hide.
    """
    return "'" + text if text.lstrip("'").startswith(_FORMULA_STARTS) else text


def _unneutralised(cell: str) -> str:
    if cell.startswith("'") and cell[1:].lstrip("'").startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def _start(
    records: Iterator[tuple[int, list[str]]],
    errors: Errors,
    known: Sequence[str] = COLUMNS,
    required: Sequence[str] = REQUIRED,
) -> tuple[tuple[int, list[str]], dict[str, int]] | None:
    """The file's first record and the position of each column, or None (with the errors)
    when the file is empty or its header is not usable (`_read_header`)."""
    first = next(records, None)
    if first is None:
        if not errors:
            errors.append(
                RowError(
                    1,
                    _("the file is empty: it needs a header row (%(columns)s).")
                    % {"columns": ",".join(known)},
                )
            )
        return None
    columns = _read_header(*first, errors, known, required)
    return None if columns is None else (first, columns)


def _read_header(
    line: int,
    cells: list[str],
    errors: Errors,
    known: Sequence[str] = COLUMNS,
    required: Sequence[str] = REQUIRED,
) -> dict[str, int] | None:
    """The position of each column, or None (with errors) when the header is not usable.

    In time proportional to its length; one of more than MAX_COLUMNS is refused first.
    `known` and `required` columns are the actions' unless given (a file of declarations).
    """
    if len(cells) > MAX_COLUMNS:
        errors.append(
            RowError(
                line,
                _(
                    "the header has %(count)s columns; the columns are %(columns)s. Is this "
                    "the right file?"
                )
                % {
                    "count": number_format(len(cells), force_grouping=True),
                    "columns": ",".join(known),
                },
                ErrorKind.HEADER,
            )
        )
        return None
    columns = [_clean(cell).lower() for cell in cells]
    problems = []
    if not any(name in known for name in columns):
        joined = ",".join(columns)
        if (";" in joined or "\t" in joined) and len(columns) == 1:
            problems.append(
                _(
                    "the values must be separated by commas, not semicolons or tabs: "
                    'save the file as "CSV UTF-8 (comma delimited)".'
                )
            )
        else:
            problems.append(
                _("the first row must be the header (%(columns)s), not %(found)s.")
                % {"columns": ",".join(known), "found": _shown(",".join(cells), 60)}
            )
    else:
        unknown = [name for name in columns if name and name not in known]
        if unknown:
            problems.append(
                _("unknown column %(names)s; the columns are %(columns)s.")
                % {
                    "names": ", ".join(_shown(name) for name in unknown[:5]),
                    "columns": ",".join(known),
                }
            )
        unnamed = [str(position) for position, name in enumerate(columns, 1) if not name]
        if unnamed:
            problems.append(
                _("column %(positions)s has no name; name it or remove it.")
                % {"positions": ", ".join(unnamed[:5])}
            )
        missing = [name for name in required if name not in columns]
        if missing:
            problems.append(
                _("missing column %(names)s; %(required)s are required.")
                % {
                    "names": ", ".join(repr(name) for name in missing),
                    "required": ", ".join(required),
                }
            )
        counts = Counter(columns)
        repeated = sorted(name for name, count in counts.items() if name and count > 1)
        if repeated:
            problems.append(
                _("column %(names)s appears twice.")
                % {"names": ", ".join(repr(name) for name in repeated)}
            )
    if problems:
        errors.extend(RowError(line, problem, ErrorKind.HEADER) for problem in problems)
        return None
    return {name: position for position, name in enumerate(columns)}


class _Rows:
    """The valid rows of a file, column by column in arrays: a few bytes a row.

    `outcome` says what the check made of each row: new, already recorded, or refused.
    """

    NEW, ALREADY_THERE, REFUSED = 0, 1, 2

    def __init__(self):
        self.participant = array("Q")  # Participant.pk
        self.kind = array("B")  # index in _KINDS
        self.date = array("I")  # date.toordinal()
        self.line = array("I")
        self.outcome = array("B")

    def __len__(self):
        return len(self.line)

    def append(self, line: int, participant: int, kind: int, date: int, outcome: int) -> None:
        self.participant.append(participant)
        self.kind.append(kind)
        self.date.append(date)
        self.line.append(line)
        self.outcome.append(outcome)

    def act(self, index: int, participant: Participant) -> rules.Act:
        return rules.Act(
            participant.iso3,
            _KINDS[self.kind[index]],
            dt.date.fromordinal(self.date[index]),
            participant.is_reio,
        )


class RowList(Sequence):
    """The rows of a plan with one outcome, in file order, made into `Row`s as they are read."""

    def __init__(self, plan: ImportPlan, outcome: int):
        self._plan, self._outcome = plan, outcome
        self._count = plan._rows.outcome.count(outcome)

    def __len__(self):
        return self._count

    def __iter__(self) -> Iterator[Row]:
        for index, outcome in enumerate(self._plan._rows.outcome):
            if outcome == self._outcome:
                yield self._plan._row(index)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return list(islice(self, *item.indices(self._count)))
        if not -self._count <= item < self._count:
            raise IndexError(item)
        return next(islice(self, item % self._count, None))


class ImportPlan:
    """What importing a file would do: rows new, rows already there, and every error."""

    def __init__(
        self, treaty: Treaty, source: _Source, revision: int, max_errors: int | None = MAX_ERRORS
    ):
        self.treaty = treaty
        self.errors = Errors(max_errors)
        # The revision of the records the plan was checked against (`Revision`).
        self.revision = revision
        self._source = source
        self._rows = _Rows()
        self._columns: dict[str, int] = {}
        self._participants: dict[int, Participant] = {}
        # The header's names as the file writes them, when it is a usable header.
        self.header: tuple[str, ...] = ()
        # What the import would change in today's status (`plan_import(change=True)`).
        self.change: StatusChange | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new(self) -> RowList:
        return RowList(self, _Rows.NEW)

    @property
    def already_there(self) -> RowList:
        return RowList(self, _Rows.ALREADY_THERE)

    def apply(
        self,
        user=None,
        *,
        reason: str = "import",
        expected_revision: int | None = None,
        batch_size: int = BATCH_SIZE,
        progress: Progress | None = None,
    ) -> int:
        """Record the new rows as verified actions, all or none; returns how many.

        `reason` is the audit trail's (ratifications/audit.py, CHANGE_REASONS).
        Raises RecordsChanged if anything was written since the plan was checked
        (the record's revision moved), or when given, since the preview the user
        saw was made at `expected_revision`; FileChanged if the file changed
        between the two readings. Writing advances the revision, once.
        """
        if self.errors:
            raise ValueError("A plan with errors cannot be applied.")
        if expected_revision is not None and expected_revision != self.revision:
            raise RecordsChanged
        total, written = len(self.new), 0
        if not total:
            return 0
        try:
            with transaction.atomic():
                # One import or verification at a time in a treaty, so that what
                # was checked stays true until this one commits.
                lock_records(self.treaty)
                # Any write since the check, in any treaty, moved the revision: what
                # was checked may no longer hold (the lock keeps it from now on). The bulk
                # INSERT below sends no signal: this advance is the import's.
                if not Revision.advance(from_number=self.revision):
                    raise RecordsChanged
                now = timezone.now()
                for batch in batched(self._new_actions(user, now), batch_size):
                    created = Action.objects.bulk_create(batch)
                    _record_history(created, user, now, reason)
                    written += len(created)
                    if progress:
                        progress(written, total)
                    # Before the next batch is built: one batch in memory at a time.
                    del batch, created
                if self._source.changed():
                    raise FileChanged
        except IntegrityError:
            raise RecordsChanged from None
        return written

    def preview(self, limit: int) -> tuple[list[Row], list[Row]]:
        """The first `limit` rows to add and the first `limit` already there, every column
        with them: read from the file again, since the check keeps a few numbers a row."""
        found: dict[int, list[Row]] = {_Rows.NEW: [], _Rows.ALREADY_THERE: []}
        for index, cells in self._rows_again():
            kept = found.get(self._rows.outcome[index])
            if kept is not None and len(kept) < limit:
                kept.append(self._row(index)._replace(**self._optional(cells)))
            if all(len(kept) >= limit for kept in found.values()):
                break
        return found[_Rows.NEW], found[_Rows.ALREADY_THERE]

    def errors_with_rows(self) -> list[RowError]:
        """The errors kept, each with its line's values as the file has them, cut short
        (read from the file again, up to the last line with an error)."""
        errors = list(self.errors)
        if not errors:
            return []
        wanted = {error.line for error in errors}
        cells_of: dict[int, tuple[str, ...]] = {}
        for line, cells in _records(self._source, Errors(0)):
            if line in wanted:
                cells_of[line] = _shown_cells(cells)
            if line >= max(wanted):
                break
        return [error._replace(cells=cells_of.get(error.line, ())) for error in errors]

    def _row(self, index: int) -> Row:
        rows = self._rows
        return Row(
            rows.line[index],
            self._participants[rows.participant[index]],
            _KINDS[rows.kind[index]],
            dt.date.fromordinal(rows.date[index]),
        )

    def _optional(self, cells: list[str]) -> dict[str, str]:
        columns = self._columns
        return {name: _clean(cells[columns[name]]) if name in columns else "" for name in OPTIONAL}

    def _rows_again(self) -> Iterator[tuple[int, list[str]]]:
        """The second reading of a plan without errors: each row's index and cells."""
        rows = self._rows
        records = _records(self._source, Errors(0))
        next(records, None)  # the header
        for index, (line, cells) in enumerate(records):
            if index >= len(rows) or rows.line[index] != line:
                raise FileChanged
            yield index, cells

    def _new_actions(self, user, now: dt.datetime) -> Iterator[Action]:
        """The second reading: the new rows as actions, with their optional values."""
        rows = self._rows
        for index, cells in self._rows_again():
            if rows.outcome[index] != _Rows.NEW:
                continue
            optional = self._optional(cells)
            yield Action(
                treaty=self.treaty,
                participant_id=rows.participant[index],
                kind=_KINDS[rows.kind[index]],
                date=dt.date.fromordinal(rows.date[index]),
                review=Action.Review.VERIFIED,
                submitted_by=user,
                submitted_at=now,
                reviewed_by=user,
                reviewed_at=now,
                **optional,
            )


def _record_history(
    actions: list[Action], user, when: dt.datetime, reason: str, model=Action
) -> None:
    """Each new action's (or `model`'s) "created" entry in the audit trail, with `reason`,
    copied by the database.

    What simple_history's bulk_history_create writes, as one INSERT ... SELECT a
    batch instead of a second model instance a row built in Python: that would
    be the import's largest cost. The columns come from the historical model, so
    a field added to Action is copied too; an unknown history field stops here.
    """
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields}
    given = {
        "history_date": when,
        "history_type": "+",
        "history_change_reason": reason,
        "history_user_id": user.pk if user else None,
    }
    quote = connection.ops.quote_name
    columns, selected, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in tracked:
            selected.append(quote(model._meta.get_field(field.attname).column))
        elif field.attname in given:
            selected.append("%s")
            params.append(field.get_db_prep_save(given[field.attname], connection))
        else:
            raise ImproperlyConfigured(
                f"The import does not know how to fill the history field {field.attname!r}."
            )
    ids = [action.pk for action in actions]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])


class _RowReader:
    """Turns the cells of a row into (participant, kind, date, optional values)."""

    def __init__(self, columns: dict[str, int], names: dict[str, Participant]):
        self.columns = columns
        self.width = len(columns)
        self.names = names
        # Files repeat the same names and kinds: match each spelling once.
        self.participant_cache: dict[str, Participant | None] = {}
        self.kind_cache: dict[str, int | None] = {}

    def fits(self, line: int, cells: list[str], errors: Errors) -> bool:
        """Whether the row has as many values as the header: an error for it otherwise.
        Spreadsheets pad rows with empty cells; those say nothing."""
        padded = len(cells) > self.width and not any(c.strip() for c in cells[self.width :])
        if len(cells) != self.width and not padded:
            errors.append(
                RowError(
                    line,
                    _("expected %(expected)d values, found %(found)d.")
                    % {"expected": self.width, "found": len(cells)},
                    ErrorKind.VALUES,
                )
            )
            return False
        return True

    def read(self, line: int, cells: list[str], errors: Errors):
        if not self.fits(line, cells, errors):
            return None
        columns = self.columns
        before = len(errors)
        participant = self.participant(_clean(cells[columns["participant"]]), line, errors)
        kind = self.kind(_clean(cells[columns["action"]]), line, errors)
        date = self.date(_clean(cells[columns["date"]]), line, errors)
        optional = tuple(
            _clean(cells[columns[name]]) if name in columns else "" for name in OPTIONAL
        )
        for name, value in zip(OPTIONAL, optional, strict=True):
            limit = _MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                errors.append(
                    RowError(
                        line,
                        _("%(name)s is longer than %(limit)d characters.")
                        % {"name": name, "limit": limit},
                        ErrorKind.LENGTH,
                    )
                )
        if len(errors) > before:
            return None
        return participant, kind, date, optional

    def participant(self, value: str, line: int, errors: Errors) -> Participant | None:
        try:
            participant = self.participant_cache[value]
        except KeyError:
            participant = self.participant_cache[value] = self.names.get(match_key(value))
        if participant is None:
            if value:
                message = _(
                    "unknown participant %(name)s: use its ISO alpha-3 code, UN name or a "
                    "known alias."
                ) % {"name": _shown(value)}
            else:
                message = _("the participant is missing.")
            errors.append(RowError(line, message, ErrorKind.PARTICIPANT))
        return participant

    def kind(self, value: str, line: int, errors: Errors) -> int | None:
        try:
            kind = self.kind_cache[value]
        except KeyError:
            kind = self.kind_cache[value] = _KIND_NAMES.get(re.sub(r"\s+", " ", value.lower()))
        if kind is None:
            kinds = ", ".join(kind.value for kind in _KINDS)
            if value.lower() in DeclarationKind.values:
                message = _(
                    "%(kind)s is not an action: import it with the declarations "
                    "(import_declarations), whose file has a column for its text."
                ) % {"kind": _shown(value)}
            elif value:
                message = _("unknown action %(action)s; one of %(kinds)s.") % {
                    "action": _shown(value),
                    "kinds": kinds,
                }
            else:
                message = _("the action is missing; one of %(kinds)s.") % {"kinds": kinds}
            errors.append(RowError(line, message, ErrorKind.ACTION))
        return kind

    def date(self, value: str, line: int, errors: Errors) -> dt.date | None:
        if _DATE.fullmatch(value):
            year, month, day = (int(part) for part in value.split("-"))
            try:
                return dt.date(year, month, day)
            except ValueError:
                # Written as it should be: say what is wrong with the date itself.
                message = _impossible_date(value, year, month, day)
        elif value:
            message = _("bad date %(date)s: write YYYY-MM-DD.") % {"date": _shown(value)}
        else:
            message = _("the date is missing: write YYYY-MM-DD.")
        errors.append(RowError(line, message, ErrorKind.DATE))
        return None


def _impossible_date(value: str, year: int, month: int, day: int) -> str:
    """Why a date written YYYY-MM-DD does not exist, with its month named in the page's language."""
    if year == 0:
        return _("bad date %(date)s: there is no year 0.") % {"date": _shown(value)}
    if not 1 <= month <= 12:
        return _("bad date %(date)s: there is no month %(month)d; months go from 01 to 12.") % {
            "date": _shown(value),
            "month": month,
        }
    if day == 0:
        return _("bad date %(date)s: there is no day 0; days start at 01.") % {
            "date": _shown(value)
        }
    return _(
        "bad date %(date)s: %(day)d %(month)s does not exist; %(month)s has %(days)d days."
    ) % {
        "date": _shown(value),
        "day": day,
        "month": date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT"),
        "days": calendar.monthrange(year, month)[1],
    }


def plan_import(
    source: str | bytes | Path,
    treaty: Treaty,
    *,
    progress: Progress | None = None,
    max_errors: int | None = MAX_ERRORS,
    change: bool = False,
) -> ImportPlan:
    """Check every row of a CSV file against the format and the rules; write nothing.

    `source` is the CSV text, the bytes of a file, or the path of one (streamed).
    A bad file never raises: each problem becomes a `RowError` with its line; the
    plan keeps the first `max_errors` of them (all when None) and counts the rest.
    Only a path that cannot be read raises (OSError). With `change`, a plan without
    errors says what it would change in today's status (`ImportPlan.change`).
    """
    reading = _Source(source)
    # Read before the records: a change after it is then always seen.
    plan = ImportPlan(treaty, reading, Revision.current().number, max_errors)
    errors = plan.errors
    records = _records(reading, errors)
    started = _start(records, errors)
    if started is None:
        return plan
    first, columns = started
    plan._columns = columns
    plan.header = _shown_cells(first[1])
    names = Participant.objects.name_index()
    plan._participants = {participant.pk: participant for participant in names.values()}
    # The treaty's verified actions, and its parent's, read once for the whole check.
    inputs = Action.objects.rule_inputs(treaty, values=OPTIONAL)
    reader = _RowReader(columns, names)
    rows = plan._rows
    by_participant: dict[int, array] = {}
    for count, (line, cells) in enumerate(records, 1):
        if progress and count % _PROGRESS_EVERY == 0:
            progress(reading.done, reading.size)
        found = reader.read(line, cells, errors)
        if found is None:
            continue
        participant, kind, date, optional = found
        outcome = _Rows.NEW
        recorded = inputs.values.get((participant.pk, _KINDS[kind].value, date))
        if recorded is not None:
            conflict = _conflict(participant, _KINDS[kind], date, optional, recorded)
            if conflict:
                errors.append(RowError(line, conflict, ErrorKind.CONFLICT))
                continue
            outcome = _Rows.ALREADY_THERE
        by_participant.setdefault(participant.pk, array("I")).append(len(rows))
        rows.append(line, participant.pk, kind, date.toordinal(), outcome)
    if progress:
        progress(reading.size, reading.size)
    _check_rules(plan, inputs, by_participant)
    if change and plan.ok:
        plan.change = _status_change(plan, inputs)
    return plan


def _status_change(plan: ImportPlan, inputs: RuleInputs) -> StatusChange:
    """Today's status from the treaty's verified actions, then with the new rows as well."""
    today = rules.today_in_new_york()
    recorded = [act for acts in inputs.acts.values() for act in acts]
    rows, participants = plan._rows, plan._participants
    new = [
        rows.act(index, participants[rows.participant[index]])
        for index, outcome in enumerate(rows.outcome)
        if outcome == _Rows.NEW
    ]
    return StatusChange(
        before=rules.compute_status(inputs.clauses, recorded, today),
        after=rules.compute_status(inputs.clauses, [*recorded, *new], today),
    )


def _conflict(
    participant: Participant,
    kind: ActionKind,
    date: dt.date,
    given: tuple[str, ...],
    recorded: tuple[str, ...],
) -> str:
    """A row for a recorded action that says something else about it (empty says nothing)."""
    for name, value, known in zip(OPTIONAL, given, recorded, strict=True):
        if value and value != known:
            return _(
                "%(participant)s's %(kind)s of %(date)s is recorded with %(field)s %(recorded)s, "
                "not %(given)s."
            ) % {
                "participant": participant.display_name,
                "kind": kind.label.lower(),
                "date": date_format(date, "DATE_FORMAT"),
                "field": name,
                "recorded": _shown(known),
                "given": _shown(value),
            }
    return ""


def _check_rules(plan: ImportPlan, inputs: RuleInputs, by_participant: dict[int, array]) -> None:
    """Refuse a row repeated in the file, then check each new row with the rules engine.

    Participant by participant, each one's rows in date order (so that a file
    may list a ratification before its signature), States before
    organizations (whose rows depend on their member States').
    """
    rows, errors = plan._rows, plan.errors
    today = rules.today_in_new_york()
    participants = plan._participants
    order = sorted(by_participant, key=lambda pk: participants[pk].is_reio)
    for pk in order:
        participant = participants[pk]
        indexes = sorted(
            by_participant[pk],
            key=lambda i: (rows.date[i], _DAY_RANK[rows.kind[i]], rows.line[i]),
        )
        first_line: dict[tuple[int, int], int] = {}
        for index in indexes:
            key = (rows.date[index], rows.kind[index])
            if key in first_line:
                errors.append(
                    RowError(
                        rows.line[index],
                        _("the same action as line %(line)d.") % {"line": first_line[key]},
                        ErrorKind.REPEATED,
                    )
                )
                rows.outcome[index] = _Rows.REFUSED
            else:
                first_line[key] = rows.line[index]
        # The file's rows count as they are accepted: the participant's own, and
        # (for an organization) its member States', checked before it.
        accepted: list[rules.Act] = []
        members = [
            rows.act(i, participants[member])
            for member in inputs.members.get(pk, ())
            for i in by_participant.get(member, ())
            if rows.outcome[i] == _Rows.NEW
        ]
        for index in indexes:
            if rows.outcome[index] != _Rows.NEW:
                continue
            act = rows.act(index, participant)
            problems = inputs.check(pk, act, today=today, history=accepted, members=members)
            if problems:
                errors.extend(
                    RowError(
                        rows.line[index],
                        f"{participant.display_name}: {problem.message}",
                        ErrorKind.RULES,
                    )
                    for problem in problems
                )
                rows.outcome[index] = _Rows.REFUSED
            else:
                accepted.append(act)


def write_csv(stream, rows: Iterator[list[str]]) -> int:
    """Write the rows (the header first) to `stream` as CSV; returns how many, header aside."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(next(rows))
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def export_rows(actions: Iterable[Action]) -> Iterable[list[str]]:
    """The CSV rows for these actions, header first: what `plan_import` reads back.

    The participant is written by its UN name (readable, and matched on import).
    Texts that a spreadsheet would run as a formula are neutralised (`_neutralised`);
    dates and action codes never need it.
    """
    yield list(COLUMNS)
    for action in actions:
        yield [
            _neutralised(action.participant.name),
            action.kind,
            action.date.isoformat(),
            _neutralised(action.place),
            _neutralised(action.notification),
            _neutralised(action.note),
            _neutralised(action.source),
        ]
