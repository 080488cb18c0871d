import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models.functions import Now
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from psycopg2 import Error as PostgreSQLError
from simple_history.models import HistoricalRecords

from ratifications import rules
from ratifications.rules import ActionKind
from states.models import Kind, Participant

if TYPE_CHECKING:
    from ratifications.status import Impact, TreatyStatus

log = logging.getLogger(__name__)


class TreatyQuerySet(models.QuerySet):
    def with_depositary_check(self):
        """Each treaty with `depositary_checked_at`, when its record was last checked against
        the depositary's status file (`reconcile_untc`, the depositary's page; None if never),
        in the same query. The check itself, with the file's "status as at", is a
        `depositary.models.Reconciliation`."""
        return self.annotate(depositary_checked_at=models.Max("reconciliations__checked_at"))


class TreatyManager(models.Manager.from_queryset(TreatyQuerySet)):
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
    # Fetched on demand from the depositary's page and daily by `reconcile_untc` (cron).
    status_file_url = models.URLField(
        _("status file"),
        max_length=300,
        blank=True,
        help_text=_("The address of the depositary's status file (the XML view of its page)."),
    )
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
        """The public status as of a New York date (default today): verified actions only."""
        from ratifications.status import statuses

        return statuses([self], as_of)[self.pk]

    def impacts(self, submissions: Iterable["Action"]) -> dict[int, "Impact"]:
        """What verifying each submission would change in today's status, by its pk."""
        from ratifications.status import impacts

        return impacts(self, submissions)


class Revision(models.Model):
    """The record's revision: one row, advanced in the writer's transaction by every write to
    what the public pages show (actions, treaties, participants): treatytrack/caching.py."""

    # On PostgreSQL, every process listening on it hears of each advance when it commits.
    CHANNEL = "treatytrack_revision"

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.number)

    @classmethod
    def current(cls) -> "Revision":
        with connection.cursor() as cursor:
            return cls.read(cursor)

    @classmethod
    def heard(cls) -> "Revision":
        """The current revision, as this process last heard of it (`Listener`): no query."""
        return listener.current()

    @classmethod
    def read(cls, cursor) -> "Revision":
        """In plain SQL: every public request may read it, and the ORM costs more than the query."""
        cursor.execute(f"SELECT number, changed_at FROM {cls._meta.db_table} LIMIT 1")
        number, changed_at = cursor.fetchone() or (0, None)  # 0: a flushed test database
        if changed_at and timezone.is_naive(changed_at):  # SQLite's, which is UTC
            changed_at = timezone.make_aware(changed_at, dt.UTC)
        return cls(number=number, changed_at=changed_at)

    @classmethod
    def advance(cls, *, from_number: int | None = None) -> bool:
        """With `from_number`, only if it is still that: False when anything was written since.
        One statement: it waits for a write in progress, then sees its result."""
        rows = cls.objects.all() if from_number is None else cls.objects.filter(number=from_number)
        if rows.update(number=models.F("number") + 1, changed_at=Now()):
            cls._notify()
            return True
        if from_number in (None, 0) and not cls.objects.exists():  # a flushed test database
            cls.objects.get_or_create(pk=1)
            cls._notify()
            return True
        return False

    @staticmethod
    def _notify() -> None:
        # Sent at commit, once a transaction however often it advances (the same message).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"NOTIFY {Revision.CHANNEL}")
        # This process needs no message: its next request reads the revision again.
        transaction.on_commit(listener.forget)


