"""The dashboard's world map: each participant's outline (or marker) and its standing on a treaty.

The outlines come from `states/data/world-map.json` (built by `scripts/build_world_map.py`
from Natural Earth), read once per process. Nothing here queries the database: the view
passes the participants it has already loaded, each with its row of the status it has
already computed.
"""

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path

from django.templatetags.static import static
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from ratifications.rules import ParticipantStatus, Standing
from states.models import Participant

MAP_FILE = Path(__file__).resolve().parent.parent / "states" / "data" / "world-map.json"
# Below the land, the band where the name of the State pointed at shows (map units).
LABEL_BAND = 32


@functools.cache
def geometry() -> dict:
    """The map file: `width`, `height`, `shapes` and `markers` by M49 code, and `others`."""
    return json.loads(MAP_FILE.read_text())


@dataclass(frozen=True)
class Place:
    """A participant as the map draws it: its link, its drawing, and its name and status."""

    participant: Participant
    standing: Standing
    url: str
    label: str
    # Its outline or marker, in SVG (static: built once a process).
    drawing: str = ""
    marker: tuple[float, float] | None = None


@dataclass(frozen=True)
class WorldMap:
    width: float
    height: float
    # Outlined participants first, then those with a marker, which must be drawn on top.
    places: list[Place]
    # Organizations (the European Union) have no outline of their own: shown beside the map.
    organizations: list[Place]

    # Land that is no participant (Greenland, Western Sahara...) is drawn from the sprite's
    # `#others`, never linked.
    sprite = property(lambda self: sprite())

    @property
    def view_height(self) -> float:
        return self.height + LABEL_BAND

    @property
    def label_y(self) -> float:
        """The baseline of the labels in the band below the land."""
        return self.height + LABEL_BAND - 10

    @property
    def standings(self) -> list[tuple[str, str]]:
        """The legend: each standing and its label."""
        return Standing.choices

    def links(self) -> str:
        """Each State's link on the map: its outline or marker, and its label for the band
        below the land."""
        y = self.label_y
        return _markup(
            _LINK.format(p.url, p.standing, p.drawing, y, escape(p.label)) for p in self.places
        )

    def listed(self) -> str:
        """Every State by name, each a link big enough to tap: on a phone, where most of
        the map is too small to select, the list is how one reaches a State's page."""
        places = sorted(self.places, key=lambda place: place.participant.sort_key)
        return _markup(_ITEM.format(p.url, p.standing, escape(p.label)) for p in places)


# Written here rather than in the template, like the outlines: 400 links a page through
# the template engine cost the dashboard more than its whole budget. Every value that is
# not the site's own (the labels) is escaped; URLs and standings are made of codes.
_LINK = '<a href="{}" class="standing-{}">{}<text class="map-label" x="8" y="{}">{}</text></a>'
_ITEM = '<li><a href="{}" class="standing-{}">{}</a></li>'


def _markup(parts: Iterable[str]) -> str:
    return mark_safe("".join(parts))


@functools.cache
def sprite() -> str:
    """The static file of the outlines (`scripts/build_world_map.py` writes it): each page
    points into it, and browsers keep it, instead of receiving the outlines every time."""
    return static("map/world.svg")


@functools.cache
def _drawing(code: str) -> tuple[str, tuple[float, float] | None]:
    data = geometry()
    if code in data["markers"]:
        x, y = data["markers"][code]
        return format_html('<circle class="map-marker" cx="{}" cy="{}" r="4.5"/>', x, y), (x, y)
    return format_html('<use href="{}#m{}"/>', sprite(), code), None


def labeller() -> Callable[[str, ParticipantStatus | None], str]:
    """Names a participant with its status, in the active language: "Viet Nam: signatory,
    25 October 2025". Each sentence is translated once, each day written once."""
    sentences = {
        Standing.PARTY: gettext("%(name)s: Party, %(kind)s of %(day)s"),
        Standing.SIGNATORY: gettext("%(name)s: signatory, %(day)s"),
        Standing.NONE: gettext("%(name)s: no action"),
    }
    day = functools.cache(lambda value: date_format(value, "DATE_FORMAT"))

    def label(name: str, row: ParticipantStatus | None) -> str:
        standing = row.standing if row else Standing.NONE
        values = {"name": name}
        if standing == Standing.PARTY:
            values |= {"kind": row.consent_type.label.lower(), "day": day(row.consent)}
        elif standing == Standing.SIGNATORY:
            values["day"] = day(row.signature)
        return sentences[standing] % values

    return label


def world_map(
    rows: Iterable[tuple[Participant, ParticipantStatus | None]], url: Callable[[str], str]
) -> WorldMap:
    """The map of these participants, each with its status row (None: no verified action);
    `url` gives a participant's page from its code.

    A State without an M49 code or map data is left out; the table lists it.
    """
    data = geometry()
    label = labeller()
    places, organizations = [], []
    for participant, row in rows:
        name = participant.display_name
        standing = row.standing if row else Standing.NONE
        place = functools.partial(
            Place, participant, standing, url(participant.iso3), label(name, row)
        )
        if participant.is_reio:
            organizations.append((name, place()))
            continue
        code = str(participant.m49)
        if code in data["shapes"] or code in data["markers"]:
            drawing, marker = _drawing(code)
            places.append(((marker is not None, name), place(drawing, marker)))
    places = [place for _, place in sorted(places, key=lambda pair: pair[0])]
    organizations = [place for _, place in sorted(organizations, key=lambda pair: pair[0])]
    return WorldMap(data["width"], data["height"], places, organizations)
