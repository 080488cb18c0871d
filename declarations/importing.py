"""CSV import and export of declarations, reservations, objections, withdrawals and
notifications (docs/open-data.md, "Declarations").

The file is read, and its errors reported, by the actions' import (`ratifications.importing`):
the same reading line by line, the same header checks, the same `line N: message` errors,
the first hundred kept and all counted. All or nothing: a file with any error writes
nothing. Each record has a `ref` that export writes and import matches, so that importing
the same file twice changes nothing, and an objection or a withdrawal names what it answers.
Files of declarations number hundreds of rows, not millions: the rows are kept in memory.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations import rules
from declarations.articles import canonical, parse
from declarations.models import CONTACT_FIELDS, Declaration, Language, Provision
from declarations.rules import Kind, Made, Subject
from ratifications.importing import (
    MAX_ERRORS,
    ErrorKind,
    Errors,
    RecordsChanged,
    RowError,
    _clean,
    _neutralised,
    _record_history,
    _records,
    _RowReader,
    _shown,
    _Source,
    _start,
    _unneutralised,
)
from ratifications.models import Action, Revision, Treaty, lock_records
from ratifications.rules import today_in_new_york
from states.models import Participant

COLUMNS = (
    "ref",
    "participant",
    "kind",
    "made",
    "date",
    "articles",
    "answers",
    "subject",
    "authority",
    "language",
    "text",
    "text_english",
    "notification",
    "source",
    "note",
)
# Only in files that staff export with `export_declarations --contacts`: never in open data.
CONTACT_COLUMNS = CONTACT_FIELDS
REQUIRED = ("ref", "participant", "kind", "made", "date")
# The values of a record a file gives, besides its participant, kind, made, date and answers.
TEXTS = (
    "articles",
    "subject",
    "authority",
    "language",
    "text",
    "text_english",
    "notification",
    "source",
    "note",
    *CONTACT_FIELDS,
)
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CHOICES = {"kind": Kind, "made": Made, "subject": Subject, "language": Language}
# Texts kept as written (no Unicode normalisation): export then import gives them back.
_AS_WRITTEN = ("text", "text_english", "note")


@dataclass
class Row:
    """A row of the file, read: what it records, and what it answers (a ref)."""

    line: int
    ref: str
    participant: Participant
    kind: Kind
    made: Made
    date: dt.date
    answers: str
    values: dict[str, str] = field(default_factory=dict)

    def statement(self, treaty: Treaty) -> rules.Statement:
        return rules.Statement(self.participant.pk, self.kind, self.made, self.date, treaty.pk)


@dataclass
class DeclarationPlan:
    """What importing a file would do: rows new, rows already recorded, and every error."""

    treaty: Treaty
    errors: Errors
    revision: int
    new: list[Row] = field(default_factory=list)
    already_there: list[Row] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def apply(self, user=None, *, expected_revision: int | None = None) -> int:
        """Record the new rows as verified, all or none; returns how many. RecordsChanged
        if anything was written since the plan was checked (the revision moved)."""
        if self.errors:
            raise ValueError("A plan with errors cannot be applied.")
        if expected_revision is not None and expected_revision != self.revision:
            raise RecordsChanged
        if not self.new:
            return 0
        now = timezone.now()
        try:
            with transaction.atomic():
                lock_records(self.treaty)
                if not Revision.advance(from_number=self.revision):
                    raise RecordsChanged
                refs = dict(
                    Declaration.objects.filter(
                        ref__in={row.answers for row in self.new if row.answers}
                    ).values_list("ref", "pk")
                )
                # What is answered first, so that an answer finds it.
                for rows in (
                    [row for row in self.new if not row.answers],
                    [row for row in self.new if row.answers],
                ):
                    created = Declaration.objects.bulk_create(
                        self._declaration(row, refs, user, now) for row in rows
                    )
                    refs |= {record.ref: record.pk for record in created}
                    Provision.objects.bulk_create(
                        Provision(declaration=record, **article._asdict())
                        for record in created
                        for article in parse(record.articles)
                    )
                    if created:
                        _record_history(created, user, now, "import", Declaration)
        except IntegrityError:
            raise RecordsChanged from None
        return len(self.new)

    def _declaration(self, row: Row, refs: dict[str, int], user, now) -> Declaration:
        return Declaration(
            ref=row.ref,
            treaty=self.treaty,
            participant=row.participant,
            kind=row.kind,
            made=row.made,
            date=row.date,
            answers_id=refs.get(row.answers),
            review=Declaration.Review.VERIFIED,
            submitted_by=user,
            submitted_at=now,
            reviewed_by=user,
            reviewed_at=now,
            **row.values,
        )


class _Reader(_RowReader):
    """The actions' reader of participants and dates, with the columns of a declaration."""

    def read(self, line: int, cells: list[str], errors: Errors) -> Row | None:
        if not self.fits(line, cells, errors):
            return None
        value = {
            name: _unneutralised(cells[position].strip())
            if name in _AS_WRITTEN
            else _clean(cells[position])
            for name, position in self.columns.items()
        }
        before = len(errors)

        def refuse(kind: ErrorKind, message: str) -> None:
            errors.append(RowError(line, message, kind))

        ref = value["ref"]
        if not _REF.fullmatch(ref) or len(ref) > 80:
            refuse(
                ErrorKind.REFERENCE,
                _(
                    "ref %(ref)s: up to 80 letters, digits, dots, hyphens and underscores, "
                    "beginning with a letter or a digit."
                )
                % {"ref": _shown(ref)},
            )
        answers = value.get("answers", "")
        if answers and not _REF.fullmatch(answers):
            refuse(ErrorKind.REFERENCE, _("answers %(ref)s is no ref.") % {"ref": _shown(answers)})
        participant = self.participant(value["participant"], line, errors)
        chosen = {}
        for name, choices in _CHOICES.items():
            given = value.get(name, "").lower()
            if given in choices.values or (not given and name in ("subject", "language")):
                chosen[name] = given
            else:
                refuse(
                    ErrorKind.FIELD,
                    _("%(column)s %(value)s is not one of %(values)s.")
                    % {
                        "column": name,
                        "value": _shown(value.get(name, "")),
                        "values": ", ".join(choices.values),
                    },
                )
        date = self.date(value["date"], line, errors)
        try:
            articles = canonical(parse(value.get("articles", "")))
        except ValueError as exc:
            refuse(ErrorKind.ARTICLES, str(exc))
            articles = ""
        texts = {name: value.get(name, "") for name in TEXTS}
        texts.update(
            articles=articles,
            subject=chosen.get("subject", ""),
            language=chosen.get("language", ""),
        )
        for name in TEXTS:
            limit = Declaration._meta.get_field(name).max_length
            if limit and len(texts[name]) > limit:
                refuse(
                    ErrorKind.LENGTH,
                    _("%(name)s is longer than %(limit)d characters.")
                    % {"name": name, "limit": limit},
                )
        if texts["contact_email"]:
            try:
                validate_email(texts["contact_email"])
            except ValidationError:
                refuse(ErrorKind.FIELD, _("contact_email is not an email address."))
        kind = chosen.get("kind")
        if kind:
            self.check_kind(Kind(kind), texts, answers, refuse)
        if len(errors) > before:
            return None
        return Row(line, ref, participant, Kind(kind), Made(chosen["made"]), date, answers, texts)

    @staticmethod
    def check_kind(kind: Kind, texts: dict, answers: str, refuse) -> None:
        """What the kind of record asks of the row's other values."""
        notification_only = ("subject", "authority", *CONTACT_FIELDS)
        if kind == Kind.NOTIFICATION and not texts["subject"]:
            refuse(
                ErrorKind.FIELD,
                _("a notification says what it notifies: subject, one of %(values)s.")
                % {"values": ", ".join(Subject.values)},
            )
        if kind != Kind.NOTIFICATION:
            for name in notification_only:
                if texts[name]:
                    refuse(ErrorKind.FIELD, _("only a notification has %(name)s.") % {"name": name})
        if kind.answers_another and not answers:
            refuse(
                ErrorKind.REFERENCE,
                _("kind %(kind)s names the ref of what it answers (answers).")
                % {"kind": _shown(kind.value)},
            )
        if answers and not kind.answers_another:
            refuse(ErrorKind.REFERENCE, _("only an objection or a withdrawal answers another."))
        if texts["text_english"] and texts["language"] == Language.ENGLISH:
            refuse(ErrorKind.FIELD, _("the text is in English: text_english stays empty."))


