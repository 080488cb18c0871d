import datetime as dt
import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ratifications import rules
from ratifications.rules import ActionKind
from states.models import Participant
from treatytrack import caching


class TreatyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Treaty(models.Model):
    """A treaty or protocol, with its final clauses as data (DOMAIN.md)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    short_name = models.CharField(_("short name"), max_length=200)
    # The short name in the other UN languages, by Django language code ("fr",
    # "zh-hans"): the title of the treaty's authentic text in that language.
    names = models.JSONField(_("short name in the other languages"), default=dict, blank=True)
    title = models.TextField(_("title"), help_text=_("The full title, as in the certified text."))
    untc_reference = models.CharField(
        _("UN Treaty Collection reference"),
        max_length=40,
        blank=True,
        help_text=_("e.g. XVIII-16"),
    )
    url = models.URLField(_("status page"), blank=True)
    adopted_on = models.DateField(_("adopted on"))
    signature_opens_on = models.DateField(_("open for signature from"), null=True, blank=True)
    signature_closes_on = models.DateField(_("open for signature until"), null=True, blank=True)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"), help_text=_("Instruments needed for entry into force.")
    )
    entry_into_force_days = models.PositiveSmallIntegerField(
        _("days to entry into force"),
        help_text=_("Entry into force on this day after the threshold instrument."),
    )
    later_entry_into_force_days = models.PositiveSmallIntegerField(
        _("days to entry into force for a later instrument"),
        help_text=_("For a later instrument: in force on this day after its deposit."),
    )
    later_whichever_is_later = models.BooleanField(
        _("whichever is later"),
        default=True,
        help_text=_(
            "For a later instrument: or on the treaty's entry into force, whichever is later."
        ),
    )
    reio_instruments_count = models.BooleanField(
        _("organizations' instruments count"),
        default=False,
        help_text=_("Whether an organization's instrument counts as additional to its members'."),
    )
    denunciation_months = models.PositiveSmallIntegerField(
        _("months for a denunciation to take effect"),
        default=12,
        help_text=_("A denunciation takes effect this many months after receipt."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols",
        verbose_name=_("parent treaty"),
        help_text=_("For a protocol: the treaty it supplements."),
    )

    objects = TreatyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["adopted_on", "short_name"]
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")
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
        return self.display_name

    def get_absolute_url(self):
        return reverse("ratifications:dashboard", args=[self.slug])

    @property
    def display_name(self) -> str:
        """The short name in the active language; `short_name` (English) when it has none."""
        return self.names.get(get_language() or "", self.short_name)

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

        From the cache when this treaty was fetched with its fingerprint
        (`conditional.treaty_with_fingerprint`); otherwise, or on a miss, one query:
        the verified actions up to that date with their participants.
        """
        return statuses([self], as_of)[self.pk]

    def impacts(self, submissions: Iterable["Action"]) -> dict[int, "Impact"]:
        """What verifying each submission would change in today's status, by its pk.

        One query (the verified actions); each submission is then added on its
        own to the same verified record and the rules engine run again.
        """
        as_of = rules.today_in_new_york()
        acts = [a.as_act() for a in _verified_actions([self.pk], as_of)]
        before = rules.compute_status(self.clauses, acts, as_of)
        return {
            s.pk: Impact(
                submission=s,
                before=before,
                after=rules.compute_status(self.clauses, [*acts, s.as_act()], as_of),
            )
            for s in submissions
        }


class TreatyChanges(models.Model):
    """How many times, and when last, a treaty's verified actions changed.

    Kept by the database itself: triggers on the actions table (migration 0004)
    count every INSERT, UPDATE, DELETE or TRUNCATE that touches a verified action,
    whatever runs it: a save, the import's bulk INSERT, QuerySet.update(), raw SQL,
    psql. The app never writes it. Read with the treaty's own row, it is the
    fingerprint of what the treaty's status depends on (ratifications/conditional.py):
    one row, however many actions the treaty has.
    """

    # Not a foreign key: the triggers write it while Django deletes rows in any
    # order (flush), and a counter left behind is harmless.
    treaty_id = models.BigIntegerField(primary_key=True)
    changes = models.PositiveBigIntegerField(default=0)
    # The database's clock, one for every app machine: a restored backup's
    # counters may repeat, never with the same time.
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name_plural = "treaty changes"

    def __str__(self):
        return f"treaty {self.treaty_id}: {self.changes} changes"


# The status cache (docs/performance.md). A key names what its status was computed
# from: the treaty's clauses and other values, the date, and the count and time of
# the changes to its verified actions (its fingerprint, which every request reads
# anyway for its ETag). A verification changes the fingerprint, so the next
# request, in any process, asks for a new key: nothing to invalidate.


