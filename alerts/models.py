"""Alerts: who follows what, and every message sent about it (docs/alerts.md).

An `Event` is something to tell: a verification, the threshold reached, a deadline near, a
confirmation asked for. The worker fans it out into one `Delivery` per recipient, an e-mail
address or a webhook endpoint, unique per event: however many workers run, and however often
a step is tried again, nobody is told the same thing twice. A delivery is sent by whichever
worker locks its row first, and marked sent in the same transaction: a worker killed while
sending leaves it pending, for the next worker to send.
"""

import datetime as dt
import json
import logging
import secrets
import time
import uuid

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts import webhooks
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant

log = logging.getLogger(__name__)

# A confirmation link works this long; an address never confirmed is forgotten after it.
CONFIRMATION_DAYS = 7
# The daily check still announces what happened up to this many days ago: a worker stopped
# for less than that catches up, and nothing older is news.
CATCH_UP_DAYS = 7
# Days before the signature deadline on which its followers are reminded.
SIGNATURE_REMINDERS = (30, 7, 1)
# A projected entry into force is news when its median moves by more than this many days
# from the one last told (a month; the range moves a little every day a treaty waits).
PROJECTION_MOVE_DAYS = 30


def _token() -> str:
    return secrets.token_urlsafe(24)


def _secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Topic(models.TextChoices):
    """What one follows, on a treaty or on one participant on it."""

    VERIFIED = "verified", _("Each action verified, and a verification undone")
    THRESHOLD = "threshold", _("The threshold reached")
    ENTRY_INTO_FORCE = "entry_into_force", _("Entry into force")
    SIGNATURE_CLOSING = "signature_closing", _("The signature deadline: 30, 7 and 1 days before")
    PROJECTION = (
        "projection",
        _("The projected entry into force, when it moves by more than a month"),
    )

    @property
    def field(self) -> str:
        return f"on_{self.value}"


# Only the treaty as a whole reaches its threshold, has a signature deadline and a projection.
TREATY_ONLY = (Topic.THRESHOLD, Topic.SIGNATURE_CLOSING, Topic.PROJECTION)


class FollowingQuerySet(models.QuerySet):
    def matching(self, event: "Event"):
        """The follows (or endpoints) that want to hear of this public event."""
        topic = event.topic
        if topic is None:
            return self.none()
        wanted = Q(treaty_id=event.treaty_id, **{topic.field: True})
        if event.kind == Event.Kind.PARTICIPANT_ENTRY_INTO_FORCE:
            wanted &= Q(participant_id=event.participant_id)
        elif event.participant_id:
            # An action: for those who follow the treaty, and those who follow its author.
            wanted &= Q(participant=None) | Q(participant_id=event.participant_id)
        else:
            wanted &= Q(participant=None)
        return self.filter(wanted)


class Following(models.Model):
    """A treaty, or one participant on it, and the topics chosen."""

    treaty = models.ForeignKey(
        Treaty, on_delete=models.CASCADE, related_name="+", verbose_name=_("treaty")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
        help_text=_("Empty: the whole treaty."),
    )
    on_verified = models.BooleanField(Topic.VERIFIED.label, default=False)
    on_threshold = models.BooleanField(Topic.THRESHOLD.label, default=False)
    on_entry_into_force = models.BooleanField(Topic.ENTRY_INTO_FORCE.label, default=False)
    on_signature_closing = models.BooleanField(Topic.SIGNATURE_CLOSING.label, default=False)
    on_projection = models.BooleanField(Topic.PROJECTION.label, default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = FollowingQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(on_verified=True)
                | Q(on_threshold=True)
                | Q(on_entry_into_force=True)
                | Q(on_signature_closing=True)
                | Q(on_projection=True),
                name="%(class)s_follows_a_topic",
            ),
            models.CheckConstraint(
                condition=Q(participant__isnull=True)
                | Q(on_threshold=False, on_signature_closing=False, on_projection=False),
                name="%(class)s_participant_topics",
            ),
        ]

    @property
    def topics(self) -> list[Topic]:
        return [topic for topic in Topic if getattr(self, topic.field)]

    @topics.setter
    def topics(self, chosen) -> None:
        for topic in Topic:
            setattr(self, topic.field, topic in chosen)

    @property
    def subject(self) -> str:
        """What is followed, as a person reads it: the treaty, or a participant on it."""
        if self.participant_id:
            return gettext("%(participant)s, on the %(treaty)s") % {
                "participant": self.participant.display_name,
                "treaty": self.treaty.display_name,
            }
        return self.treaty.display_name