class Listener:
    """The revision as this process last heard: PostgreSQL tells each listening process of an
    advance as it commits (`Revision.advance`), so a kept page costs no query. In a transaction
    (a test's, which sees its own writes), on SQLite, with DATABASE_LISTEN off (behind a
    transaction pooler), or for a while after the listener failed, a request asks instead."""

    RECHECK = 10  # seconds: asked again all the same, should its connection die unseen

    def __init__(self):
        self.lock = threading.Lock()
        self.listening = None  # its own connection, LISTENing
        self.revision: Revision | None = None
        # When it last read the revision, and when it last failed (time.monotonic()).
        self.asked = self.failed = 0.0
        # This process's own writes (`forget`), and how many it had when it last read.
        self.writes, self.read_after = 0, -1

    def current(self) -> Revision:
        if not settings.DATABASE_LISTEN or connection.vendor != "postgresql":
            return Revision.current()
        if connection.in_atomic_block or time.monotonic() < self.failed + self.RECHECK:
            return Revision.current()
        with self.lock:
            try:
                return self._heard()
            except PostgreSQLError as error:
                log.warning("Not listening for new revisions (%s); asking a while.", error)
                self.close()
                self.failed = time.monotonic()
        return Revision.current()

    def _heard(self) -> Revision:
        if self.listening is None:
            self.listening = connection.Database.connect(**connection.get_connection_params())
            self.listening.autocommit = True
            self.listening.cursor().execute(f"LISTEN {Revision.CHANNEL}")
            self.asked = 0  # and then reads: no advance falls between the two
        self.listening.poll()
        if self.listening.notices:  # FATAL, as the server ends it, or a warning
            raise PostgreSQLError(self.listening.notices[-1].strip())
        # Counted before reading: a write committing during the read is read next time.
        writes = self.writes
        stale = self.listening.notifies or writes != self.read_after
        if stale or time.monotonic() > self.asked + self.RECHECK:
            self.listening.notifies.clear()
            self.revision, self.asked = Revision.read(self.listening.cursor()), time.monotonic()
            self.read_after = writes
        return self.revision

    def forget(self) -> None:
        """Read the revision again at the next request (after a write of this process)."""
        self.writes += 1

    def close(self) -> None:
        if self.listening is not None:
            self.listening.close()
        self.listening = None


listener = Listener()


class ReviewedQuerySet(models.QuerySet):
    """What a public page or a workspace asks of reviewed records (`Reviewed`)."""

    def update(self, **kwargs):
        """As QuerySet.update(), which sends no signal: the revision advances all the same,
        and the rows' `updated_at`, which `auto_now` leaves, moves too (the feeds show it)."""
        kwargs.setdefault("updated_at", timezone.now())
        updated = super().update(**kwargs)
        Revision.advance()
        return updated

    def verified(self):
        return self.filter(review=Reviewed.Review.VERIFIED)

    def pending(self):
        return self.filter(review=Reviewed.Review.PENDING)

    def active(self):
        """Verified and pending: what a new submission must be consistent with."""
        return self.filter(review__in=[Reviewed.Review.VERIFIED, Reviewed.Review.PENDING])

    def for_mission_staff(self, user):
        """The records of the participants whose mission this user works for."""
        return self.filter(participant__mission_memberships__user=user)

    def for_treaty(self, treaty):
        return self.filter(treaty=treaty)

    def for_participant(self, participant):
        return self.filter(participant=participant)


class ActionQuerySet(ReviewedQuerySet):
    def rule_inputs(
        self,
        treaty: "Treaty",
        participants: Sequence[Participant] | None = None,
        *,
        include_pending: bool = False,
        values: Sequence[str] = (),
    ) -> "RuleInputs":
        """What the rules check an action of `treaty` against, for these participants
        (default: all): their actions on the treaty (verified, or also pending), an
        organization's member States' actions, and for a protocol their verified
        actions on the parent treaty.

        The one loader for the forms, the workflow and the import: one query for
        the actions whatever their number (rows, not model instances), and one for
        the organizations' members when there may be any. `values` names more
        fields to keep for each verified action of the treaty (the import compares
        a file's place, notification, note and source with them).
        """
        members: dict[int, list[int]] = {}
        links = Participant.members.through.objects.values_list(
            "from_participant_id", "to_participant_id"
        )
        if participants is not None:
            organizations = [p.pk for p in participants if p.is_reio]
            links = links.filter(from_participant_id__in=organizations) if organizations else []
        for organization, member in links:
            members.setdefault(organization, []).append(member)

        reviews = [Action.Review.VERIFIED] + ([Action.Review.PENDING] if include_pending else [])
        wanted = models.Q(treaty=treaty, review__in=reviews)
        if treaty.parent_id:
            wanted |= models.Q(treaty_id=treaty.parent_id, review=Action.Review.VERIFIED)
        rows = self.filter(wanted)
        if participants is not None:
            pks = {p.pk for p in participants}
            pks.update(member for group in members.values() for member in group)
            rows = rows.filter(participant__in=pks)
        inputs = RuleInputs(treaty, members)
        for treaty_id, participant_id, iso3, kind_of_participant, kind, date, review, *more in (
            rows.values_list(
                "treaty_id",
                "participant_id",
                "participant__iso3",
                "participant__kind",
                "kind",
                "date",
                "review",
                *values,
            )
            .order_by()
            .iterator(chunk_size=5000)
        ):
            act = rules.Act(
                iso3,
                ActionKind(kind),
                date,
                reio=kind_of_participant == Kind.REIO,
                pending=review == Action.Review.PENDING,
            )
            if treaty_id == treaty.pk:
                inputs.acts.setdefault(participant_id, []).append(act)
                if values and not act.pending:
                    inputs.values[participant_id, kind, date] = tuple(more)
            else:
                inputs.parent_acts.setdefault(participant_id, []).append(act)
        return inputs