def _verified_actions(treaty_pks: list[int], as_of: dt.date):
    return (
        Action.objects.verified()
        .filter(treaty__in=treaty_pks, date__lte=as_of)
        .select_related("participant")
        .only("treaty", "kind", "date", "reviewed_at", *(f"participant__{f}" for f in _SHOWN))
        .fetch_mode(models.FETCH_RAISE)
    )


_computing = threading.Lock()
# What a status shows of its participants.
_SHOWN = ("name", "names", "iso3", "kind", "regional_group", "also_in_group")


def _status_key(treaty: Treaty, as_of: dt.date) -> str | None:
    if not hasattr(treaty, "changes"):
        return None
    row = tuple(getattr(treaty, field.attname) for field in Treaty._meta.concrete_fields)
    changes = (treaty.changes, treaty.changed_at)
    digest = hashlib.sha256(repr((row, changes)).encode()).hexdigest()[:32]
    return f"status:{treaty.pk}:{as_of.isoformat()}:{digest}"


def statuses(treaties: Iterable[Treaty], as_of: dt.date | None = None) -> dict[int, "TreatyStatus"]:
    """The status of each treaty as of a date, by pk: from the cache, the rest in one query.

    A treaty's status is cached only when it was fetched with its fingerprint
    (`changes` and `changed_at`: conditional.treaty_with_fingerprint, with_changes).
    """
    treaties = list(treaties)
    as_of = as_of or rules.today_in_new_york()
    keys = {treaty.pk: _status_key(treaty, as_of) for treaty in treaties}
    cached = caching.get_many(key for key in keys.values() if key)
    missing = [treaty for treaty in treaties if keys[treaty.pk] not in cached]
    computed = {}
    if missing:
        # One thread of a process computes at a time (the work holds the GIL
        # anyway); the others then find what it computed, rather than all
        # computing the same statuses when the cache is cold.
        with _computing:
            cached |= caching.get_many(keys[t.pk] for t in missing if keys[t.pk])
            missing = [treaty for treaty in missing if keys[treaty.pk] not in cached]
            computed = _compute(missing, as_of) if missing else {}
            caching.set_many({keys[pk]: value for pk, value in computed.items() if keys[pk]})
    return {
        treaty.pk: TreatyStatus(treaty, *(computed.get(treaty.pk) or cached[keys[treaty.pk]]))
        for treaty in treaties
    }


def _compute(treaties: list[Treaty], as_of: dt.date) -> dict[int, tuple]:
    """What `TreatyStatus` holds besides the treaty, by pk: plain, pickleable values.

    One query, of plain rows rather than actions: a status may stand on
    thousands of them, and each participant is built once.
    """
    rows = (
        Action.objects.verified()
        .filter(treaty__in=[treaty.pk for treaty in treaties], date__lte=as_of)
        .values_list(
            "treaty_id",
            "kind",
            "date",
            "reviewed_at",
            "participant_id",
            *(f"participant__{f}" for f in _SHOWN),
        )
    )
    participants, by_treaty = {}, defaultdict(list)
    for treaty_id, kind, date, reviewed_at, participant_id, *shown in rows:
        participant = participants.get(participant_id)
        if participant is None:
            participant = participants[participant_id] = _participant(participant_id, shown)
        by_treaty[treaty_id].append((participant, ActionKind(kind), date, reviewed_at))
    computed = {}
    for treaty in treaties:
        actions = by_treaty[treaty.pk]
        acts = (
            rules.Act(participant=p.iso3, kind=kind, date=date, reio=p.is_reio)
            for p, kind, date, _ in actions
        )
        computed[treaty.pk] = (
            rules.compute_status(treaty.clauses, acts, as_of),
            {participant.iso3: participant for participant, *_ in actions},
            max((date for _, _, date, _ in actions), default=None),
            max((reviewed for *_, reviewed in actions if reviewed), default=None),
        )
    return computed


