"""The world map on the dashboard: ratifications/worldmap.py, ratifications/_world_map.html."""

import datetime as dt
import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from ratifications.rules import ActionKind, ParticipantStatus, Standing
from ratifications.worldmap import geometry, world_map
from states.models import Kind, Participant
from tests.factories import ActionFactory

HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}
MAP_LINK = re.compile(r'<a href="/participants/(\w+)/" class="standing-(\w+)">')


def status_row(signature=None, consent=None, consent_type=None, party=False, **rest):
    return ParticipantStatus(
        participant="QQQ",
        reio=False,
        signature=signature,
        consent=consent,
        consent_type=consent_type,
        party=party,
        counts_toward_threshold=party,
        not_counted=None,
        entry_into_force=None,
        denunciation_received=rest.get("denunciation_received"),
        denunciation_effective=rest.get("denunciation_effective"),
    )


def signs(treaty, code: str, day: dt.date) -> None:
    ActionFactory(treaty=treaty, participant=Participant.objects.get(iso3=code), date=day)


def map_of(page: str) -> str:
    """The map's drawing: its SVG."""
    section = page[page.index('<section id="map"') :]
    return section[section.index("<svg viewBox") : section.index("</svg>\n")]


def notes_of(page: str) -> str:
    """What the map lists beside its drawing: organizations, every State by name."""
    section = page[page.index('<div id="map-notes"') :]
    return section[: section.index("</section>")]


# The data and the standings


def test_the_map_file_is_read_once_per_process():
    assert geometry() is geometry()
    assert geometry()["width"] == 1000


def test_the_static_outlines_are_those_of_the_map_file():
    """The pages point into static/map/world.svg (`make map` writes both from Natural Earth)."""
    sprite = (Path(__file__).resolve().parents[1] / "static" / "map" / "world.svg").read_text()
    assert set(re.findall(r'<path id="m(\d+)" d="', sprite)) == set(geometry()["shapes"])
    assert '<path id="others" d="M' in sprite


def test_every_participant_but_the_organization_has_an_outline_or_a_marker(defaults):
    data = geometry()
    drawn = set(data["shapes"]) | set(data["markers"])
    missing = [p.name for p in Participant.objects.states() if str(p.m49) not in drawn]
    assert missing == []


@pytest.mark.parametrize(
    ("row", "standing"),
    [
        (status_row(), Standing.NONE),
        (status_row(signature=dt.date(2025, 10, 25)), Standing.SIGNATORY),
        (
            status_row(
                signature=dt.date(2025, 10, 25),
                consent=dt.date(2026, 3, 1),
                consent_type=ActionKind.RATIFICATION,
                party=True,
            ),
            Standing.PARTY,
        ),
        # A denunciation that has taken effect: a signatory again.
        (
            status_row(
                signature=dt.date(2025, 10, 25),
                consent=dt.date(2026, 3, 1),
                consent_type=ActionKind.RATIFICATION,
                denunciation_received=dt.date(2027, 1, 1),
                denunciation_effective=dt.date(2028, 1, 1),
            ),
            Standing.SIGNATORY,
        ),
    ],
)
def test_a_participant_stands_by_the_most_it_has_done(row, standing):
    assert row.standing == standing


def test_the_map_puts_outlines_first_markers_on_top_and_organizations_apart():
    def participant(name, iso3, m49, kind=Kind.MEMBER_STATE):
        return Participant(name=name, iso3=iso3, iso2=iso3[:2], m49=m49, kind=kind)

    signed = status_row(signature=dt.date(2025, 10, 25))
    drawing = world_map(
        [
            (participant("Tuvalu", "TUV", 798), None),
            (participant("Viet Nam", "VNM", 704), signed),
            (participant("Andorra", "AND", 20), None),
            (participant("Brazil", "BRA", 76), None),
            (participant("European Union", "EUU", None, Kind.REIO), signed),
            # No M49 code: only in the table.
            (participant("Testland", "0AA", None), None),
        ],
        lambda iso3: f"/p/{iso3}/",
    )
    assert [p.participant.iso3 for p in drawing.places] == ["BRA", "VNM", "AND", "TUV"]
    tuvalu = drawing.places[-1]
    assert tuvalu.marker == (995.2, 275.2)
    assert tuvalu.drawing == '<circle class="map-marker" cx="995.2" cy="275.2" r="4.5"/>'
    viet_nam = drawing.places[1]
    assert (viet_nam.standing, viet_nam.url) == (Standing.SIGNATORY, "/p/VNM/")
    assert viet_nam.label == "Viet Nam: signatory, 25 October 2025"
    assert viet_nam.drawing == '<use href="/static/map/world.svg#m704"/>'
    [eu] = drawing.organizations
    assert (eu.participant.iso3, eu.standing) == ("EUU", Standing.SIGNATORY)
    assert drawing.view_height > drawing.height > drawing.label_y - 32
    # Every State by name, in the language's order, each a link.
    assert re.findall(r'<li><a href="/p/(\w+)/"', drawing.listed()) == ["AND", "BRA", "TUV", "VNM"]


def test_a_label_typed_by_nobody_is_still_escaped_in_the_map():
    state = Participant(name="<b>Bold</b> & Co", iso3="BLD", iso2="BL", m49=20)
    drawing = world_map([(state, None)], lambda iso3: f"/p/{iso3}/")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co: no action" in drawing.links()
    assert "<b>" not in drawing.links() + drawing.listed()


# On the dashboard


