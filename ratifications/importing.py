"""CSV import and export of actions (CONTRACT.md "Data files").

One code path for every bulk way in: `import_actions`, `load_defaults` and the
upload page all build an `ImportPlan`, show its errors, and apply it only when
it has none. Rows are checked with the same rules engine as the forms.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ratifications import rules
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Participant, match_key

COLUMNS = ("participant", "action", "date", "place", "notification", "note", "source")
REQUIRED = ("participant", "action", "date")
OPTIONAL = ("place", "notification", "note", "source")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_LENGTHS = {
    name: Action._meta.get_field(name).max_length for name in ("place", "notification", "source")
}


class ImportFailed(Exception):
    """The database changed under a checked plan; nothing was written."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    participant: Participant
    kind: ActionKind
    date: dt.date
    place: str = ""
    notification: str = ""
    note: str = ""
    source: str = ""

    @property
    def key(self) -> tuple:
        return (self.participant.pk, self.kind.value, self.date)

    def as_act(self) -> rules.Act:
        return rules.Act(self.participant.iso3, self.kind, self.date, self.participant.is_reio)


@dataclass
class ImportPlan:
    treaty: Treaty
    new: list[Row] = field(default_factory=list)
    already_there: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def apply(self, user=None) -> int:
        """Record the new rows as verified actions, all or none. Returns how many."""
        if self.errors:
            raise ValueError("A plan with errors cannot be applied.")
        now = timezone.now()
        actions = [
            Action(
                treaty=self.treaty,
                participant=row.participant,
                kind=row.kind,
                date=row.date,
                place=row.place,
                notification=row.notification,
                note=row.note,
                source=row.source,
                state=Action.State.VERIFIED,
                submitted_by=user,
                submitted_at=now,
                reviewed_by=user,
                reviewed_at=now,
            )
            for row in self.new
        ]
        try:
            with transaction.atomic():
                bulk_create_with_history(
                    actions,
                    Action,
                    batch_size=1000,
                    default_user=user,
                    default_change_reason="import",
                )
        except IntegrityError:
            raise ImportFailed(
                _("The recorded actions changed while importing; nothing was written. Try again.")
            ) from None
        return len(actions)


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            _("The file is not UTF-8 text (byte %(position)d). Save it as CSV UTF-8 and try again.")
            % {"position": exc.start + 1}
        ) from None


def plan_import(text: str, treaty: Treaty) -> ImportPlan:
    """Check every row of a CSV text against the format and the rules; write nothing."""
    plan = ImportPlan(treaty)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        plan.errors.append(
            RowError(1, _("The file is empty: it needs a header row (%s).") % ",".join(COLUMNS))
        )
        return plan
    columns = [cell.strip().lower() for cell in header]
    problems = _check_header(columns)
    if problems:
        plan.errors.extend(RowError(1, message) for message in problems)
        return plan

    names = Participant.objects.name_index()
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            plan.errors.append(
                RowError(
                    start,
                    _("expected %(expected)d values, found %(found)d.")
                    % {"expected": len(columns), "found": len(cells)},
                )
            )
            continue
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
        row = _parse_row(start, values, names, plan.errors)
        if row is None:
            continue
        if row.key in seen:
            plan.errors.append(
                RowError(start, _("the same action as line %(line)d.") % {"line": seen[row.key]})
            )
            continue
        seen[row.key] = start
        rows.append(row)

    _check_against_records(plan, rows)
    plan.errors.sort(key=lambda error: error.line)
    return plan


