"""In step with the depositary: each check of the record against its status file, the
differences found, and the dismissals of those the depositary's staff judged not to matter.

A check (`Reconciliation.objects.check_file`) is recorded however it was made: the
`reconcile_untc` command (and its daily cron line), an upload or a fetch from the depositary's
page. What is missing here is recorded as verified actions through the import's own checks and
write path (ratifications/importing.py), all or nothing.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from depositary import untc
from depositary.untc import Difference as Kind
from ratifications.importing import ImportFailed, plan_import
from ratifications.models import Action, Revision, Treaty
from ratifications.rules import ActionKind
from states.models import Participant

# The audit trail's reason for an action recorded from the depositary's file (CHANGE_REASONS).
RECONCILED = "reconciled"


class Refused(Exception):
    """The rules refuse what the file says is missing here; nothing was recorded."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


class ReconciliationQuerySet(models.QuerySet):
    def check_file(
        self, file: untc.StatusFile, treaty: Treaty, *, by=None, origin: str, source: str
    ) -> "Reconciliation":
        """Compare the file with the treaty's verified actions and record the check and its
        differences (also as `untc.Found`, in the result's `found_items`). Refuses
        (untc.Unreadable) a file of another treaty, recording nothing."""
        reference = treaty.untc_reference.strip().upper()
        if file.reference.upper() != reference:
            raise untc.Unreadable(
                [
                    gettext(
                        "This is the status file of %(file)s (%(title)s), not of %(treaty)s "
                        "(%(reference)s)."
                    )
                    % {
                        "file": file.reference,
                        "title": file.title or "?",
                        "treaty": treaty.display_name,
                        "reference": reference or gettext("no UN Treaty Collection reference"),
                    }
                ]
            )
        recorded = [
            untc.Recorded(iso3, name, ActionKind(kind), day)
            for iso3, name, kind, day in Action.objects.verified()
            .for_treaty(treaty)
            .values_list("participant__iso3", "participant__name", "kind", "date")
        ]
        participants = Participant.objects.name_index()
        found = untc.compare(file, recorded, untc.participant_finder(participants))
        by_code = {p.iso3: p for p in participants.values()}
        with transaction.atomic():
            check = self.create(
                treaty=treaty,
                checked_by=by,
                origin=origin,
                source=source[:500],
                status_as_at=file.as_at,
                newest_date=file.newest,
                rows=len(file.rows),
                found=len(found),
            )
            # Only the newest check's differences are kept; the older checks stay listed.
            StoredDifference.objects.filter(reconciliation__treaty=treaty).exclude(
                reconciliation=check
            ).delete()
            StoredDifference.objects.bulk_create(
                StoredDifference.of(check, item, by_code.get(item.iso3)) for item in found
            )
        check.found_items = found
        return check


class Reconciliation(models.Model):
    """One check of a treaty's record against the depositary's status file."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("uploaded")
        FETCH = "fetch", _("fetched from the depositary")
        COMMAND = "command", _("the reconcile_untc command")

    treaty = models.ForeignKey(
        Treaty, on_delete=models.CASCADE, related_name="reconciliations", verbose_name=_("treaty")
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    origin = models.CharField(_("how"), max_length=10, choices=Origin.choices)
    source = models.CharField(_("file"), max_length=500, help_text=_("Its name or address."))
    status_as_at = models.DateTimeField(_("status as at"), null=True, blank=True)
    # The newest date in the file's table: what "status about" means without an "as at" time.
    newest_date = models.DateField(_("newest date in the file"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("participants in the file"))
    found = models.PositiveIntegerField(_("differences found"))

    objects = ReconciliationQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-pk"]
        verbose_name = _("check against the depositary")
        verbose_name_plural = _("checks against the depositary")
        indexes = [
            # The dashboard's "checked against the depositary on ..." and the page's last check.
            models.Index(fields=["treaty", "-checked_at"], name="reconciliation_latest"),
        ]

    def __str__(self):
        return gettext("%(treaty)s, checked on %(when)s") % {
            "treaty": self.treaty.display_name,
            "when": date_format(timezone.localtime(self.checked_at), "DATETIME_FORMAT"),
        }

    @property
    def action_source(self) -> str:
        """The source of the actions recorded from the file: it names the file's time."""
        where = f"UN Treaty Collection, MTDSG {self.treaty.untc_reference} status file"
        if self.status_as_at:
            when = timezone.localtime(self.status_as_at, untc.NEW_YORK)
            return f"{where} (status as at {when:%d %b %Y %H:%M:%S} {when.tzname()})"
        if self.newest_date:
            return (
                f"{where} (status about {self.newest_date:%d %b %Y}, its newest date; "
                "the file gives no status as at time)"
            )
        return where

    def record_missing(self, items: Iterable["Discrepancy"], by=None) -> int:
        """Record these "missing here" differences as verified actions, all or none, through
        the import's checks and write path (source: `action_source`). Returns how many were
        added (0 for those recorded meanwhile). Raises Refused when the rules refuse any."""
        rows = [item.as_row() for item in items]
        if not rows:
            return 0
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["participant", "action", "date", "source"])
        writer.writerows([*row, self.action_source] for row in rows)
        plan = plan_import(out.getvalue(), self.treaty)
        if not plan.ok:
            raise Refused(error.message for error in plan.errors)
        try:
            return plan.apply(by, reason=RECONCILED)
        except ImportFailed as error:
            raise Refused([str(error)]) from None