@dataclass
class RuleInputs:
    """What the rules engine reads besides the action it checks (`ActionQuerySet.rule_inputs`),
    by participant pk."""

    treaty: "Treaty"
    members: dict[int, list[int]]  # an organization's member States
    acts: dict[int, list[rules.Act]] = field(default_factory=dict)
    parent_acts: dict[int, list[rules.Act]] = field(default_factory=dict)
    # (participant, kind, date) -> the `values` asked for, of each verified action.
    values: dict[tuple[int, str, dt.date], tuple] = field(default_factory=dict)

    @cached_property
    def clauses(self) -> rules.Clauses:
        return self.treaty.clauses

    @cached_property
    def parent_clauses(self) -> rules.Clauses | None:
        return self.treaty.parent.clauses if self.treaty.parent_id else None

    def check(
        self,
        participant: int,
        candidate: rules.Act,
        *,
        today: dt.date,
        history: Iterable[rules.Act] = (),
        members: Iterable[rules.Act] = (),
    ) -> list[rules.Problem]:
        """Rules 1-5 for `candidate`, an action of this participant, against what was
        loaded, plus `history` and `members`: actions not recorded yet (an import's
        earlier rows, the participant's own and its member States')."""
        parent = None
        if self.parent_clauses is not None:
            parent = (self.parent_clauses, self.parent_acts.get(participant, []))
        recorded_members = (
            act for member in self.members.get(participant, ()) for act in self.acts.get(member, ())
        )
        return rules.check_action(
            self.clauses,
            candidate,
            [*self.acts.get(participant, ()), *history],
            today=today,
            members=[*recorded_members, *members],
            parent=parent,
        )