class SubscriberQuerySet(models.QuerySet):
    def for_address(self, email: str) -> "Subscriber":
        """The subscriber of this address, created if new (addresses are kept in lower case)."""
        subscriber, _created = self.get_or_create(email=email.strip().lower())
        return subscriber


class Subscriber(models.Model):
    """An e-mail address that follows something, or owns webhooks.

    Its token is the key to its page (the manage and unsubscribe links in every mail):
    whoever holds a mail sent to the address may change what it receives, nobody else.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the address was first confirmed: a link in a mail to it was followed.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        constraints = [
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="subscriber_email_lower"
            ),
        ]

    def __str__(self):
        return self.email

    def ask(self, kind: "Event.Kind", **fields) -> "Event":
        """Mail this subscriber one personal message (a confirmation, its link), by the worker."""
        return Event.record(kind, key=f"{kind}:{uuid.uuid4()}", subscriber=self, **fields)

    def unsubscribe(self) -> int:
        """Stop every e-mail alert to this address; its webhooks go on. How many it followed."""
        count, _deleted = self.follows.all().delete()
        self.deliveries.filter(status=Delivery.Status.PENDING, endpoint=None).exclude(
            event__subscriber=self
        ).update(status=Delivery.Status.CANCELLED, last_error="Unsubscribed.")
        return count


class Follow(Following):
    """An e-mail alert: a subscriber follows a treaty, or one participant on it.

    Nothing is sent for it until its confirmation link is followed (double opt-in), except
    the confirmation itself.
    """

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="follows", verbose_name=_("subscriber")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta(Following.Meta):
        verbose_name = _("e-mail alert")
        constraints = [
            *Following.Meta.constraints,
            models.UniqueConstraint(
                fields=["subscriber", "treaty"],
                condition=Q(participant__isnull=True),
                name="follow_treaty_once",
            ),
            models.UniqueConstraint(
                fields=["subscriber", "treaty", "participant"],
                condition=Q(participant__isnull=False),
                name="follow_participant_once",
            ),
        ]

    def __str__(self):
        return f"{self.subscriber} · {self.subject}"

    SALT = "alerts.confirm"

    @property
    def confirmation_token(self) -> str:
        return signing.TimestampSigner(salt=self.SALT).sign(f"{self.pk}.{self.subscriber_id}")

    @classmethod
    def from_confirmation(cls, token: str) -> "Follow | None":
        """The follow a confirmation link names, if the link is genuine and not too old."""
        try:
            value = signing.TimestampSigner(salt=cls.SALT).unsign(
                token, max_age=dt.timedelta(days=CONFIRMATION_DAYS)
            )
        except signing.BadSignature:
            return None
        pk, subscriber = value.split(".")
        return (
            cls.objects.select_related("subscriber", "treaty", "participant")
            .filter(pk=pk, subscriber_id=subscriber)
            .first()
        )

    def confirm(self) -> None:
        now = timezone.now()
        if self.confirmed_at is None:
            self.confirmed_at = now
            self.save(update_fields=["confirmed_at"])
        if self.subscriber.confirmed_at is None:
            self.subscriber.confirmed_at = now
            self.subscriber.save(update_fields=["confirmed_at"])


class Endpoint(Following):
    """A webhook: a URL that receives each matching public event, signed with its secret."""

    owner = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="endpoints", verbose_name=_("owner")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=100, default=_secret, editable=False)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)

    class Meta(Following.Meta):
        verbose_name = _("webhook endpoint")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.url

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def disable(self, attempts: int, error: str) -> None:
        """Stop sending to it, cancel what waits for it, and tell its owner (by the worker)."""
        self.disabled_at, self.disabled_reason = timezone.now(), error
        self.save(update_fields=["disabled_at", "disabled_reason"])
        self.deliveries.filter(status=Delivery.Status.PENDING).update(
            status=Delivery.Status.CANCELLED, last_error="The endpoint was disabled."
        )
        self.owner.ask(
            Event.Kind.ENDPOINT_DISABLED,
            endpoint=self,
            data={"url": self.url, "attempts": attempts, "error": error},
        )

    def enable(self) -> None:
        self.disabled_at, self.disabled_reason = None, ""
        self.save(update_fields=["disabled_at", "disabled_reason"])


class EventQuerySet(models.QuerySet):
    def waiting(self):
        """Recorded, not yet turned into deliveries (its worker stopped, or has not started)."""
        return self.filter(fanned_out_at=None)


class EventKind(models.TextChoices):
    """What an event tells (a webhook's `type`)."""

    # Public: for whoever follows them, by e-mail or webhook.
    ACTION_VERIFIED = "action.verified", _("An action verified")
    ACTION_REVERSED = "action.reversed", _("A verification undone")
    THRESHOLD_REACHED = "treaty.threshold_reached", _("The threshold reached")
    ENTRY_INTO_FORCE = "treaty.entry_into_force", _("Entry into force")
    PARTICIPANT_ENTRY_INTO_FORCE = (
        "participant.entry_into_force",
        _("Entry into force for a participant"),
    )
    SIGNATURE_CLOSING = "treaty.signature_closing", _("The signature deadline near")
    PROJECTION_MOVED = "treaty.projection_moved", _("The projected entry into force moved")
    # For a mission's staff only: decisions on their submissions that change nothing public.
    SUBMISSION_REJECTED = "submission.rejected", _("A submission rejected")
    REJECTION_UNDONE = "submission.rejection_undone", _("A rejection undone")
    # A declaration, a reservation, a notification...: its mission hears of each decision.
    DECLARATION_DECIDED = "submission.declaration_decided", _("A decision on a declaration")
    # For one subscriber only.
    CONFIRM = "subscriber.confirm", _("A confirmation asked for")
    LINK = "subscriber.link", _("The link to the alerts page asked for")
    ENDPOINT_DISABLED = "endpoint.disabled", _("A webhook disabled")


class Event(models.Model):
    """Something to tell, once: `key` names it, and a second attempt to record it finds it."""

    Kind = EventKind

    TOPICS = {
        Kind.ACTION_VERIFIED: Topic.VERIFIED,
        Kind.ACTION_REVERSED: Topic.VERIFIED,
        Kind.THRESHOLD_REACHED: Topic.THRESHOLD,
        Kind.ENTRY_INTO_FORCE: Topic.ENTRY_INTO_FORCE,
        Kind.PARTICIPANT_ENTRY_INTO_FORCE: Topic.ENTRY_INTO_FORCE,
        Kind.SIGNATURE_CLOSING: Topic.SIGNATURE_CLOSING,
        Kind.PROJECTION_MOVED: Topic.PROJECTION,
    }

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, unique=True)
    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, null=True, blank=True)
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, null=True, blank=True)
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True)
    declaration = models.ForeignKey(
        "declarations.Declaration", on_delete=models.SET_NULL, null=True, blank=True
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, null=True, blank=True)
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What it says, as it was when it happened (the webhook's `data`).
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    fanned_out_at = models.DateTimeField(_("deliveries created at"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
        ]
        indexes = [
            # The worker's sweep: events not yet fanned out.
            models.Index(
                fields=["created_at"], condition=Q(fanned_out_at=None), name="event_waiting"
            ),
        ]

    def __str__(self):
        return self.key

    @property
    def topic(self) -> Topic | None:
        return self.TOPICS.get(self.kind)

    @classmethod
    def record(cls, kind: Kind, *, key: str, **fields) -> "Event":
        """Record it once (in the caller's transaction) and have the worker fan it out
        after the commit: a decision rolled back tells nobody."""
        event, created = cls.objects.get_or_create(key=key, defaults={"kind": kind, **fields})
        if created:
            from alerts.tasks import fan_out

            transaction.on_commit(lambda: fan_out.enqueue(event.pk))
        return event

    # Decisions

    @classmethod
    def record_decision(cls, action: Action, decision: str, record) -> None:
        """What the depositary's decision tells: `record` is its entry in the audit trail."""
        snapshot = {
            "decision": decision,
            "action": {
                "kind": action.kind,
                "date": action.date.isoformat(),
                "place": action.place,
                "notification": action.notification,
            },
            "reason": action.rejection_reason or action.undo_reason,
            # The mission hears of the decisions on its own submissions, not of direct entries.
            "mission": decision != "entered verified",
        }
        if decision in ("verified", "entered verified"):
            kind = cls.Kind.ACTION_VERIFIED
        elif decision == "rejected":
            kind = cls.Kind.SUBMISSION_REJECTED
        else:
            previous = record.prev_record
            undone = previous.review if previous else None
            kind = (
                cls.Kind.ACTION_REVERSED
                if undone == Action.Review.VERIFIED
                else cls.Kind.REJECTION_UNDONE
            )
        cls.record(
            kind,
            key=f"decision:{record.history_id}",
            treaty=action.treaty,
            participant=action.participant,
            action=action,
            data=snapshot,
        )

    @classmethod
    def record_declaration_decision(cls, declaration, decision: str, record) -> None:
        """A decision on a declaration submitted by a mission: for the mission's staff."""
        cls.record(
            cls.Kind.DECLARATION_DECIDED,
            key=f"declaration:{record.history_id}",
            treaty=declaration.treaty,
            participant=declaration.participant,
            declaration=declaration,
            data={
                "decision": decision,
                "declaration": {"kind": declaration.kind, "date": declaration.date.isoformat()},
                "reason": declaration.rejection_reason or declaration.undo_reason,
                "mission": True,
            },
        )

    def decided(self) -> Action:
        """The action as it was decided (it may have changed since), for the mail's words."""
        action = self.data["action"]
        return Action(
            treaty=self.treaty,
            participant=self.participant,
            kind=action["kind"],
            date=dt.date.fromisoformat(action["date"]),
        )

    # Fanning out

    def recipients(self) -> tuple[list[tuple[str, Subscriber | None]], list["Endpoint"]]:
        """Who is told: (address, subscriber or None for a mission's staff) and endpoints."""
        from accounts.models import mission_staff_emails

        mails: list[tuple[str, Subscriber | None]] = []
        if self.subscriber_id:
            return [(self.subscriber.email, self.subscriber)], []
        if self.data.get("mission"):
            addresses = set(mission_staff_emails(self.participant))
            decided = self.action or self.declaration
            submitter = decided.submitted_by if decided else None
            if submitter and submitter.email:
                addresses.add(submitter.email)
            mails += [(address.lower(), None) for address in sorted(addresses)]
        if self.topic is None:
            return mails, []
        follows = (
            Follow.objects.matching(self)
            .exclude(confirmed_at=None)
            .select_related("subscriber")
            .order_by("pk")
        )
        mails += [(f.subscriber.email, f.subscriber) for f in follows]
        endpoints = list(Endpoint.objects.matching(self).filter(disabled_at=None).order_by("pk"))
        return mails, endpoints

    def fan_out(self) -> int:
        """Create its deliveries, once, however many workers try: how many were created."""
        with transaction.atomic():
            event = Event.objects.select_for_update().filter(pk=self.pk).first()
            if event is None or event.fanned_out_at is not None:
                return 0
            if event.topic == Topic.VERIFIED and "status" not in event.data:
                event.data["status"] = _status_summary(event.treaty.status().status)
                if event.kind == Event.Kind.ACTION_VERIFIED:
                    event.announce_threshold()
            mails, endpoints = event.recipients()
            seen: set[str] = set()
            deliveries = []
            for address, subscriber in mails:
                # One mail an address, even to a mission's staff who also follow it.
                if address not in seen:
                    seen.add(address)
                    deliveries.append(Delivery(event=event, email=address, subscriber=subscriber))
            deliveries += [Delivery(event=event, endpoint=endpoint) for endpoint in endpoints]
            created = Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            event.fanned_out_at = timezone.now()
            event.save(update_fields=["data", "fanned_out_at"])
            if deliveries:
                from alerts.tasks import deliver_due

                transaction.on_commit(deliver_due.enqueue)
        return len(created)

    def announce_threshold(self) -> None:
        """A verified instrument on or before the threshold day: the threshold is news."""
        status = self.data["status"]
        reached = status["threshold_reached_on"]
        if not (reached and ActionKind(self.data["action"]["kind"]).is_instrument):
            return
        if self.data["action"]["date"] <= reached:
            Event.record(
                Event.Kind.THRESHOLD_REACHED,
                key=f"threshold:{self.treaty.slug}:{reached}",
                treaty=self.treaty,
                data={
                    "threshold_reached_on": reached,
                    "entry_into_force": status["entry_into_force"],
                    "instruments_counted": status["instruments_counted"],
                    "threshold": status["threshold"],
                },
            )

    # What a webhook receives (docs/alerts.md), always in English like all open data.

    def payload(self) -> dict:
        document = {
            "type": self.kind,
            "created_at": self.created_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "treaty": None,
            "participant": None,
            "data": {k: v for k, v in self.data.items() if k not in ("mission", "decision")},
        }
        if self.treaty_id:
            document["treaty"] = {
                "slug": self.treaty.slug,
                "name": self.treaty.short_name,
                "url": settings.SITE_URL + self.treaty.get_absolute_url(),
            }
        if self.participant_id:
            document["participant"] = {
                "iso3": self.participant.iso3,
                "name": self.participant.name,
                "url": settings.SITE_URL + self.participant.get_absolute_url(),
            }
        return document


def _status_summary(status) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "as_of": day(status.as_of),
        "signatories": status.signatories,
        "parties": status.parties,
        "instruments_counted": status.instruments_counted,
        "threshold": status.threshold,
        "remaining": status.remaining,
        "threshold_reached_on": day(status.threshold_reached_on),
        "entry_into_force": day(status.entry_into_force),
    }


class DeliveryQuerySet(models.QuerySet):
    def due(self):
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=timezone.now())


