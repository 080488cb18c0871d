"""The public pages' long lists, written as markup here rather than in their templates:
the dashboard's table of participants and a participant's actions on each treaty.

Like the map's links (ratifications/worldmap.py): six cells of 73 rows through the
template engine cost the dashboard about 5 ms, a third of its rendering with nothing kept,
and a participant's 500 actions on 50 treaties about 20 ms; as format strings, a tenth of
that. What is around them (captions, heads, empty states) is in the templates. Every value
that is not the site's own (names, places, notifications, sources, notes) is escaped, with
the standard library's `html.escape` (Django's `escape` is the same, at three times the
cost); URLs are made of codes.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ratifications import rules
from ratifications.templatetags.days import day
from states.models import Participant


@dataclass(frozen=True)
class Row:
    """A participant as the table shows it: its status row (None: no verified action)."""

    participant: Participant
    status: rules.ParticipantStatus | None
    url: str
    notification: str
    declared: bool
    # A step toward its instrument reported, not yet recorded by the depositary (reports/).
    reported: bool = False


_ROW = '<tr{}><th scope="row"><a href="{}">{}</a>{}</th>{}</tr>\n'
_CELL = '<td data-label="{}"{}>{}</td>'
_TIME = '<time datetime="{}">{}</time>'
_NONE = ' class="none"'


def rows_html(rows: list[Row], slug: str) -> SafeString:
    """The rows of the table, in the active language; `slug` is the treaty's (the markers
    link to its section on each participant's page)."""
    labels = {
        name: escape(word)
        for name, word in (
            ("signature", gettext("Signature")),
            ("instrument", gettext("Instrument")),
            ("in_force", gettext("Entry into force")),
            ("counts", gettext("Counts toward the threshold")),
            ("notification", gettext("Depositary notification")),
            ("yes", gettext("Yes")),
            ("no", gettext("No")),
            ("not_signed", gettext("Not signed")),
        )
    }
    # Each link takes the participant's page ({}) and goes to the treaty's part of it.
    declared, reported = gettext("declarations"), gettext("reported, not deposited")
    tags = {
        "declared": f' <a class="tag" href="{{}}#{slug}">{escape(declared)}</a>',
        "reported": (
            f' <a class="tag tag-reported" href="{{}}#{slug}-reports">{escape(reported)}</a>'
        ),
    }
    return mark_safe("".join(_row(row, tags, labels) for row in rows))


def _time(value) -> str:
    return _TIME.format(day(value, "Y-m-d"), day(value, "SHORT_DATE_FORMAT"))


def _cell(label: str, content: str, none: bool) -> str:
    return _CELL.format(label, _NONE if none else "", content)


def _row(row: Row, tags: dict, labels: dict) -> str:
    s = row.status
    markers = (tags["declared"].format(row.url) if row.declared else "") + (
        tags["reported"].format(row.url) if row.reported else ""
    )
    signature = s.signature if s else None
    consent = s.consent if s else None
    in_force = s.entry_into_force if s else None
    if consent:
        kind = s.consent_type
        instrument = escape(str(kind.label)) + (f" ({kind.symbol})" if kind.symbol else "")
        instrument += ", " + _time(consent)
        if s.denunciation_received:
            denounced = gettext("denounced, effective %(day)s") % {
                "day": day(s.denunciation_effective, "SHORT_DATE_FORMAT")
            }
            instrument += f' <span class="reason">{escape(denounced)}</span>'
    else:
        instrument = "—"
    if s and s.counts_toward_threshold:
        counts = labels["yes"]
    else:
        why = escape(str(s.not_counted.label)) if s else labels["not_signed"]
        counts = f'{labels["no"]}<span class="visually-hidden">: {why}</span>'
    cells = (
        _cell(labels["signature"], _time(signature) if signature else "—", not signature)
        + _cell(labels["instrument"], instrument, not consent)
        + _cell(labels["in_force"], _time(in_force) if in_force else "—", not in_force)
        + _cell(labels["counts"], counts, not consent)
        + _cell(labels["notification"], escape(row.notification) or "—", not row.notification)
    )
    name = escape(row.participant.display_name)
    return _ROW.format("" if s else ' class="no-action"', row.url, name, markers, cells)


_ACTION = '<li id="action-{}">\n  <p>{}: <strong>{}</strong>{}{}.{}</p>{}{}\n</li>\n'


def actions_html(actions) -> SafeString:
    """A participant's verified actions on a treaty, as its page lists them (`<li>`s)."""
    symbol_title = escape(gettext("UN Treaty Collection symbol"))
    # One sentence for the translators, as the declarations' (declarations/_record.html).
    notification_sentence = escape(gettext("Depositary notification %(notification)s."))
    source_label = escape(gettext("Source:"))
    items = []
    for action in actions:
        kind = action.action_kind
        symbol = f' <abbr title="{symbol_title}">{kind.symbol}</abbr>' if kind.symbol else ""
        place = f", <bdi>{escape(action.place)}</bdi>" if action.place else ""
        notification = (
            "\n    " + notification_sentence % {"notification": escape(action.notification)}
            if action.notification
            else ""
        )
        source = (
            f'\n  <p class="source">{source_label} {escape(action.source)}</p>'
            if action.source
            else ""
        )
        note = f'\n  <p class="source" dir="auto">{escape(action.note)}</p>' if action.note else ""
        when = _TIME.format(day(action.date, "Y-m-d"), day(action.date))
        label = escape(str(kind.label))
        items.append(
            _ACTION.format(action.pk, when, label, symbol, place, notification, source, note)
        )
    return mark_safe("".join(items))
