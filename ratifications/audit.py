"""The audit trail: each version of an action, with what changed from the one before."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ratifications.models import Action

# What the audit trail shows of each version, in this order.
AUDITED_FIELDS = (
    "review",
    "kind",
    "date",
    "place",
    "notification",
    "source",
    "note",
    "rejection_reason",
    "undo_reason",
)


# Why a version was made, as the workflow records it (`record_change`, the
# views, the import) and as the audit trail shows it.
CHANGE_REASONS = {
    "submitted": _("submitted"),
    "edited": _("edited"),
    "verified": _("verified"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn"),
    "undone": _("decision undone"),
    "entered verified": _("entered verified"),
    "import": _("import"),
    # Recorded from the depositary's status file (depositary/models.py, RECONCILED).
    "reconciled": _("accepted from the depositary's status file"),
    # The declarations an action carried became records of their own (declarations/).
    "moved to declarations": _("moved to the declarations"),
    "moved from actions": _("moved from the actions"),
}
# A version made with no reason (the admin, a fixture): what simple_history saw.
HISTORY_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class AuditEntry:
    """One version of an action: who, when, why, and each field's value before and after."""

    record: models.Model
    changes: list[tuple[str, str, str]]

    @property
    def reason(self) -> str:
        reason = self.record.history_change_reason
        if reason:
            return str(CHANGE_REASONS.get(reason, reason))
        return str(HISTORY_TYPES.get(self.record.history_type, self.record.history_type))


def _shown(record, name: str) -> str:
    value = getattr(record, name)
    if record._meta.get_field(name).choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, dt.date):
        return date_format(value, "DATE_FORMAT")
    return value or ""


def _entry(record, before, fields: tuple[str, ...] = AUDITED_FIELDS) -> AuditEntry:
    """One version, with its differences from the version before it (None: the first)."""
    if before is None:
        changes = [(name, "", _shown(record, name)) for name in fields if _shown(record, name)]
    else:
        delta = record.diff_against(before, included_fields=fields)
        changed = {change.field for change in delta.changes}
        changes = [
            (name, _shown(before, name), _shown(record, name)) for name in fields if name in changed
        ]
    model = record.instance_type
    verbose = {name: model._meta.get_field(name).verbose_name for name in fields}
    return AuditEntry(record, [(verbose[name], old, new) for name, old, new in changes])


def _in_order(records: Iterable[models.Model]) -> list[models.Model]:
    return sorted(records, key=lambda r: (r.history_date, r.history_id))


def audit_trail(
    records: Iterable[models.Model], fields: tuple[str, ...] = AUDITED_FIELDS
) -> list[AuditEntry]:
    """The versions of records, oldest first, each with its differences from the previous one.

    `records` are historical actions (or other records, with the `fields` to show) in any
    order; differences are computed here (simple_history's `diff_against`) without a
    query per record.
    """
    entries, previous = [], {}
    for record in _in_order(records):
        entries.append(_entry(record, previous.get(record.id), fields))
        previous[record.id] = record
    return entries


def audit_entries(records: Iterable[models.Model]) -> list[AuditEntry]:
    """Some versions of actions (a page of a search), in the order given, each with its
    differences from the version before it, wherever that one is: one more query."""
    records = list(records)
    every_version = Action.history.filter(id__in={record.id for record in records})
    previous, last = {}, {}
    for version in _in_order(every_version):
        previous[version.history_id] = last.get(version.id)
        last[version.id] = version
    return [_entry(record, previous.get(record.history_id)) for record in records]