def test_the_dashboard_draws_every_state_as_a_link_named_with_its_status(client, viet_nam_signed):
    page = map_of(client.get("/").content.decode())
    links = dict(MAP_LINK.findall(page))
    assert len(links) == 197
    assert "EUU" not in links
    assert list(links.values()).count("signatory") == 1
    assert (links["VNM"], links["USA"]) == ("signatory", "none")
    assert '<text class="map-label" x="8" y="' in page
    assert ">Viet Nam: signatory, 25 October 2025</text>" in page
    assert ">United States of America: no action</text>" in page
    assert 'aria-labelledby="map-title map-desc"' in page
    whole = client.get("/").content.decode()
    assert (
        "The boundaries and names shown and the designations used on this map do not imply "
        "official endorsement or acceptance by the United Nations." in whole
    )


def test_the_european_union_and_every_state_by_name_are_listed_beside_the_map(client, empty_record):
    """On a phone most States are too small to select on the map: the list is the way
    to each one's page, a link at least 24 px high (site.css)."""
    for code in ("FRA", "EUU"):
        signs(empty_record, code, dt.date(2025, 10, 25))
    signs(empty_record, "MUS", dt.date(2025, 11, 19))
    notes = notes_of(client.get("/").content.decode())
    assert '<a href="/participants/EUU/">European Union: signatory, 25 October 2025</a>' in notes
    assert "The 197 States by name" in notes
    listed = dict(re.findall(r'<li><a href="/participants/(\w+)/" class="standing-(\w+)">', notes))
    assert len(listed) == 197
    assert (listed["MUS"], listed["FRA"], listed["TUV"]) == ("signatory", "signatory", "none")
    assert ">Mauritius: signatory, 19 November 2025</a>" in notes


def test_a_party_is_named_with_its_instrument(client, viet_nam_signed):
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
    )
    page = map_of(client.get("/").content.decode())
    assert ">Viet Nam: Party, ratification of 2 March 2026</text>" in page
    assert dict(MAP_LINK.findall(page))["VNM"] == "party"


@pytest.mark.parametrize(
    ("language", "day"),
    [
        ("fr", "25 octobre 2025"),
        ("es", "25 de octubre de 2025"),
        ("ru", "25 октября 2025 года"),
        ("zh-hans", "2025年10月25日"),
        ("ar", "25 تشرين الأول/أكتوبر 2025"),
    ],
)
def test_the_map_writes_its_dates_and_legend_as_the_language_does(
    client, viet_nam_signed, language, day
):
    page = client.get("/", headers={"Accept-Language": language}).content.decode()
    viet_nam = re.search(
        r'<a href="/participants/VNM/"[^>]*><use [^>]*/><text [^>]*>([^<]*)<', page
    )
    assert day in viet_nam[1]
    legend = re.search(r'<ul class="map-legend">(.*?)</ul>', page, re.S)[1]
    labels = [label.strip() for label in re.findall(r"</svg>([^<]+)</li>", legend)]
    assert len(labels) == 5
    # Each label a noun of its own: capitalised where the script has capitals, no
    # Chinese measure word (个) left from a count.
    assert all(
        label[0].isupper()
        for label in labels
        if label[0].isalpha() and label[0].lower() != label[0].upper()
    )
    assert not any(label.startswith("个") for label in labels)


def test_the_map_shows_the_day_chosen(client, viet_nam_signed):
    signs(viet_nam_signed, "MUS", dt.date(2025, 11, 19))
    before = dict(MAP_LINK.findall(map_of(client.get("/?as_of=2025-10-24").content.decode())))
    assert set(before.values()) == {"none"}
    first_day = client.get("/?as_of=2025-10-25").content.decode()
    assert ">Mauritius: no action</text>" in map_of(first_day)
    assert "Each State’s status at the end of 25 October 2025" in first_day


def test_the_whole_world_is_drawn_whatever_the_filters(client, viet_nam_signed):
    page = client.get("/", {"q": "viet", "group": "asia_pacific", "status": "signed"})
    assert len(MAP_LINK.findall(map_of(page.content.decode()))) == 197
    assert "1 participant matches." in page.content.decode()


def test_the_fragments_carry_no_map(client, defaults):
    table = client.get("/", {"q": "viet"}, headers=HX).content.decode()
    assert 'id="map"' not in table and 'id="timeline"' not in table
    # The count goes to the live region above the table, which stays.
    assert '<span hx-swap-oob="innerHTML:#participants-count">1 participant matches. ' in table
    assert 'id="map"' not in client.get("/", headers=POLL).content.decode()


def test_coordinates_are_never_written_with_a_decimal_comma(client, defaults):
    page = client.get("/", headers={"Accept-Language": "fr"}).content.decode()
    assert 'lang="fr"' in page
    assert '<svg viewBox="0 0 1000.0 518.7"' in page
    assert re.search(r'<circle class="map-marker" cx="\d+\.\d" cy="\d+\.\d" r="4.5"/>', page)
    assert not re.search(r'(cx|cy|y1|y2|x1|x2)="\d+,\d', page)


def test_the_dashboard_weighs_under_60_kb_compressed(client, defaults):
    """The page, its stylesheet and its scripts, as gzip sends them (docs/accessibility.md)."""
    page = client.get("/").content
    assets = re.findall(rb'<(?:script src|link rel="stylesheet" href)="/static/([^"]+)"', page)
    assert {a.decode() for a in assets} >= {"css/site.css", "django_htmx/htmx-2.min.js"}
    total = len(gzip.compress(page))
    for asset in assets:
        with open(finders.find(asset.decode()), "rb") as file:
            total += len(gzip.compress(file.read()))
    assert total < 60_000