class Delivery(models.Model):
    """One message about one event to one recipient: a mail to an address, or a webhook call."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # What the recipient sees: the webhook's `id`, the mail's Message-ID.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(_("e-mail address"), blank=True)
    # The subscriber mailed (its language, its links); none for a mission's staff.
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # However many workers fan an event out: one message a recipient.
            models.UniqueConstraint(
                fields=["event", "email"], condition=~Q(email=""), name="delivery_one_mail"
            ),
            models.UniqueConstraint(
                fields=["event", "endpoint"],
                condition=Q(endpoint__isnull=False),
                name="delivery_one_call",
            ),
            models.CheckConstraint(
                condition=(~Q(email="") & Q(endpoint__isnull=True))
                | (Q(email="") & Q(endpoint__isnull=False)),
                name="delivery_mail_or_call",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "cancelled"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [
            # The worker's question: what is due now, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.email or self.endpoint}"

    @classmethod
    def send_next(cls) -> bool:
        """Send the oldest due delivery no other worker holds; False when there is none.

        Its row stays locked until it is marked sent (or its failure recorded): another
        worker skips it meanwhile, and if this one dies, the lock goes with its connection
        and the delivery is still pending, due, for the next.
        """
        from alerts import mail

        with transaction.atomic():
            delivery = (
                cls.objects.due()
                .select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "pk")
                .first()
            )
            if delivery is None:
                return False
            delivery.attempts += 1
            delivery.last_attempt_at = timezone.now()
            try:
                if delivery.endpoint_id:
                    delivery.response_status = delivery.call()
                else:
                    mail.message_for(delivery).send()
            except Exception as error:  # any failure is tried again, up to ALERTS_ATTEMPTS
                delivery.failed(error)
            else:
                delivery.status, delivery.sent_at, delivery.last_error = (
                    cls.Status.SENT,
                    timezone.now(),
                    "",
                )
            delivery.save()
        return True

    def failed(self, error: Exception) -> None:
        """Try again later, twice as long after each failure; after the last, give up."""
        self.last_error = str(error)[:2000] or type(error).__name__
        self.response_status = getattr(error, "status", None)
        log.warning("Delivery %s failed (attempt %s): %s", self.uuid, self.attempts, error)
        if self.attempts >= settings.ALERTS_ATTEMPTS:
            self.status = self.Status.FAILED
            if self.endpoint_id:
                self.endpoint.disable(self.attempts, self.last_error)
            return
        delay = settings.ALERTS_RETRY_SECONDS * 2 ** (self.attempts - 1)
        self.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        from alerts.tasks import deliver_due

        run_after = self.next_attempt_at
        transaction.on_commit(lambda: deliver_due.using(run_after=run_after).enqueue())

    def call(self) -> int:
        """POST the event to the endpoint, signed (docs/alerts.md): the answer's status."""
        body, timestamp = self.body(), int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Treatytrack-Webhooks/1",
            "Treatytrack-Event": self.event.kind,
            "Treatytrack-Delivery": str(self.uuid),
            "Treatytrack-Timestamp": str(timestamp),
            "Treatytrack-Signature": webhooks.sign(self.endpoint.secret, timestamp, body),
        }
        return webhooks.post(
            self.endpoint.url,
            body,
            headers,
            timeout=settings.ALERTS_WEBHOOK_TIMEOUT_SECONDS,
            allow_private=settings.ALERTS_ALLOW_PRIVATE_WEBHOOKS,
        )

    def body(self) -> bytes:
        """The webhook's body: the event's payload and this delivery's id."""
        return json.dumps(
            {"id": str(self.uuid), **self.event.payload()}, ensure_ascii=False
        ).encode()


