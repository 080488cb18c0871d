"""A treaty's key dates as an iCalendar file (RFC 5545), written by hand: no library needed.

All-day events on New York dates: the last day to sign, and entry into force once
the threshold is reached; until then, the projected range of entry into force as one
event spanning it, marked as a projection (TENTATIVE, ratifications/projection.py).
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urljoin

from django.urls import reverse
from django.utils.translation import gettext as _

from ratifications.status import TreatyStatus

CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Event:
    uid: str
    day: dt.date
    summary: str
    description: str
    # The last day, for an event of several days (a projected range).
    until: dt.date | None = None
    # A projection, not a date: TENTATIVE, in the PROJECTION category.
    tentative: bool = False
    # Its own page, if not the calendar's (the method page of a projection).
    path: str = ""


def key_dates(result: TreatyStatus, host: str) -> list[Event]:
    treaty, status = result.treaty, result.status
    events = []
    if treaty.signature_closes_on:
        events.append(
            Event(
                uid=f"{treaty.slug}-signature-closes@{host}",
                day=treaty.signature_closes_on,
                summary=_("Last day to sign the %(treaty)s") % {"treaty": treaty.short_name},
                description=_(
                    "The %(treaty)s is open for signature at United Nations Headquarters in "
                    "New York until this day. After it, States join by accession."
                )
                % {"treaty": treaty.short_name},
            )
        )
    if status.entry_into_force:
        events.append(
            Event(
                uid=f"{treaty.slug}-entry-into-force@{host}",
                day=status.entry_into_force,
                summary=_("The %(treaty)s enters into force") % {"treaty": treaty.short_name},
                description=_(
                    "%(days)d days after the %(threshold)d instruments it needs were reached, "
                    "on %(reached)s."
                )
                % {
                    "days": treaty.entry_into_force_days,
                    "threshold": treaty.threshold,
                    "reached": status.threshold_reached_on.isoformat(),
                },
            )
        )
    projection = result.projection
    if not status.entry_into_force and projection.projected:
        range_ = projection.entry_into_force
        events.append(
            Event(
                uid=f"{treaty.slug}-projected-range@{host}",
                day=range_.low,
                until=range_.high,
                summary=_("Projection: the %(treaty)s might enter into force in this range")
                % {"treaty": treaty.short_name},
                description=_(
                    "A projection, not a date. If it keeps pace with comparable treaties, "
                    "entry into force would come between %(low)s and %(high)s, most likely "
                    "around %(median)s (a %(percent)d%% range). Only treaties that did enter "
                    "into force are compared: it may come later, or never. The link explains how "
                    "it is computed."
                )
                % {
                    "treaty": treaty.short_name,
                    "low": range_.low.isoformat(),
                    "high": range_.high.isoformat(),
                    "median": range_.median.isoformat(),
                    "percent": round(projection.interval * 100),
                },
                tentative=True,
                path=reverse("ratifications:projection", args=[treaty.slug]),
            )
        )
    return events


def calendar(name: str, events: list[Event], *, stamp: dt.datetime, url: str) -> str:
    """The VCALENDAR text, CRLF line ends and long lines folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Treatytrack//Key dates//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{(event.until or event.day) + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_text(event.summary)}",
            f"DESCRIPTION:{_text(event.description)}",
            f"URL:{urljoin(url, event.path)}",
            "TRANSP:TRANSPARENT",
        ]
        if event.tentative:
            lines += ["STATUS:TENTATIVE", "CATEGORIES:PROJECTION"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    for char, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return value


def _fold(line: str, limit: int = 75) -> str:
    """Lines of at most 75 octets, continued after CRLF and a space, never inside a character."""
    parts, current = [], ""
    for char in line:
        # A continuation line starts with a space, which counts toward its 75.
        room = limit if not parts else limit - 1
        if len((current + char).encode()) > room:
            parts.append(current)
            current = ""
        current += char
    parts.append(current)
    return "\r\n ".join(parts)