def plan_declarations(
    source: str | bytes | Path, treaty: Treaty, *, max_errors: int | None = MAX_ERRORS
) -> DeclarationPlan:
    """Check every row of a file of declarations against the format and the rules; write
    nothing. `source` is CSV text, the bytes of a file, or its path."""
    reading = _Source(source)
    plan = DeclarationPlan(treaty, Errors(max_errors), Revision.current().number)
    errors = plan.errors
    records = _records(reading, errors)
    started = _start(records, errors, (*COLUMNS, *CONTACT_COLUMNS), REQUIRED)
    if started is None:
        return plan
    columns = started[1]
    reader = _Reader(columns, Participant.objects.name_index())
    rows: list[Row] = []
    lines: dict[str, int] = {}
    for line, cells in records:
        # A ref given twice is an error, whatever else is wrong with either row.
        ref = _clean(cells[columns["ref"]]) if len(cells) > columns["ref"] else ""
        if ref in lines:
            errors.append(
                RowError(
                    line,
                    _("ref %(ref)s is already on line %(line)d.")
                    % {"ref": _shown(ref), "line": lines[ref]},
                    ErrorKind.REPEATED,
                )
            )
            continue
        if ref:
            lines[ref] = line
        row = reader.read(line, cells, errors)
        if row is not None:
            rows.append(row)
    _check(plan, rows)
    return plan


def _recorded_values(record: Declaration) -> dict:
    return {
        "participant": record.participant_id,
        "kind": record.kind,
        "made": record.made,
        "date": record.date,
        "answers": record.answers.ref if record.answers_id else "",
        **{name: getattr(record, name) for name in TEXTS},
    }