class Discrepancy(models.Model):
    """A difference as found, and as dismissed: which participant, which action here and
    there. `key` names it across checks, so a dismissal holds for later checks that find it
    again (and only for those)."""

    kind = models.CharField(_("difference"), max_length=16, choices=Kind.choices)
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    # The UN name; for a participant not matched, the name the file gives.
    name = models.CharField(_("name"), max_length=200)
    here_kind = models.CharField(max_length=24, blank=True, choices=ActionKind.choices)
    here_date = models.DateField(null=True, blank=True)
    there_kind = models.CharField(max_length=24, blank=True, choices=ActionKind.choices)
    there_date = models.DateField(null=True, blank=True)
    there_symbol = models.CharField(max_length=2, blank=True)
    there_in_effect = models.BooleanField(default=True)
    # A participant not matched: its row in the file, and its actions there.
    row = models.PositiveIntegerField(null=True, blank=True)
    entries = models.JSONField(default=list, blank=True)  # [[kind, date, symbol, in effect]]
    key = models.CharField(max_length=400)

    class Meta:
        abstract = True

    @staticmethod
    def key_of(item: untc.Found) -> str:
        here = f"{item.here.kind.value}:{item.here.date}" if item.here else ""
        there = f"{item.there.kind.value}:{item.there.date}" if item.there else ""
        who = item.iso3 or f"{item.name}|{'; '.join(str(e) for e in item.entries)}"
        return "|".join([item.kind.value, who, here, there])[:400]

    def fill(self, item: untc.Found, participant: Participant | None) -> None:
        self.kind, self.participant, self.name = item.kind, participant, item.name
        if item.here:
            self.here_kind, self.here_date = item.here.kind, item.here.date
        if item.there:
            self.there_kind, self.there_date = item.there.kind, item.there.date
            self.there_symbol, self.there_in_effect = item.there.symbol, item.there.in_effect
        self.row = item.row
        self.entries = [
            [e.kind.value, e.date.isoformat(), e.symbol, e.in_effect] for e in item.entries
        ]
        self.key = self.key_of(item)

    @property
    def can_be_recorded(self) -> bool:
        """Missing here and in effect: an action no longer in effect is recorded by hand,
        with the denunciation or withdrawal that ended it."""
        return self.kind == Kind.MISSING_HERE and self.there_in_effect

    def as_row(self) -> tuple[str, str, str]:
        """The import's participant, action and date of what is missing here."""
        return self.participant.iso3, self.there_kind, self.there_date.isoformat()

    def describe(self) -> str:
        """The difference in a sentence, in the page's language."""

        def action(kind, day, symbol="", in_effect=True):
            text = gettext("%(kind)s of %(date)s") % {
                "kind": ActionKind(kind).label.lower(),
                "date": date_format(day, "DATE_FORMAT"),
            }
            text = f"{text} ({symbol})" if symbol else text
            return (
                text if in_effect else gettext("%(action)s, no longer in effect") % {"action": text}
            )

        # A matched participant by its name in the page's language; one not matched as the
        # file wrote it.
        values = {"name": self.participant.display_name if self.participant_id else self.name}
        if self.here_kind:
            values["here"] = action(self.here_kind, self.here_date)
        if self.there_kind:
            values["there"] = action(self.there_kind, self.there_date, self.there_symbol)
        if self.kind == Kind.NOT_MATCHED:
            return gettext(
                "%(name)s (row %(row)d of the file) is no participant's name or alias. Its row: "
                "%(entries)s."
            ) % {
                **values,
                "row": self.row or 0,
                "entries": "; ".join(
                    action(kind, dt.date.fromisoformat(day), symbol, in_effect)
                    for kind, day, symbol, in_effect in self.entries
                )
                or "—",
            }
        if self.kind == Kind.MISSING_HERE:
            text = gettext("%(name)s: %(there)s is in the depositary's file, not here.") % values
            if not self.there_in_effect:
                text += " " + gettext("The file marks it as no longer in effect.")
            return text
        if self.kind == Kind.MISSING_THERE:
            return gettext("%(name)s: %(here)s is recorded here, not in the depositary's file.") % (
                values
            )
        return gettext("%(name)s: %(here)s here; %(there)s in the depositary's file.") % values


