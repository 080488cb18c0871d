"""The alerts' background work, run by the worker (`manage.py worker`, docs/alerts.md).

Every task may run twice, or on two workers at once, and tells nobody twice: an event
is fanned out under its row's lock, a delivery sent under its own, and the events of the
daily check are keyed (Event.key is unique).
"""

import datetime as dt
import logging

from django.core.management import call_command
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from alerts.models import (
    CATCH_UP_DAYS,
    CONFIRMATION_DAYS,
    SIGNATURE_REMINDERS,
    DailyCheck,
    Delivery,
    Event,
    Follow,
    Subscriber,
    ToldProjection,
)
from ratifications.models import Treaty
from ratifications.status import statuses
from states.models import Participant

log = logging.getLogger(__name__)

# How long the delivery log and the events it names are kept.
KEPT_DAYS = 90


@task()
def fan_out(event_id: int) -> int:
    """One delivery for each recipient of the event; how many were created."""
    event = Event.objects.filter(pk=event_id).first()
    return event.fan_out() if event else 0


@task()
def deliver_due() -> int:
    """Send every due delivery that no other worker holds; how many were tried."""
    tried = 0
    while Delivery.send_next():
        tried += 1
    return tried


@task()
def tick() -> int:
    """The worker's clock strikes: events a stopped worker left, the day's check when due,
    then every due delivery (retries included). How many deliveries were tried."""
    for event in Event.objects.waiting().order_by("created_at", "pk"):
        event.fan_out()
    if day := DailyCheck.due():
        daily_check(day)
    return deliver_due.call()


def work_waiting() -> bool:
    """Whether the clock has anything to strike for (three small queries, no write)."""
    return (
        Event.objects.waiting().exists()
        or Delivery.objects.due().exists()
        or DailyCheck.due() is not None
    )


def daily_check(day: dt.date) -> list[Event]:
    """Once a New York day: the entries into force and signature deadlines of the day (and
    of the days a stopped worker missed), then the housekeeping. A second worker waits for
    the first's lock, then finds the day done."""
    with transaction.atomic():
        DailyCheck.objects.get_or_create(day=day)
        check = DailyCheck.objects.select_for_update().get(day=day)
        if check.done_at is not None:
            return []
        events = scheduled_events(day)
        _forget_old(day)
        check.done_at = timezone.now()
        check.save(update_fields=["done_at"])
    # The task library's own results, which it keeps until told.
    call_command("prune_db_task_results", min_age_days=7, verbosity=0)
    log.info("Daily check of %s: %d events.", day, len(events))
    return events


def scheduled_events(day: dt.date) -> list[Event]:
    """What the status of each treaty as of `day` makes news: keyed, so recorded once."""
    events = []
    found = statuses(Treaty.objects.all(), day)
    codes = {row.participant for s in found.values() for row in s.status.participants}
    participants = Participant.objects.in_bulk(codes, field_name="iso3")

    def recent(date):
        return date is not None and day - dt.timedelta(days=CATCH_UP_DAYS) < date <= day

    for treaty_status in found.values():
        treaty, status = treaty_status.treaty, treaty_status.status
        # Set only while the treaty is open for signature and has a day it closes.
        if (left := status.days_until_signature_closes) is not None:
            closes = treaty.signature_closes_on
            if reminders := [days for days in SIGNATURE_REMINDERS if left <= days]:
                events.append(
                    Event.record(
                        Event.Kind.SIGNATURE_CLOSING,
                        key=f"signature-closing:{treaty.slug}:{closes}:{min(reminders)}",
                        treaty=treaty,
                        data={"signature_closes_on": closes.isoformat(), "days_left": left},
                    )
                )
        if recent(status.threshold_reached_on):
            # Reached by an import or the admin, which no verification announced.
            events.append(
                Event.record(
                    Event.Kind.THRESHOLD_REACHED,
                    key=f"threshold:{treaty.slug}:{status.threshold_reached_on}",
                    treaty=treaty,
                    data={
                        "threshold_reached_on": status.threshold_reached_on.isoformat(),
                        "entry_into_force": status.entry_into_force.isoformat(),
                        "instruments_counted": status.instruments_counted,
                        "threshold": status.threshold,
                    },
                )
            )
        if recent(status.entry_into_force):
            events.append(
                Event.record(
                    Event.Kind.ENTRY_INTO_FORCE,
                    key=f"entry-into-force:{treaty.slug}:{status.entry_into_force}",
                    treaty=treaty,
                    data={
                        "entry_into_force": status.entry_into_force.isoformat(),
                        "parties": status.parties,
                    },
                )
            )
        projection = treaty_status.projection
        if told := ToldProjection.moved(treaty, projection):
            events.append(
                Event.record(
                    Event.Kind.PROJECTION_MOVED,
                    key=f"projection:{treaty.slug}:{day}",
                    treaty=treaty,
                    data={
                        "as_of": projection.as_of.isoformat(),
                        "instruments_counted": status.instruments_counted,
                        "threshold": status.threshold,
                        "projected": projection.entry_into_force.as_json(),
                        "previous": told.as_json(),
                    },
                )
            )
        for row in status.participants:
            if recent(row.entry_into_force):
                events.append(
                    Event.record(
                        Event.Kind.PARTICIPANT_ENTRY_INTO_FORCE,
                        key=(
                            f"participant-entry-into-force:{treaty.slug}:"
                            f"{row.participant}:{row.entry_into_force}"
                        ),
                        treaty=treaty,
                        participant=participants[row.participant],
                        data={
                            "entry_into_force": row.entry_into_force.isoformat(),
                            "consent": row.consent.isoformat() if row.consent else None,
                            "consent_type": row.consent_type.value if row.consent_type else None,
                        },
                    )
                )
    return events


def _forget_old(day: dt.date) -> None:
    """Addresses never confirmed, once their link has expired; the log after KEPT_DAYS."""
    now = timezone.now()
    expired = now - dt.timedelta(days=CONFIRMATION_DAYS)
    Follow.objects.filter(confirmed_at=None, created_at__lt=expired).delete()
    Subscriber.objects.filter(
        confirmed_at=None, created_at__lt=expired, follows=None, endpoints=None
    ).delete()
    Event.objects.filter(created_at__lt=now - dt.timedelta(days=KEPT_DAYS)).exclude(
        fanned_out_at=None
    ).exclude(deliveries__status=Delivery.Status.PENDING).delete()