def _participant(pk: int, shown: list) -> Participant:
    """A participant with only the fields a status shows; any other raises."""
    values = dict(zip(("id", *_SHOWN), (pk, *shown), strict=True))
    names = [f.attname for f in Participant._meta.concrete_fields if f.attname in values]
    return Participant.from_db(
        Action.objects.db, names, [values[name] for name in names], fetch_mode=models.FETCH_RAISE
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


@dataclass(frozen=True)
class Impact:
    """The status before and after one submission would be verified."""

    submission: "Action"
    before: rules.Status
    after: rules.Status

    @property
    def row(self) -> rules.ParticipantStatus | None:
        iso3 = self.submission.participant.iso3
        return next((p for p in self.after.participants if p.participant == iso3), None)

    def summary(self) -> str:
        """One sentence for the depositary's queue."""
        before, after, kind = self.before, self.after, self.submission.action_kind
        row = self.row
        if kind.is_instrument:
            if after.instruments_counted == before.instruments_counted:
                reason = row.not_counted.label if row and row.not_counted else ""
                return gettext("Not counted toward the threshold: %(reason)s.") % {"reason": reason}
            if before.threshold_reached_on is None and after.threshold_reached_on is not None:
                return gettext(
                    "This is instrument %(n)d of %(threshold)d: the threshold is reached and "
                    "the treaty enters into force on %(day)s."
                ) % {
                    "n": after.instruments_counted,
                    "threshold": after.threshold,
                    "day": date_format(after.entry_into_force, "DATE_FORMAT"),
                }
            if row and row.entry_into_force:
                return gettext(
                    "Counts: %(n)d of %(threshold)d instruments; "
                    "in force for this participant on %(day)s."
                ) % {
                    "n": after.instruments_counted,
                    "threshold": after.threshold,
                    "day": date_format(row.entry_into_force, "DATE_FORMAT"),
                }
            return gettext(
                "Counts: %(n)d of %(threshold)d instruments (%(remaining)d more needed)."
            ) % {
                "n": after.instruments_counted,
                "threshold": after.threshold,
                "remaining": after.remaining,
            }
        if kind == ActionKind.SIGNATURE:
            return gettext("Signatories: %(before)d, then %(after)d.") % {
                "before": before.signatories,
                "after": after.signatories,
            }
        if kind == ActionKind.DENUNCIATION and row and row.denunciation_effective:
            return gettext("Takes effect on %(day)s; it remains a party until then.") % {
                "day": date_format(row.denunciation_effective, "DATE_FORMAT")
            }
        return gettext("No change to the counts.")


class ActionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """As QuerySet.update(), and the rows' `updated_at` too, which `auto_now` leaves.

        The caches and ETags see a change of the verified actions by their count
        and newest `updated_at` (ratifications/conditional.py): an update that
        left it would be invisible to them.
        """
        kwargs.setdefault("updated_at", timezone.now())
        return super().update(**kwargs)

    def verified(self):
        return self.filter(state=Action.State.VERIFIED)

    def pending(self):
        return self.filter(state=Action.State.PENDING)

    def standing(self):
        """Verified and pending: what a new submission must be consistent with."""
        return self.filter(state__in=[Action.State.VERIFIED, Action.State.PENDING])

    def for_mission_staff(self, user):
        """The actions of the participants whose mission this user works for."""
        return self.filter(participant__mission_memberships__user=user)

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
        # A state, not a delete: the submission and its history stay in the audit trail.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Conflict(Exception):
        """Someone else reviewed or changed the submission first; the message says who."""

    treaty = models.ForeignKey(
        Treaty, on_delete=models.PROTECT, related_name="actions", verbose_name=_("treaty")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("action"), max_length=24, choices=ActionKind.choices)
    date = models.DateField(
        _("date"),
        help_text=_(
            "Of signature, of deposit of the instrument, or of receipt of the notification."
        ),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    notification = models.CharField(
        _("depositary notification"),
        max_length=60,
        blank=True,
        help_text="C.N.123.2026.TREATIES-XVIII.16",
    )
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("Where the fact comes from.")
    )
    note = models.TextField(_("note"), blank=True)
    declarations = models.TextField(
        _("declarations and reservations"), blank=True, help_text=_("Their text, as deposited.")
    )
    declaration_articles = models.CharField(
        _("articles concerned"), max_length=200, blank=True, help_text=_("e.g. 11, 23(2)")
    )

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every workflow change adds one, and a form that
    # shows version N may only save over version N (see `check_reviewable`).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ActionQuerySet.as_manager()
    # The audit trail: every create, edit, verification, rejection, withdrawal.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        permissions = [
            ("verify_action", "Can verify or reject submitted actions"),
            ("import_actions", "Can import actions in bulk"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActionKind.values), name="action_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "verified", "rejected", "withdrawn"]),
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
            # Verified and rejected actions say when; pending and withdrawn ones were
            # never reviewed.
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "withdrawn"], reviewed_at__isnull=True)
                | models.Q(state__in=["verified", "rejected"], reviewed_at__isnull=False),
                name="action_reviewed_unless_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="declaration") | ~models.Q(declarations=""),
                name="action_declaration_has_text",
            ),
        ]
        indexes = [
            # The status computation: a treaty's verified actions up to a date.
            models.Index(fields=["treaty", "state", "date"], name="action_treaty_state_date"),
            # The participant page and every rule check: one participant's history.
            models.Index(fields=["participant", "treaty"], name="action_participant_treaty"),
            # The depositary's queue: pending submissions, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(state="pending"),
                name="action_pending_queue",
            ),
        ]

    def __str__(self):
        return gettext("%(participant)s: %(kind)s of %(date)s") % {
            "participant": self.participant.display_name,
            "kind": self.get_kind_display(),
            "date": self.date.isoformat(),
        }

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
        errors: dict[str, list[str]] = {}
        if self.kind == ActionKind.DECLARATION and not self.declarations.strip():
            errors["declarations"] = [gettext("A declaration needs its text.")]
        if self.treaty_id is None or self.participant_id is None or not self.kind or not self.date:
            if errors:
                raise ValidationError(errors)
            return
        for problem in self.rule_problems(include_pending=self.state != self.State.VERIFIED):
            errors.setdefault(problem.field or "__all__", []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    # The workflow. Each verb is called inside transaction.atomic() on a row
    # locked with select_for_update(), so that two people acting on the same
    # submission at once end with one outcome and one clear message.

    def check_reviewable(self, seen_version: int | None) -> None:
        """Raise Action.Conflict unless this is still the pending submission someone saw."""
        if self.state != self.State.PENDING:
            who = self.reviewed_by or self.submitted_by
            when = self.reviewed_at or self.updated_at
            raise self.Conflict(
                gettext("This submission was already %(state)s by %(who)s on %(when)s.")
                % {
                    "state": self.get_state_display().lower(),
                    "who": who.get_full_name() or who.get_username() if who else gettext("someone"),
                    "when": date_format(timezone.localtime(when), "DATETIME_FORMAT"),
                }
            )
        if seen_version is not None and seen_version != self.version:
            raise self.Conflict(
                gettext(
                    "This submission was changed after you opened it: "
                    "look at the new values and try again."
                )
            )

    def record_change(self, by, reason: str) -> None:
        """Save a workflow change as one new version, with who and why in the audit trail."""
        self.version += 1
        self._history_user = by
        self._change_reason = reason
        self.save()

    def verify(self, by, *, seen_version: int | None = None) -> None:
        self.check_reviewable(seen_version)
        # Against what is verified only: other pending submissions no longer matter.
        problems = self.rule_problems()
        if problems:
            raise ValidationError([p.message for p in problems])
        self.state = self.State.VERIFIED
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.record_change(by, "verified")

    def reject(self, by, reason: str, *, seen_version: int | None = None) -> None:
        self.check_reviewable(seen_version)
        if not reason.strip():
            raise ValidationError({"rejection_reason": gettext("Say why it is rejected.")})
        self.state = self.State.REJECTED
        self.rejection_reason = reason.strip()
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.record_change(by, "rejected")

    def withdraw(self, by, *, seen_version: int | None = None) -> None:
        self.check_reviewable(seen_version)
        self.state = self.State.WITHDRAWN
        self.record_change(by, "withdrawn")


# What the audit trail shows of each version, in this order.
AUDITED_FIELDS = (
    "state",
    "kind",
    "date",
    "place",
    "notification",
    "source",
    "note",
    "declarations",
    "declaration_articles",
    "rejection_reason",
)


# Why a version was made, as the workflow records it (`record_change`, the
# views, the import) and as the audit trail shows it.
CHANGE_REASONS = {
    "submitted": _("submitted"),
    "edited": _("edited"),
    "verified": _("verified"),
    "rejected": _("rejected"),
    "withdrawn": _("withdrawn"),
    "entered verified": _("entered verified"),
    "import": _("import"),
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
    if name in ("state", "kind"):
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, dt.date):
        return value.isoformat()
    return value or ""


def audit_trail(records: Iterable[models.Model]) -> list[AuditEntry]:
    """The versions of actions, oldest first, each with its differences from the previous one.

    `records` are historical actions in any order; differences are computed
    here (simple_history's `diff_against`) without a query per record.
    """
    entries, previous = [], {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        if before is None:
            changes = [
                (name, "", _shown(record, name)) for name in AUDITED_FIELDS if _shown(record, name)
            ]
        else:
            delta = record.diff_against(before, included_fields=AUDITED_FIELDS)
            changed = {change.field for change in delta.changes}
            changes = [
                (name, _shown(before, name), _shown(record, name))
                for name in AUDITED_FIELDS
                if name in changed
            ]
        verbose = {name: Action._meta.get_field(name).verbose_name for name in AUDITED_FIELDS}
        entries.append(
            AuditEntry(record, [(verbose[name], old, new) for name, old, new in changes])
        )
        previous[record.id] = record
    return entries