class Reviewed(models.Model):
    """What a mission submits and the depositary reviews: the review, who and when, the
    reasons, and the verbs of the workflow (docs/workflow.md). An action, and a declaration
    (`declarations.models.Declaration`), each with its own `rule_problems()` and
    `undo_problems()`, a `treaty` and a `participant`."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        # A review outcome, not a delete: the submission and its history stay in the audit trail.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Conflict(Exception):
        """Someone else reviewed or changed the submission first; the message says who."""

    review = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.PENDING
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
    # Why the depositary's last decision was undone (`undo`); the audit trail keeps each.
    undo_reason = models.TextField(_("reason for undoing the decision"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic concurrency: every workflow change adds one, and a form that
    # shows version N may only save over version N (see `check_reviewable`).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    # The workflow. Each verb is called inside transaction.atomic() on a row
    # locked with select_for_update(), so that two people acting on the same
    # submission at once end with one outcome and one clear message.

    def check_reviewable(self, seen_version: int | None) -> None:
        """Raise Conflict unless this is still the pending submission someone saw."""
        if self.review != self.Review.PENDING:
            who = self.reviewed_by or self.submitted_by
            when = self.reviewed_at or self.updated_at
            raise self.Conflict(
                gettext("This submission was already %(state)s by %(who)s on %(when)s.")
                % {
                    "state": self.get_review_display().lower(),
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
        with transaction.atomic():
            # Another verification of this treaty (or an import into it) waits until this
            # one commits, then checks against it: two instruments of one State verified
            # at the same moment cannot both pass.
            lock_records(self.treaty)
            # Against what is verified only: other pending submissions no longer matter.
            problems = self.rule_problems()
            if problems:
                raise ValidationError([p.message for p in problems])
            self.review = self.Review.VERIFIED
            self.reviewed_by, self.reviewed_at = by, timezone.now()
            self.record_change(by, "verified")

    def reject(self, by, reason: str, *, seen_version: int | None = None) -> None:
        self.check_reviewable(seen_version)
        if not reason.strip():
            raise ValidationError({"rejection_reason": gettext("Say why it is rejected.")})
        self.review = self.Review.REJECTED
        self.rejection_reason = reason.strip()
        self.reviewed_by, self.reviewed_at = by, timezone.now()
        self.record_change(by, "rejected")

    def withdraw(self, by, *, seen_version: int | None = None) -> None:
        self.check_reviewable(seen_version)
        self.review = self.Review.WITHDRAWN
        self.record_change(by, "withdrawn")

    # Undoing a decision: the reverse of `verify` and `reject`.

    @property
    def undoable(self) -> bool:
        return self.review in (self.Review.VERIFIED, self.Review.REJECTED)

    def check_undoable(self, seen_version: int | None) -> None:
        """Raise Conflict unless this is still the decision someone saw."""
        if not self.undoable:
            raise self.Conflict(
                gettext("There is no decision to undo: this submission is %(state)s.")
                % {"state": self.get_review_display().lower()}
            )
        if seen_version is not None and seen_version != self.version:
            raise self.Conflict(
                gettext(
                    "This decision was changed after you opened it: "
                    "look at the new values and try again."
                )
            )

    def undo_problems(self) -> list[str]:
        """What the verified record would break without this: the model's own rules, so each
        kind of record says (`Action`, `Declaration`); `undo` asks before it writes."""
        raise NotImplementedError

    def undo(self, by, reason: str, *, seen_version: int | None = None) -> None:
        """Put a verified or rejected submission back in the queue, pending, with the reason.

        A verification is refused when others in the verified record stand on it
        (`undo_problems`): undo those first. The caller holds the row's lock; this also
        locks the participant's row, then the treaty's (`lock_records`), in the order a
        declaration's verification takes them: no verification can add an act or a
        declaration standing on this one between the check and the undo.
        """
        self.check_undoable(seen_version)
        if not reason.strip():
            raise ValidationError({"undo_reason": gettext("Say why the decision is undone.")})
        list(Participant.objects.select_for_update().filter(pk=self.participant_id).values("pk"))
        lock_records(self.treaty)
        problems = self.undo_problems()
        if problems:
            raise ValidationError(problems)
        self.review = self.Review.PENDING
        self.reviewed_by = self.reviewed_at = None
        self.rejection_reason = ""
        self.undo_reason = reason.strip()
        self.record_change(by, "undone")


class Action(Reviewed):
    """A dated act of one participant on one treaty: a signature, an instrument, a denunciation."""

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
                condition=models.Q(review__in=["pending", "verified", "rejected", "withdrawn"]),
                name="action_review_valid",
            ),
            # Rule 1: one signature per participant and treaty, in what counts.
            models.UniqueConstraint(
                fields=["treaty", "participant"],
                condition=models.Q(kind="signature", review="verified"),
                name="action_one_verified_signature",
            ),
            # The same verified fact is never recorded (or counted) twice.
            models.UniqueConstraint(
                fields=["treaty", "participant", "kind", "date"],
                condition=models.Q(review="verified"),
                name="action_verified_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(review="rejected") | ~models.Q(rejection_reason=""),
                name="action_rejection_has_reason",
            ),
            # Verified and rejected actions say when; pending and withdrawn ones were
            # never reviewed.
            models.CheckConstraint(
                condition=models.Q(review__in=["pending", "withdrawn"], reviewed_at__isnull=True)
                | models.Q(review__in=["verified", "rejected"], reviewed_at__isnull=False),
                name="action_reviewed_unless_pending",
            ),
        ]
        indexes = [
            # The status computation: a treaty's verified actions up to a date.
            models.Index(fields=["treaty", "review", "date"], name="action_treaty_review_date"),
            # The participant page and every rule check: one participant's history.
            models.Index(fields=["participant", "treaty"], name="action_participant_treaty"),
            # The participant page: the day each treaty's threshold-th instrument came, and
            # the others' instruments and denunciations up to it (ratifications/status.py).
            models.Index(
                fields=["treaty", "date"],
                condition=models.Q(
                    review="verified",
                    kind__in=sorted([*rules.INSTRUMENTS, rules.ActionKind.DENUNCIATION]),
                ),
                name="action_event_dates",
            ),
            # The depositary's queue: pending submissions, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(review="pending"),
                name="action_pending_queue",
            ),
        ]

    def __str__(self):
        return gettext("%(participant)s: %(kind)s of %(date)s") % {
            "participant": self.participant.display_name,
            "kind": self.get_kind_display(),
            # As the page's language writes dates, like every date the workspaces show.
            "date": date_format(self.date, "DATE_FORMAT"),
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
        inputs = Action.objects.exclude(pk=self.pk).rule_inputs(
            self.treaty, [self.participant], include_pending=include_pending
        )
        return inputs.check(self.participant_id, self.as_act(), today=rules.today_in_new_york())

    def clean(self):
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.treaty_id is None or self.participant_id is None or not self.kind or not self.date:
            return
        for problem in self.rule_problems(include_pending=self.review != self.Review.VERIFIED):
            errors.setdefault(problem.field or "__all__", []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    def undo_problems(self) -> list[str]:
        """What the verified record would break without this verified action.

        Others may stand on it: a ratification on this signature, a denunciation on this
        instrument, an organization's act on this member State's, a protocol's instrument
        on this party to its parent treaty, a declaration or reservation made upon either
        (`declarations.models.standing_on`). The rules engine checks each of those again,
        with and without this action; only the problems its absence would cause are
        reported (an old record's own, if any, are not this undo's doing).
        """
        from declarations.models import standing_on

        if self.review != self.Review.VERIFIED:
            return []
        treaty, participant = self.treaty, self.participant
        organizations = list(participant.organizations.prefetch_related("members"))
        members = {org.pk: {m.pk for m in org.members.all()} for org in organizations}
        records = list(
            Action.objects.verified()
            .filter(treaty__in=[treaty, *treaty.protocols.all()])
            .filter(
                models.Q(participant=participant)
                | models.Q(participant__in=organizations)
                | models.Q(participant__organizations__in=organizations)
            )
            .select_related("participant", "treaty")
            .distinct()
        )

        def acts(treaty_id, participant_ids, *, without_self, but=None) -> list[rules.Act]:
            return [
                a.as_act()
                for a in records
                if a.treaty_id == treaty_id
                and a.participant_id in participant_ids
                and a.pk != but
                and not (without_self and a.pk == self.pk)
            ]

        def problems(dependant, *, without_self) -> set[str]:
            on, others = dependant.treaty, {dependant.participant_id}
            parent = None
            if on.parent_id == treaty.pk:
                parent = (treaty.clauses, acts(treaty.pk, others, without_self=without_self))
            found = rules.check_action(
                on.clauses,
                dependant.as_act(),
                acts(on.pk, others, without_self=without_self, but=dependant.pk),
                today=rules.today_in_new_york(),
                members=acts(
                    on.pk, members.get(dependant.participant_id, set()), without_self=without_self
                ),
                parent=parent,
            )
            return {problem.message for problem in found}

        dependants = [
            a
            for a in records
            if a.pk != self.pk
            and (
                a.participant_id == participant.pk
                or (a.participant_id in members and a.treaty_id == treaty.pk)
            )
        ]
        return [
            gettext("Without it, %(action)s would break the rules: %(problem)s")
            % {"action": dependant, "problem": message}
            for dependant in dependants
            for message in sorted(
                problems(dependant, without_self=True) - problems(dependant, without_self=False)
            )
        ] + standing_on(self)


def lock_records(treaty: Treaty) -> None:
    """Hold, until the transaction ends, the right to check and record verified actions of
    this treaty: its row locked (and its parent's, whose actions a protocol's rules read).

    Taken by `Action.verify` and the import before they read what the rules check
    against, so that a second one waits for the first to commit and then sees it.
    FOR NO KEY UPDATE: it does not stop others adding rows that refer to the treaty
    (a mission's submission), only another holder of this lock.
    """
    treaties = {treaty.pk, treaty.parent_id} - {None}
    list(
        Treaty.objects.filter(pk__in=treaties)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


@receiver([post_save, post_delete], sender=Action)
@receiver([post_save, post_delete], sender=Treaty)
@receiver([post_save, post_delete], sender=Participant)
@receiver(m2m_changed, sender=Participant.members.through)
def _advance_revision(sender, **kwargs):
    Revision.advance()