def _check_header(columns: list[str]) -> list[str]:
    problems = []
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        problems.append(
            _("unknown column %(names)s; the columns are %(columns)s.")
            % {"names": ", ".join(repr(n) for n in unknown), "columns": ",".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(_("missing column %(names)s.") % {"names": ", ".join(missing)})
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        problems.append(_("column %(names)s appears twice.") % {"names": ", ".join(repeated)})
    return problems


def _parse_row(line: int, values: dict, names: dict, errors: list[RowError]) -> Row | None:
    before = len(errors)
    participant = names.get(match_key(values["participant"]))
    if participant is None:
        if values["participant"]:
            message = _(
                "unknown participant %(name)r: use its ISO alpha-3 code, UN name or a known alias."
            ) % {"name": values["participant"]}
        else:
            message = _("the participant is missing.")
        errors.append(RowError(line, message))
    raw_kind = re.sub(r"[\s-]+", "_", values["action"].lower())
    if raw_kind not in ActionKind.values:
        errors.append(
            RowError(
                line,
                _("unknown action %(action)r; one of %(kinds)s.")
                % {"action": values["action"], "kinds": ", ".join(ActionKind.values)},
            )
        )
    date = None
    try:
        if _DATE.match(values["date"]):
            date = dt.date.fromisoformat(values["date"])
    except ValueError:
        pass
    if date is None:
        errors.append(
            RowError(line, _("bad date %(date)r: write YYYY-MM-DD.") % {"date": values["date"]})
        )
    for name, limit in _MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            errors.append(
                RowError(
                    line,
                    _("%(name)s is longer than %(limit)d characters.")
                    % {"name": name, "limit": limit},
                )
            )
    if len(errors) > before:
        return None
    return Row(
        line=line,
        participant=participant,
        kind=ActionKind(raw_kind),
        date=date,
        **{name: values.get(name, "") for name in OPTIONAL},
    )


def _check_against_records(plan: ImportPlan, rows: list[Row]) -> None:
    """Sort rows into new and already there, and check the new ones with the rules."""
    treaty = plan.treaty
    recorded = {
        (a.participant_id, a.kind, a.date): a
        for a in Action.objects.verified().for_treaty(treaty).select_related("participant")
    }
    history: dict[str, list[rules.Act]] = defaultdict(list)
    members_of: dict[str, list[str]] = defaultdict(list)
    for action in recorded.values():
        history[action.participant.iso3].append(action.as_act())
    for organization in Participant.objects.filter(kind="reio").prefetch_related("members"):
        members_of[organization.iso3] = [m.iso3 for m in organization.members.all()]
    parent_history = _parent_history(treaty)

    today = rules.today_in_new_york()
    clauses = treaty.clauses
    # In date order, so that a file may list a ratification before its signature.
    for row in sorted(rows, key=lambda r: (r.date, r.kind == ActionKind.DENUNCIATION, r.line)):
        existing = recorded.get(row.key)
        if existing is not None:
            conflict = _conflict(row, existing)
            if conflict:
                plan.errors.append(RowError(row.line, conflict))
            else:
                plan.already_there.append(row)
            continue
        act = row.as_act()
        members = [a for iso3 in members_of.get(act.participant, ()) for a in history[iso3]]
        parent = None
        if parent_history is not None:
            parent = (treaty.parent.clauses, parent_history[act.participant])
        problems = rules.check_action(
            clauses, act, history[act.participant], today=today, members=members, parent=parent
        )
        if problems:
            plan.errors.extend(
                RowError(row.line, f"{row.participant.name}: {problem.message}")
                for problem in problems
            )
            continue
        history[act.participant].append(act)
        plan.new.append(row)
    plan.new.sort(key=lambda r: r.line)


def _parent_history(treaty: Treaty) -> dict[str, list[rules.Act]] | None:
    if treaty.parent_id is None:
        return None
    history: dict[str, list[rules.Act]] = defaultdict(list)
    for action in (
        Action.objects.verified().for_treaty(treaty.parent_id).select_related("participant")
    ):
        history[action.participant.iso3].append(action.as_act())
    return history


def _conflict(row: Row, existing: Action) -> str:
    for name in OPTIONAL:
        given, recorded = getattr(row, name), getattr(existing, name)
        if given and given != recorded:
            return _(
                "%(participant)s's %(kind)s of %(date)s is recorded with %(field)s %(recorded)r, "
                "not %(given)r."
            ) % {
                "participant": row.participant.name,
                "kind": row.kind.label.lower(),
                "date": row.date.isoformat(),
                "field": name,
                "recorded": recorded,
                "given": given,
            }
    return ""


def export_rows(actions: Iterable[Action]) -> Iterable[list[str]]:
    """The CSV rows for these actions, header first: what `plan_import` reads back."""
    yield list(COLUMNS)
    for action in actions:
        yield [
            action.participant.name,
            action.kind,
            action.date.isoformat(),
            action.place,
            action.notification,
            action.note,
            action.source,
        ]