class StoredDifference(Discrepancy):
    """A difference found by a check (only the newest check's are kept)."""

    reconciliation = models.ForeignKey(
        Reconciliation, on_delete=models.CASCADE, related_name="differences"
    )

    class Meta:
        db_table = "depositary_difference"
        ordering = ["pk"]
        verbose_name = _("difference")
        verbose_name_plural = _("differences")

    def __str__(self):
        return self.describe()

    @classmethod
    def of(cls, check: Reconciliation, item: untc.Found, participant) -> "StoredDifference":
        stored = cls(reconciliation=check)
        stored.fill(item, participant)
        return stored


class Dismissal(Discrepancy):
    """The depositary's staff judged a difference not to matter: who, when, why."""

    treaty = models.ForeignKey(
        Treaty, on_delete=models.CASCADE, related_name="+", verbose_name=_("treaty")
    )
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), default=timezone.now)

    # The audit trail of dismissals, as actions have theirs.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-dismissed_at", "-pk"]
        verbose_name = _("dismissed difference")
        verbose_name_plural = _("dismissed differences")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "key"], name="dismissal_once"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="dismissal_has_reason"),
        ]

    def __str__(self):
        return self.describe()

    @classmethod
    def of(cls, difference: StoredDifference, *, by, reason: str) -> "Dismissal":
        """Dismiss a difference found; the audit trail records who and why."""
        dismissal = cls(
            treaty=difference.reconciliation.treaty,
            reason=reason.strip(),
            dismissed_by=by,
        )
        for field in Discrepancy._meta.get_fields():
            setattr(dismissal, field.attname, getattr(difference, field.attname))
        dismissal._history_user = by
        dismissal._change_reason = "dismissed"
        dismissal.save()
        return dismissal


@receiver([post_save, post_delete], sender=Reconciliation)
def _advance_revision(sender, **kwargs):
    # The dashboard says when the record was last checked against the depositary.
    Revision.advance()


def recorded_since(treaty: Treaty, differences: Iterable[Discrepancy]) -> dict[int, Action]:
    """For each "missing here" difference, by pk, the verified action that now records it
    (one query)."""
    wanted = [d for d in differences if d.kind == Kind.MISSING_HERE and d.participant_id]
    if not wanted:
        return {}
    actions = {
        (a.treaty_id, a.participant_id, a.kind, a.date): a
        for a in Action.objects.verified().filter(
            treaty=treaty,
            participant__in={d.participant_id for d in wanted},
            date__in={d.there_date for d in wanted},
        )
    }
    return {
        d.pk: action
        for d in wanted
        if (action := actions.get((treaty.pk, d.participant_id, d.there_kind, d.there_date)))
    }
