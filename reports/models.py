"""What governments and the press report before the depositary records it (docs/workflow.md,
"Reports"): domestic steps toward an instrument, reported signatures and instruments,
reservations, national designations. Shown with their source; never counted.

A report links to the verified action that later records it, and then leaves the
"reported" list: the link is worked out from the verified record each time it is shown
(`Report.recorded_by`), so it follows every way an action is verified, undone or imported.
"""

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ratifications import rules
from ratifications.models import Action, Revision, Treaty
from ratifications.rules import ActionKind
from states.models import Participant, match_key

# The columns of a reports file (fixtures/hanoi_reports_2026.csv), in any order.
COLUMNS = ("participant", "kind", "date", "articles", "summary", "confidence", "source")
REQUIRED = ("participant", "kind", "date", "summary", "confidence", "source")


class ReportQuerySet(models.QuerySet):
    def for_treaty(self, treaty):
        return self.filter(treaty=treaty)

    def for_participant(self, participant):
        return self.filter(participant=participant)

    def with_recorded(self, actions: Iterable[Action] | None = None) -> list["Report"]:
        """The reports, each with `recorded`: the verified action that records it, or None.

        Among `actions` when given (verified ones, which the caller has already), else
        those read in one query more: their participants' verified signatures and
        instruments.
        """
        reports = list(self)
        if actions is None and reports:
            actions = Action.objects.verified().filter(
                participant__in={r.participant_id for r in reports},
                treaty__in={r.treaty_id for r in reports},
                kind__in=[ActionKind.SIGNATURE, *rules.INSTRUMENTS],
            )
        found = defaultdict(list)
        for action in actions or ():
            if action.review == Action.Review.VERIFIED:
                found[action.treaty_id, action.participant_id].append(action)
        for report in reports:
            report.recorded = report.recorded_by(found[report.treaty_id, report.participant_id])
        return reports

    def load_csv(self, path: Path, treaty: Treaty) -> tuple[int, int, int]:
        """Load a reports file: (added, updated, unchanged). A report is known by its
        participant, kind, date and source; one whose other values differ is brought in
        line. Raises ValueError naming each bad line; the caller's transaction then
        writes nothing."""
        names = Participant.objects.name_index()
        known = {
            (r.participant_id, r.kind, r.date, r.source): r for r in self.filter(treaty=treaty)
        }
        errors, reports = [], []
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            header = [name.strip().lower() for name in reader.fieldnames or ()]
            unknown = sorted(set(header) - set(COLUMNS))
            missing = [name for name in REQUIRED if name not in header]
            if unknown or missing:
                raise ValueError(
                    f"line 1: the columns are {','.join(COLUMNS)}"
                    + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                    + (f"; missing: {', '.join(missing)}" if missing else "")
                )
            reader.fieldnames = header
            for row in reader:
                values = {name: (row.get(name) or "").strip() for name in COLUMNS}
                line = reader.line_num
                participant = names.get(match_key(values["participant"]))
                try:
                    date = dt.date.fromisoformat(values["date"])
                except ValueError:
                    date = None
                report = Report(
                    treaty=treaty,
                    participant=participant,
                    kind=values["kind"],
                    date=date,
                    articles=values["articles"],
                    summary=values["summary"],
                    confidence=values["confidence"],
                    source=values["source"],
                )
                try:
                    if participant is None:
                        raise ValidationError(
                            {"participant": f"unknown participant {values['participant']!r}"}
                        )
                    report.full_clean(exclude=["treaty", "participant"], validate_unique=False)
                except ValidationError as error:
                    problems = "; ".join(
                        f"{field}: {' '.join(messages)}"
                        for field, messages in error.message_dict.items()
                    )
                    errors.append(f"line {line}: {problems}")
                    continue
                reports.append(report)
        if errors:
            raise ValueError("\n".join(errors))
        added = updated = unchanged = 0
        for report in reports:
            old = known.get((report.participant_id, report.kind, report.date, report.source))
            if old is None:
                report.save()
                added += 1
            elif (old.articles, old.summary, old.confidence) != (
                report.articles,
                report.summary,
                report.confidence,
            ):
                old.articles, old.summary = report.articles, report.summary
                old.confidence = report.confidence
                old.save()
                updated += 1
            else:
                unchanged += 1
        return added, updated, unchanged


class ReportKind(models.TextChoices):
    DOMESTIC_STATEMENT = "domestic_statement", _("Domestic procedure announced")
    DOMESTIC_BEFORE_PARLIAMENT = "domestic_before_parliament", _("Before parliament")
    DOMESTIC_APPROVAL_BY_PARLIAMENT = (
        "domestic_approval_by_parliament",
        _("Approved by parliament"),
    )
    DOMESTIC_LAW_SIGNED = "domestic_law_signed", _("Law approving it signed")
    DOMESTIC_INSTRUMENT_DEPOSITED = (
        "domestic_instrument_deposited",
        _("Instrument deposited, not yet notified by the depositary"),
    )
    SIGNATURE = "signature", _("Signature reported")
    INSTRUMENT = "instrument", _("Instrument reported")
    RESERVATION = "reservation", _("Reservation")
    DESIGNATION_NATIONAL = "designation_national", _("National designation")

    @property
    def toward_instrument(self) -> bool:
        """A step toward the participant's instrument: what "reported, not yet
        deposited" counts."""
        return self.value.startswith("domestic_") or self == ReportKind.INSTRUMENT