def _check(plan: DeclarationPlan, rows: list[Row]) -> None:
    """Each row against what is recorded: new, already there, or in contradiction; then the
    rules for each new row, against the verified actions and what it answers."""
    treaty, errors = plan.treaty, plan.errors
    recorded = {
        record.ref: record
        for record in Declaration.objects.filter(ref__in=[row.ref for row in rows])
        .select_related("answers")
        .order_by()
    }
    for row in rows:
        record = recorded.get(row.ref)
        if record is None:
            plan.new.append(row)
            continue
        message = _contradiction(treaty, row, record)
        if message:
            errors.append(RowError(row.line, message, ErrorKind.CONFLICT))
        else:
            plan.already_there.append(row)
    # What the new rows may answer: the treaty's verified records, and the file's own rows.
    known = {
        record.ref: record.as_statement()
        for record in Declaration.objects.verified().for_treaty(treaty)
    }
    known |= {row.ref: row.statement(treaty) for row in [*plan.new, *plan.already_there]}
    withdrawn = dict(
        Declaration.objects.verified()
        .for_treaty(treaty)
        .filter(kind=Kind.WITHDRAWAL)
        .values_list("answers__ref", "date")
    )
    objected = set(
        Declaration.objects.verified()
        .for_treaty(treaty)
        .filter(kind=Kind.OBJECTION)
        .values_list("answers__ref", "participant")
    )
    acts = Action.objects.rule_inputs(treaty).acts
    today = today_in_new_york()
    for row in sorted(plan.new, key=lambda row: row.line):
        answers = None
        if row.answers:
            answers = known.get(row.answers)
            if answers is None:
                errors.append(
                    RowError(
                        row.line,
                        _(
                            "answers %(ref)s, which is neither a verified record of this "
                            "treaty nor a row of the file."
                        )
                        % {"ref": _shown(row.answers)},
                        ErrorKind.REFERENCE,
                    )
                )
                continue
        problems = rules.check(
            row.statement(treaty),
            acts.get(row.participant.pk, []),
            adopted_on=treaty.adopted_on,
            today=today,
            answers=answers,
            withdrawn_on=withdrawn.get(row.answers) if row.kind == Kind.WITHDRAWAL else None,
        )
        if row.kind == Kind.OBJECTION and (row.answers, row.participant.pk) in objected:
            problems.append(rules.Problem("answers", _("This participant already objected to it.")))
        errors.extend(
            RowError(row.line, f"{row.participant.display_name}: {p.message}", ErrorKind.RULES)
            for p in problems
        )
        if row.kind == Kind.WITHDRAWAL:
            withdrawn.setdefault(row.answers, row.date)
        if row.kind == Kind.OBJECTION:
            objected.add((row.answers, row.participant.pk))


def _contradiction(treaty: Treaty, row: Row, record: Declaration) -> str:
    """Why a row whose ref is recorded is not the same record (empty: it is)."""
    if record.treaty_id != treaty.pk:
        return _("ref %(ref)s is a record of another treaty.") % {"ref": _shown(row.ref)}
    if record.review != Declaration.Review.VERIFIED:
        return _("ref %(ref)s is a submission %(review)s, not a verified record.") % {
            "ref": _shown(row.ref),
            "review": record.get_review_display().lower(),
        }
    given = {
        "participant": row.participant.pk,
        "kind": row.kind,
        "made": row.made,
        "date": row.date,
        "answers": row.answers,
        **row.values,
    }
    recorded = _recorded_values(record)
    for name in given:
        # A file without the contact columns says nothing about them.
        if name in CONTACT_FIELDS and not given[name]:
            continue
        if given[name] != recorded[name]:
            return _("ref %(ref)s is recorded with another %(field)s (%(recorded)s).") % {
                "ref": _shown(row.ref),
                "field": name,
                "recorded": _shown(str(recorded[name])) if name not in CONTACT_FIELDS else "…",
            }
    return ""


def export_rows(records: Iterable[Declaration], *, contacts: bool = False) -> Iterable[list[str]]:
    """The CSV rows for these records, header first: what `plan_declarations` reads back.
    The contact details only with `contacts` (staff's own files, never open data)."""
    columns = [*COLUMNS, *(CONTACT_COLUMNS if contacts else ())]
    yield columns
    for record in records:
        values = {
            "ref": record.ref,
            "participant": record.participant.name,
            "kind": record.kind,
            "made": record.made,
            "date": record.date.isoformat(),
            "answers": record.answers.ref if record.answers_id else "",
        }
        yield [
            _neutralised(values[name] if name in values else getattr(record, name))
            for name in columns
        ]


def exported(treaty: Treaty, *, contacts: bool = False):
    """A treaty's verified records in the order the files list them."""
    records = Declaration.objects.verified() if contacts else Declaration.objects.public()
    return (
        records.for_treaty(treaty)
        .select_related("participant", "answers")
        .order_by("date", "participant__name", "kind", "ref")
    )
