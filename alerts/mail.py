"""The mail the worker sends: alerts in each subscriber's language, and the mission's news.

Alerts carry a one-click unsubscribe (RFC 8058: `List-Unsubscribe` with the URL, and
`List-Unsubscribe-Post`), which mail providers show as a button; a mail's Message-ID
names its delivery, so a mail sent twice (a worker killed between the send and its
record) is recognisably the same.
"""

import datetime as dt
import email.policy
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alerts.models import Delivery, Event, Follow


class AlertMessage(EmailMessage):
    """A mail whose long headers stay whole: Python folds a header too long for one line,
    and a URL, one long word, it would encode (RFC 2047), which no mail client reads as
    the List-Unsubscribe address. 998 characters is RFC 5322's own limit."""

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def site(path: str) -> str:
    """An absolute link: the worker writes mail outside any request."""
    return settings.SITE_URL + path


def message_for(delivery: Delivery) -> EmailMessage:
    event = delivery.event
    headers = {
        "Message-ID": f"<{delivery.uuid}@{urlsplit(settings.SITE_URL).hostname}>",
        "Auto-Submitted": "auto-generated",
    }
    if delivery.subscriber_id is None:
        subject, body = _mission_mail(event)
    else:
        subscriber = delivery.subscriber
        with translation.override(subscriber.language):
            subject, body = _subject(event), _body(event, subscriber)
        if event.topic is not None:
            headers["List-Unsubscribe"] = (
                f"<{site(reverse('alerts:one_click', args=[subscriber.token]))}>"
            )
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return AlertMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [delivery.email], headers=headers
    )


def _day(value: str | None) -> str:
    return date_format(dt.date.fromisoformat(value), "DATE_FORMAT") if value else ""


def _subject(event: Event) -> str:
    data, Kind = event.data, Event.Kind
    treaty = event.treaty.display_name if event.treaty_id else ""
    match event.kind:
        case Kind.ACTION_VERIFIED:
            return _("Verified: %(action)s") % {"action": event.decided()}
        case Kind.ACTION_REVERSED:
            return _("Verification undone: %(action)s") % {"action": event.decided()}
        case Kind.THRESHOLD_REACHED:
            return _("%(treaty)s: the threshold is reached, entry into force on %(day)s") % {
                "treaty": treaty,
                "day": _day(data["entry_into_force"]),
            }
        case Kind.ENTRY_INTO_FORCE:
            return _("%(treaty)s: in force from %(day)s") % {
                "treaty": treaty,
                "day": _day(data["entry_into_force"]),
            }
        case Kind.PARTICIPANT_ENTRY_INTO_FORCE:
            return _("%(treaty)s: in force for %(participant)s from %(day)s") % {
                "treaty": treaty,
                "participant": event.participant.display_name,
                "day": _day(data["entry_into_force"]),
            }
        case Kind.SIGNATURE_CLOSING:
            return _("%(treaty)s: open for signature until %(day)s") % {
                "treaty": treaty,
                "day": _day(data["signature_closes_on"]),
            }
        case Kind.PROJECTION_MOVED:
            return _("%(treaty)s: entry into force now projected around %(day)s") % {
                "treaty": treaty,
                "day": _day(data["projected"]["median"]),
            }
        case Kind.CONFIRM:
            return _("Confirm your Treatytrack alert: %(subject)s") % {
                "subject": event.follow.subject
            }
        case Kind.LINK:
            return _("Your Treatytrack alerts")
        case Kind.ENDPOINT_DISABLED:
            return _("Webhook disabled: %(url)s") % {"url": data["url"]}
    raise ValueError(f"No subscriber mail for {event.kind}.")


def _body(event: Event, subscriber) -> str:
    token = subscriber.token
    context = {
        "event": event,
        "kind": event.kind.replace(".", "_"),
        "data": event.data,
        "status": event.data.get("status", {}),
        "treaty": event.treaty,
        "participant": event.participant,
        "manage_url": site(reverse("alerts:manage", args=[token])),
        "unsubscribe_url": site(reverse("alerts:unsubscribe", args=[token])),
    }
    for name in ("entry_into_force", "threshold_reached_on", "signature_closes_on"):
        context[name] = _day(event.data.get(name) or context["status"].get(name))
    if event.treaty_id:
        context["treaty_url"] = site(event.treaty.get_absolute_url())
    if event.participant_id:
        context["participant_url"] = site(event.participant.get_absolute_url())
    if "action" in event.data:
        context["action"] = event.decided()
    if event.kind == Event.Kind.PROJECTION_MOVED:
        for name in ("projected", "previous"):
            context[name] = {key: _day(day) for key, day in event.data[name].items()}
        context["method_url"] = site(reverse("ratifications:projection", args=[event.treaty.slug]))
    if event.kind == Event.Kind.CONFIRM:
        follow: Follow = event.follow
        context["follow"] = follow
        context["confirm_url"] = site(reverse("alerts:confirm", args=[follow.confirmation_token]))
    if event.kind == Event.Kind.ENDPOINT_DISABLED:
        context["endpoint_url"] = site(reverse("alerts:endpoint", args=[token, event.endpoint_id]))
    template = "alert" if event.topic is not None else event.kind.split(".")[1]
    return render_to_string(f"alerts/mail/{template}.txt", context)


def _mission_mail(event: Event) -> tuple[str, str]:
    """The news of a decision on a mission's own submission, as the depositary used to send
    it from the request: in the site's default language, since no account records one."""
    with translation.override(settings.LANGUAGE_CODE):
        if event.kind == Event.Kind.DECLARATION_DECIDED:
            return _declaration_mail(event)
        action = event.decided()
        if event.kind == Event.Kind.ACTION_VERIFIED:
            subject = _("Verified: %(action)s") % {"action": action}
            body = _("The depositary verified %(action)s. It now counts in the public status.")
        elif event.kind == Event.Kind.SUBMISSION_REJECTED:
            subject = _("Rejected: %(action)s") % {"action": action}
            body = _("The depositary rejected %(action)s, for this reason:\n\n%(reason)s")
        else:
            subject = _("Decision undone: %(action)s") % {"action": action}
            body = _(
                "The depositary undid its decision on %(action)s, for this reason:\n\n%(reason)s"
                "\n\nIt is pending verification again, and counts in the public status only "
                "once verified."
            )
        body = body % {"action": action, "reason": event.data["reason"]}
        body += "\n\n" + _("Your submissions: %(url)s") % {
            "url": site(reverse("missions:workspace"))
        }
    return subject, body


def _declaration_mail(event: Event) -> tuple[str, str]:
    """A decision on a declaration (declarations/): public once verified, never counted."""
    from declarations.models import Declaration

    fields = event.data["declaration"]
    record = Declaration(
        treaty=event.treaty,
        participant=event.participant,
        kind=fields["kind"],
        date=dt.date.fromisoformat(fields["date"]),
    )
    decision = event.data["decision"]
    if decision == "verified":
        subject = _("Verified: %(action)s") % {"action": record}
        body = _("The depositary verified %(action)s. It is now public.")
    elif decision == "rejected":
        subject = _("Rejected: %(action)s") % {"action": record}
        body = _("The depositary rejected %(action)s, for this reason:\n\n%(reason)s")
    else:
        subject = _("Decision undone: %(action)s") % {"action": record}
        body = _(
            "The depositary undid its decision on %(action)s, for this reason:\n\n%(reason)s"
            "\n\nIt is pending verification again, and public only once verified."
        )
    body = body % {"action": record, "reason": event.data["reason"]}
    body += "\n\n" + _("Your submissions: %(url)s") % {"url": site(reverse("declarations:mission"))}
    return subject, body