class DailyCheck(models.Model):
    """One row a New York day: whether that day's check ran (alerts/tasks.py)."""

    day = models.DateField(unique=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("daily check")

    def __str__(self):
        return f"{self.day}"

    @classmethod
    def due(cls, now: dt.datetime | None = None) -> dt.date | None:
        """Today in New York, if its check is due and not done."""
        from ratifications.rules import UN_HEADQUARTERS

        now = now or timezone.now()
        if now.astimezone(UN_HEADQUARTERS).hour < settings.ALERTS_DAILY_HOUR:
            return None
        today = today_in_new_york(now)
        done = cls.objects.filter(day=today).exclude(done_at=None).exists()
        return None if done else today


class ToldProjection(models.Model):
    """A treaty's projected entry into force as last told to its followers (or first seen):
    the daily check tells them again when the median moves more than PROJECTION_MOVE_DAYS."""

    treaty = models.OneToOneField(
        Treaty, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    as_of = models.DateField()
    low = models.DateField()
    median = models.DateField()
    high = models.DateField()

    class Meta:
        verbose_name = _("projection told")

    def __str__(self):
        return f"{self.treaty_id}: {self.median} as of {self.as_of}"

    def as_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "low": self.low.isoformat(),
            "median": self.median.isoformat(),
            "high": self.high.isoformat(),
        }

    @classmethod
    def moved(cls, treaty: Treaty, projection) -> "ToldProjection | None":
        """The projection told before, when `projection` has moved far enough from it to be
        news, and `projection` becomes the one told. None the first time (it is recorded,
        as what later ones are measured against) and when there is nothing projected (the
        threshold reached is news of its own; a projection found again starts afresh)."""
        if not projection.projected:
            cls.objects.filter(treaty=treaty).delete()
            return None
        now = projection.entry_into_force
        told = cls.objects.filter(treaty=treaty).first()
        if told is not None and abs((now.median - told.median).days) <= PROJECTION_MOVE_DAYS:
            return None
        cls.objects.update_or_create(
            treaty=treaty,
            defaults={
                "as_of": projection.as_of,
                "low": now.low,
                "median": now.median,
                "high": now.high,
            },
        )
        return told
