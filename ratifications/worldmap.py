"""The dashboard's world map: each participant's outline (or marker) and its standing on a treaty.

The outlines come from `states/data/world-map.json` (built by `scripts/build_world_map.py` from
Natural Earth), read once per process. Nothing here queries the database: the view passes
the participants it has already loaded, each with its row of the status it has already
computed.
"""

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ratifications.rules import ActionKind, ParticipantStatus, Standing
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
    """A participant as the map draws it."""

    participant: Participant
    standing: Standing
    # For a Party, its instrument and the date of deposit; for a signatory, its signature.
    since: dt.date | None
    instrument: ActionKind | None
    # An SVG path, and a point for those too small to see (both in the map's units).
    outline: str = ""
    marker: tuple[float, float] | None = None


@dataclass(frozen=True)
class WorldMap:
    width: float
    height: float
    # Land that is no participant (Greenland, Western Sahara...): drawn, never linked.
    others: str
    # Outlined participants first, then those with a marker, which must be drawn on top.
    places: list[Place]
    # Organizations (the European Union) have no outline of their own: shown beside the map.
    organizations: list[Place]

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

    @property
    def small(self) -> list[Place]:
        """The participants too small to see at the map's scale, which have a marker."""
        return [place for place in self.places if place.marker]


def _place(participant, row: ParticipantStatus | None, **drawing) -> Place:
    standing = row.standing if row else Standing.NONE
    if standing == Standing.PARTY:
        since, instrument = row.consent, row.consent_type
    else:
        since, instrument = (row.signature if row else None), None
    return Place(participant, standing, since, instrument, **drawing)


def world_map(rows: Iterable[tuple[Participant, ParticipantStatus | None]]) -> WorldMap:
    """The map of these participants, each with its status row (None: no verified action).

    A State without an M49 code or map data is left out; the table lists it.
    """
    data = geometry()
    shapes, markers = data["shapes"], data["markers"]
    places, organizations = [], []
    for participant, row in rows:
        if participant.is_reio:
            organizations.append(_place(participant, row))
            continue
        code = str(participant.m49)
        if code not in shapes and code not in markers:
            continue
        marker = tuple(markers[code]) if code in markers else None
        places.append(_place(participant, row, outline=shapes.get(code, ""), marker=marker))
    places.sort(key=lambda place: (place.marker is not None, place.participant.display_name))
    organizations.sort(key=lambda place: place.participant.display_name)
    return WorldMap(data["width"], data["height"], data["others"], places, organizations)