class Confidence(models.TextChoices):
    GOVERNMENT = "government", _("Government source")
    PRESS = "press", _("Press report")


class Report(models.Model):
    """A step reported by a government or the press, not (yet) recorded by the depositary."""

    Kind = ReportKind
    Confidence = Confidence

    treaty = models.ForeignKey(
        Treaty, on_delete=models.PROTECT, related_name="reports", verbose_name=_("treaty")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("what is reported"), max_length=40, choices=Kind.choices)
    date = models.DateField(_("date"), help_text=_("When it happened, as the source says."))
    articles = models.CharField(
        _("articles or subjects"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 7(2); 9(2), or the designation's subjects"),
    )
    summary = models.TextField(_("summary"))
    source = models.CharField(
        _("source"),
        max_length=500,
        help_text=_("Where it is reported: the address of the article or official page."),
    )
    confidence = models.CharField(
        _("kind of source"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.GOVERNMENT,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    objects = ReportQuerySet.as_manager()
    # Who reported, edited or withdrew each, and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReportKind.values),
                name="report_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__in=["government", "press"]),
                name="report_confidence_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(summary="") & ~models.Q(source=""),
                name="report_has_summary_and_source",
            ),
            # What `load_csv` knows a report by: loading the shipped file again adds nothing.
            models.UniqueConstraint(
                fields=["treaty", "participant", "kind", "date", "source"], name="report_once"
            ),
        ]
        indexes = [
            # The participant page: one participant's reports on every treaty.
            models.Index(fields=["participant", "treaty"], name="report_participant_treaty"),
        ]

    def __str__(self):
        return gettext("%(participant)s: %(kind)s, %(date)s") % {
            "participant": self.participant.display_name,
            "kind": self.get_kind_display(),
            "date": date_format(self.date, "DATE_FORMAT"),
        }

    @property
    def source_is_link(self) -> bool:
        """Whether the source is an address to link to (never a javascript: one)."""
        return self.source.startswith(("https://", "http://"))

    def recorded_by(self, actions: Iterable[Action]) -> Action | None:
        """The verified action, among the participant's on the treaty, that records what this
        reports, or None. A reported signature is recorded by the signature; a reported
        instrument by an instrument; a domestic step by an instrument deposited on or after
        it. A reservation or a designation stays a report (linking them to declarations
        recorded by the depositary comes later)."""
        kind = Report.Kind(self.kind)
        if kind == Report.Kind.SIGNATURE:
            found = [a for a in actions if a.kind == ActionKind.SIGNATURE]
        elif kind == Report.Kind.INSTRUMENT:
            found = [a for a in actions if ActionKind(a.kind).is_instrument]
        elif kind.toward_instrument:
            found = [a for a in actions if ActionKind(a.kind).is_instrument and a.date >= self.date]
        else:
            found = []
        return min(found, key=lambda a: (a.date, a.pk), default=None)

    def clean(self):
        super().clean()
        if self.date and self.date > rules.today_in_new_york():
            raise ValidationError(
                {"date": gettext("A report is of what happened: not a date after today.")}
            )
        if self.date and self.treaty_id and self.date < self.treaty.adopted_on:
            raise ValidationError(
                {
                    "date": gettext("The treaty was adopted on %(day)s.")
                    % {"day": date_format(self.treaty.adopted_on, "DATE_FORMAT")}
                }
            )


def reported_not_deposited(treaty: Treaty) -> set[int]:
    """The participants (their keys) with a step toward their instrument reported (a
    domestic step, an instrument) that the depositary has not recorded: the dashboard
    shows them beside the counters, never in them. Two queries."""
    toward = [kind for kind in Report.Kind if kind.toward_instrument]
    reports = Report.objects.for_treaty(treaty).filter(kind__in=toward).with_recorded()
    return {report.participant_id for report in reports if report.recorded is None}


def participant_reports(participant: Participant, actions: Iterable[Action]) -> dict[int, dict]:
    """A participant's reports for its page, by treaty pk: those the depositary has not
    recorded (`reported`) and those it has since (`recorded`), each with the action that
    records it, found among `actions` (its verified actions, which the page has already).
    One query."""
    reports = (
        Report.objects.for_participant(participant)
        .order_by("date", "pk")
        .fetch_mode(models.FETCH_RAISE)
        .with_recorded(actions)
    )
    found = defaultdict(lambda: {"reported": [], "recorded": []})
    for report in reports:
        report.participant = participant
        found[report.treaty_id]["recorded" if report.recorded else "reported"].append(report)
    return found


def as_csv_rows(reports: Iterable[Report]) -> Iterable[list[str]]:
    """The open data's CSV (docs/open-data.md): the reports file's columns, the participant's
    code, and the action that records it, if any."""
    from ratifications.importing import _neutralised  # the import's guard against formulas

    yield [
        "participant",
        "iso3",
        "kind",
        "date",
        "articles",
        "summary",
        "confidence",
        "source",
        "recorded_action",
        "recorded_date",
    ]
    for report in reports:
        recorded = report.recorded
        yield [
            _neutralised(report.participant.name),
            report.participant.iso3,
            report.kind,
            report.date.isoformat(),
            _neutralised(report.articles),
            _neutralised(report.summary),
            report.confidence,
            _neutralised(report.source),
            recorded.kind if recorded else "",
            recorded.date.isoformat() if recorded else "",
        ]


@receiver([post_save, post_delete], sender=Report)
def _advance_revision(sender, **kwargs):
    # The participant pages and the open data show reports.
    Revision.advance()
