import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ratifications import rules
from ratifications.rules import ActionKind
from states.models import Participant


class TreatyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Treaty(models.Model):
    """A treaty or protocol, with its final clauses as data (DOMAIN.md)."""

    slug = models.SlugField(max_length=80, unique=True)
    short_name = models.CharField(max_length=200)
    title = models.TextField(help_text=_("The full title, as in the certified text."))
    untc_reference = models.CharField(
        "UN Treaty Collection reference", max_length=40, blank=True, help_text="e.g. XVIII-16"
    )
    url = models.URLField("status page", blank=True)
    adopted_on = models.DateField()
    signature_opens_on = models.DateField(null=True, blank=True)
    signature_closes_on = models.DateField(null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(
        help_text=_("Instruments needed for entry into force.")
    )
    entry_into_force_days = models.PositiveSmallIntegerField(
        help_text=_("Entry into force on this day after the threshold instrument.")
    )
    later_entry_into_force_days = models.PositiveSmallIntegerField(
        help_text=_("For a later instrument: in force on this day after its deposit.")
    )
    later_whichever_is_later = models.BooleanField(
        default=True,
        help_text=_(
            "For a later instrument: or on the treaty's entry into force, whichever is later."
        ),
    )
    reio_instruments_count = models.BooleanField(
        default=False,
        help_text=_("Whether an organization's instrument counts as additional to its members'."),
    )
    denunciation_months = models.PositiveSmallIntegerField(
        default=12, help_text=_("A denunciation takes effect this many months after receipt.")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        help_text=_("For a protocol: the treaty it supplements."),
    )

    objects = TreatyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["adopted_on", "short_name"]
        verbose_name_plural = "treaties"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=1), name="treaty_threshold_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(signature_opens_on__isnull=True)
                | models.Q(signature_opens_on__gte=models.F("adopted_on")),
                name="treaty_signature_opens_after_adoption",
            ),
            models.CheckConstraint(
                condition=models.Q(signature_closes_on__isnull=True)
                | models.Q(signature_opens_on__isnull=True)
                | models.Q(signature_closes_on__gte=models.F("signature_opens_on")),
                name="treaty_signature_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(denunciation_months__gte=1),
                name="treaty_denunciation_delay_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="treaty_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.short_name

    def get_absolute_url(self):
        return reverse("ratifications:dashboard", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def clauses(self) -> rules.Clauses:
        return rules.Clauses(
            threshold=self.threshold,
            entry_into_force_days=self.entry_into_force_days,
            later_entry_into_force_days=self.later_entry_into_force_days,
            later_whichever_is_later=self.later_whichever_is_later,
            reio_instruments_count=self.reio_instruments_count,
            adopted_on=self.adopted_on,
            signature_opens_on=self.signature_opens_on,
            signature_closes_on=self.signature_closes_on,
            denunciation_months=self.denunciation_months,
        )

    def status(self, as_of: dt.date | None = None) -> "TreatyStatus":
        """The public status as of a New York date: verified actions only (rule 6).

        One query: the verified actions up to that date with their participants.
        """
        as_of = as_of or rules.today_in_new_york()
        actions = list(
            Action.objects.verified()
            .filter(treaty=self, date__lte=as_of)
            .select_related("participant")
            .only(
                "kind",
                "date",
                "reviewed_at",
                "participant__name",
                "participant__iso3",
                "participant__kind",
                "participant__regional_group",
                "participant__also_in_group",
            )
            .fetch_mode(models.FETCH_RAISE)
        )
        participants = {a.participant.iso3: a.participant for a in actions}
        return TreatyStatus(
            treaty=self,
            status=rules.compute_status(self.clauses, (a.as_act() for a in actions), as_of),
            participants=participants,
            data_as_of=max((a.date for a in actions), default=None),
            last_updated=max((a.reviewed_at for a in actions if a.reviewed_at), default=None),
        )


@dataclass(frozen=True)
class TreatyStatus:
    """A treaty's computed status, with the participants it names."""

    treaty: Treaty
    status: rules.Status
    participants: dict[str, Participant]
    # The newest verified action's date, and when a verified action last changed.
    data_as_of: dt.date | None
    last_updated: dt.datetime | None

    def rows(self) -> list[tuple[Participant, rules.ParticipantStatus]]:
        """The participants with any verified action, by name."""
        rows = [(self.participants[p.participant], p) for p in self.status.participants]
        return sorted(rows, key=lambda row: row[0].name)

    def as_json(self) -> dict:
        """The status API's document (CONTRACT.md), also printed by `treaty_status --json`."""
        status, treaty = self.status, self.treaty

        def day(value):
            return value.isoformat() if value else None

        return {
            "treaty": {
                "slug": treaty.slug,
                "name": treaty.short_name,
                "title": treaty.title,
                "threshold": treaty.threshold,
                "entry_into_force_days": treaty.entry_into_force_days,
                "later_entry_into_force_days": treaty.later_entry_into_force_days,
                "signature_opens_on": day(treaty.signature_opens_on),
                "signature_closes_on": day(treaty.signature_closes_on),
            },
            "as_of": day(status.as_of),
            "data_as_of": day(self.data_as_of),
            "signatories": status.signatories,
            "parties": status.parties,
            "instruments_counted": status.instruments_counted,
            "remaining": status.remaining,
            "threshold_reached_on": day(status.threshold_reached_on),
            "entry_into_force": day(status.entry_into_force),
            "in_force": status.in_force,
            "days_until_entry_into_force": status.days_until_entry_into_force,
            "signature_open": status.signature_open,
            "days_until_signature_closes": status.days_until_signature_closes,
            "participants": [
                {
                    "name": participant.name,
                    "iso3": participant.iso3,
                    "signature": day(row.signature),
                    "consent": day(row.consent),
                    "consent_type": row.consent_type.value if row.consent_type else None,
                    "counts_toward_threshold": row.counts_toward_threshold,
                    "not_counted_reason": row.not_counted.value if row.not_counted else None,
                    "entry_into_force": day(row.entry_into_force),
                    "denunciation_received": day(row.denunciation_received),
                    "denunciation_effective": day(row.denunciation_effective),
                }
                for participant, row in self.rows()
            ],
        }


class ActionQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(state=Action.State.VERIFIED)

    def pending(self):
        return self.filter(state=Action.State.PENDING)

    def standing(self):
        """Verified and pending: what a new submission must be consistent with."""
        return self.exclude(state=Action.State.REJECTED)

    def for_treaty(self, treaty):
        return self.filter(treaty=treaty)

    def for_participant(self, participant):
        return self.filter(participant=participant)


class Action(models.Model):
    """A dated act of one participant on one treaty: a signature, an instrument, a denunciation."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    treaty = models.ForeignKey(Treaty, on_delete=models.PROTECT, related_name="actions")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=24, choices=ActionKind.choices)
    date = models.DateField(
        help_text=_(
            "Of signature, of deposit of the instrument, or of receipt of the notification."
        )
    )
    place = models.CharField(max_length=100, blank=True)
    notification = models.CharField(
        "depositary notification",
        max_length=60,
        blank=True,
        help_text="C.N.123.2026.TREATIES-XVIII.16",
    )
    source = models.CharField(max_length=500, blank=True, help_text=_("Where the fact comes from."))
    note = models.TextField(blank=True)
    declarations = models.TextField(
        "declarations and reservations", blank=True, help_text=_("Their text, as deposited.")
    )
    declaration_articles = models.CharField(
        "articles concerned", max_length=200, blank=True, help_text=_("e.g. 11, 23(2)")
    )

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()
    # The audit trail: every create, edit, verification, rejection, withdrawal.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        permissions = [
            ("verify_action", "Can verify or reject submitted actions"),
            ("import_actions", "Can import actions in bulk"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActionKind.values), name="action_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "verified", "rejected"]),
                name="action_state_valid",
            ),
            # Rule 1: one signature per participant and treaty, in what counts.
            models.UniqueConstraint(
                fields=["treaty", "participant"],
                condition=models.Q(kind="signature", state="verified"),
                name="action_one_verified_signature",
            ),
            # The same verified fact is never recorded (or counted) twice.
            models.UniqueConstraint(
                fields=["treaty", "participant", "kind", "date"],
                condition=models.Q(state="verified"),
                name="action_verified_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="rejected") | ~models.Q(rejection_reason=""),
                name="action_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending", reviewed_at__isnull=True)
                | (~models.Q(state="pending") & models.Q(reviewed_at__isnull=False)),
                name="action_reviewed_unless_pending",
            ),
        ]
        indexes = [
            # The status computation: a treaty's verified actions up to a date.
            models.Index(fields=["treaty", "state", "date"], name="action_treaty_state_date"),
            # The participant page and every rule check: one participant's history.
            models.Index(fields=["participant", "treaty"], name="action_participant_treaty"),
        ]

    def __str__(self):
        return f"{self.participant}: {self.get_kind_display()} of {self.date:%Y-%m-%d}"

    @property
    def action_kind(self) -> ActionKind:
        return ActionKind(self.kind)

    def as_act(self) -> rules.Act:
        return rules.Act(
            participant=self.participant.iso3,
            kind=ActionKind(self.kind),
            date=self.date,
            reio=self.participant.is_reio,
        )

    def rule_problems(self, *, include_pending: bool = False) -> list[rules.Problem]:
        """Rules 1-5 against what is recorded (verified only, or with pending submissions)."""
        others = Action.objects.standing() if include_pending else Action.objects.verified()
        others = others.exclude(pk=self.pk).select_related("participant")
        history = [
            a.as_act() for a in others.filter(treaty=self.treaty, participant=self.participant)
        ]
        members = []
        if self.participant.is_reio:
            members = [
                a.as_act()
                for a in others.filter(
                    treaty=self.treaty, participant__organizations=self.participant
                )
            ]
        parent = None
        if self.treaty.parent_id:
            parent_actions = Action.objects.verified().filter(
                treaty_id=self.treaty.parent_id, participant=self.participant
            )
            parent = (
                self.treaty.parent.clauses,
                [a.as_act() for a in parent_actions.select_related("participant")],
            )
        return rules.check_action(
            self.treaty.clauses,
            self.as_act(),
            history,
            today=rules.today_in_new_york(),
            members=members,
            parent=parent,
        )

    def clean(self):
        super().clean()
        if self.treaty_id is None or self.participant_id is None or not self.kind or not self.date:
            return
        errors: dict[str, list[str]] = {}
        for problem in self.rule_problems(include_pending=self.state != self.State.VERIFIED):
            errors.setdefault(problem.field or "__all__", []).append(problem.message)
        if errors:
            raise ValidationError(errors)
