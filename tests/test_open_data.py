import csv
import datetime as dt
import html
import io
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from ratifications.importing import COLUMNS, plan_import
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory, UserFactory

CSV_URL = "/api/v1/treaties/hanoi-convention/actions.csv"
FEED_URL = "/treaties/hanoi-convention/feed/"
CALENDAR_URL = "/treaties/hanoi-convention/calendar.ics"
EMBED_URL = "/treaties/hanoi-convention/embed/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def demo(db) -> Treaty:
    """A verified signature and accession, and a pending submission that must not show."""
    treaty = TreatyFactory(slug="demo", threshold=1)
    ActionFactory(treaty=treaty, participant=ParticipantFactory(name="Signatoria"))
    ActionFactory(
        treaty=treaty,
        participant=ParticipantFactory(name="Accedia"),
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 3, 1),
        place="New York",
        notification="C.N.12.2026.TREATIES-XVIII.16",
    )
    ActionFactory(
        treaty=treaty,
        participant=ParticipantFactory(name="Pendingia"),
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 4, 1),
        review=Action.Review.PENDING,
    )
    return treaty


# actions.csv


def test_the_csv_holds_the_verified_actions_in_the_import_format(client, demo):
    response = client.get("/api/v1/treaties/demo/actions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="demo-actions.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == [
        ["Signatoria", "signature", "2025-10-25", "", "", "", "Test fixture"],
        [
            "Accedia",
            "accession",
            "2026-03-01",
            "New York",
            "C.N.12.2026.TREATIES-XVIII.16",
            "",
            "Test fixture",
        ],
    ]


def test_the_csv_of_the_real_data_imports_back_as_already_there(client, defaults):
    plan = plan_import(client.get(CSV_URL).content.decode(), defaults)
    assert plan.ok and not plan.new
    assert len(plan.already_there) == Action.objects.verified().for_treaty(defaults).count()


def test_the_csv_answers_400_for_any_parameter_and_404_for_an_unknown_treaty(client, defaults):
    response = client.get(CSV_URL, {"as_of": "2025-10-25"})
    assert response.status_code == 400
    assert "as_of" in response.json()["error"]
    missing = client.get("/api/v1/treaties/no-such-treaty/actions.csv")
    assert missing.status_code == 404
    assert missing.json() == {"error": "No treaty 'no-such-treaty'."}


def test_the_csv_answers_304_until_an_action_is_verified(client, demo):
    url = "/api/v1/treaties/demo/actions.csv"
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    pending = Action.objects.pending().get()
    pending.review, pending.reviewed_at = Action.Review.VERIFIED, pending.submitted_at
    pending.save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Pendingia" in response.content.decode()


# Atom feeds


def test_the_treaty_feed_lists_verified_actions_newest_first(client, demo):
    response = client.get("/treaties/demo/feed/")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert len(titles) == 2
    assert titles[0].startswith("Accedia: accession of the ")
    assert titles[1].startswith("Signatoria: signature of the ")
    assert "Pendingia" not in response.content.decode()
    summary = next(feed.iter(f"{ATOM}entry")).findtext(f"{ATOM}summary")
    assert "Depositary notification C.N.12.2026.TREATIES-XVIII.16." in summary


def test_a_feed_entry_links_to_the_action_on_the_participant_page(client, demo):
    accession = Action.objects.verified().get(kind=ActionKind.ACCESSION)
    feed = ET.fromstring(client.get("/treaties/demo/feed/").content)
    link = next(feed.iter(f"{ATOM}entry")).find(f"{ATOM}link").get("href")
    assert (
        link
        == f"http://testserver/participants/{accession.participant.iso3}/#action-{accession.pk}"
    )


def entry_dates(content) -> dict[str, tuple[str, str]]:
    """Each entry's title, with its `published` and `updated` as the feed writes them."""
    return {
        entry.findtext(f"{ATOM}title"): (
            entry.findtext(f"{ATOM}published"),
            entry.findtext(f"{ATOM}updated"),
        )
        for entry in ET.fromstring(content).iter(f"{ATOM}entry")
    }


def test_feed_entries_are_dated_by_their_actions_not_by_when_the_data_was_loaded(client, defaults):
    dates = entry_dates(client.get(FEED_URL).content)
    recorded = Action.objects.verified().for_treaty(defaults)
    assert len(dates) == min(recorded.count(), 100)
    # The shipped status has no reviewer: each entry carries its own New York date.
    by_day = {published[:10] for published, _ in dates.values()}
    assert by_day <= {day.isoformat() for day in recorded.values_list("date", flat=True)}
    assert all(updated == published for published, updated in dates.values())


def test_an_entry_is_published_at_new_york_midnight_of_its_action(client, viet_nam_signed):
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="MUS"),
        date=dt.date(2025, 11, 19),
    )
    dates = entry_dates(client.get(FEED_URL).content)
    viet_nam = next(dates[title] for title in dates if title.startswith("Viet Nam: "))
    mauritius = next(dates[title] for title in dates if title.startswith("Mauritius: "))
    assert viet_nam == ("2025-10-25T00:00:00-04:00", "2025-10-25T00:00:00-04:00")
    assert mauritius == ("2025-11-19T00:00:00-05:00", "2025-11-19T00:00:00-05:00")


def test_an_action_verified_by_someone_is_updated_when_they_verified_it(client, demo):
    verified_at = dt.datetime(2026, 3, 4, 15, 30, tzinfo=dt.UTC)
    Action.objects.verified().filter(kind=ActionKind.ACCESSION).update(
        reviewed_by=UserFactory(), reviewed_at=verified_at
    )
    dates = entry_dates(client.get("/treaties/demo/feed/").content)
    accession = next(dates[title] for title in dates if title.startswith("Accedia: "))
    # Deposited on 1 March (New York), verified in the tracker three days later.
    assert accession == ("2026-03-01T00:00:00-05:00", "2026-03-04T10:30:00-05:00")


class _Tags(HTMLParser):
    """What a feed reader would make of a summary: the elements it holds."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_text_a_mission_typed_reaches_the_feed_as_inert_text(client, db):
    treaty = TreatyFactory(slug="demo")
    ActionFactory(
        treaty=treaty,
        place="<script>alert('place')</script>",
        notification='<img src=x onerror="alert(1)">',
        source='<a href="javascript:alert(2)">UNTC</a> & co',
    )
    entry = next(ET.fromstring(client.get("/treaties/demo/feed/").content).iter(f"{ATOM}entry"))
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # Read as the HTML the feed says it is, the summary holds no element at all...
    parser = _Tags()
    parser.feed(summary.text)
    assert parser.tags == []
    # ...and shows the characters the mission typed, as text.
    assert html.unescape(summary.text) == (
        "Place: <script>alert('place')</script>. "
        'Depositary notification <img src=x onerror="alert(1)">. '
        'Source: <a href="javascript:alert(2)">UNTC</a> & co.'
    )


def test_the_participant_feed_lists_its_own_actions(client, demo):
    accedia = Action.objects.get(kind=ActionKind.ACCESSION, review="verified").participant
    feed = ET.fromstring(client.get(f"/participants/{accedia.iso3}/feed/").content)
    entries = list(feed.iter(f"{ATOM}entry"))
    assert len(entries) == 1
    assert entries[0].findtext(f"{ATOM}title").startswith("Accedia: accession of the ")


def test_the_participant_feed_redirects_lower_case_and_404s_an_unknown_code(client, defaults):
    response = client.get("/participants/vnm/feed/")
    assert (response.status_code, response["Location"]) == (301, "/participants/VNM/feed/")
    assert client.get("/participants/QQQ/feed/").status_code == 404


def test_feeds_answer_304_when_nothing_changed(client, defaults):
    for url in (FEED_URL, "/participants/VNM/feed/"):
        response = client.get(url)
        assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
        since = {"If-Modified-Since": response["Last-Modified"]}
        assert client.get(url, headers=since).status_code == 304


# iCalendar


def test_the_calendar_has_the_last_day_to_sign_as_an_all_day_event(client, empty_record):
    response = client.get(CALENDAR_URL)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "UID:hanoi-convention-signature-closes@testserver\r\n" in text
    assert "DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n" in text
    assert "entry-into-force" not in text


def test_the_calendar_adds_entry_into_force_once_known(client, demo):
    text = client.get("/treaties/demo/calendar.ics").content.decode()
    assert "UID:demo-entry-into-force@testserver\r\n" in text
    # Threshold 1, reached on 1 March 2026: in force 90 days later.
    assert "DTSTART;VALUE=DATE:20260530\r\n" in text


def test_calendar_lines_are_folded_at_75_octets_and_text_is_escaped(client, defaults):
    text = client.get(CALENDAR_URL).content.decode()
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    description = next(
        line for line in text.replace("\r\n ", "").split("\r\n") if line.startswith("DESCRIPTION")
    )
    assert "After it\\, States join by accession." in description


def test_the_calendar_answers_304_when_nothing_changed(client, defaults):
    etag = client.get(CALENDAR_URL)["ETag"]
    assert client.get(CALENDAR_URL, headers={"If-None-Match": etag}).status_code == 304


# The embeddable card


def test_the_embed_may_be_framed_by_any_site(client, defaults):
    response = client.get(EMBED_URL)
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_only_the_embed_may_be_framed(client, defaults):
    for url in ("/", "/participants/VNM/", "/treaties/hanoi-convention/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_embed_is_a_small_card_without_scripts(client, empty_record):
    page = client.get(EMBED_URL).content.decode()
    assert "<script" not in page
    assert '<span class="num">0</span> of 40 instruments' in page
    assert "40 more needed for entry into force." in page
    assert 'href="http://testserver/treaties/hanoi-convention/" target="_blank"' in page
    assert len(page) < 4000


def test_the_embed_names_the_newest_verified_action_not_a_data_date(client, empty_record):
    ActionFactory(
        treaty=empty_record,
        participant=Participant.objects.get(iso3="VNM"),
        date=dt.date(2025, 10, 25),
    )
    page = client.get(EMBED_URL).content.decode()
    assert "Newest verified action: 25 Oct 2025." in page
    assert "Data as of" not in page


def test_the_dashboard_shows_the_embed_snippet(client, defaults):
    page = client.get("/").content.decode()
    assert '<textarea id="embed-snippet" readonly' in page
    assert "&lt;iframe src=&quot;" not in page
    assert '&lt;iframe src="http://testserver/treaties/hanoi-convention/embed/"' in page


def test_the_embed_answers_304_when_nothing_changed(client, defaults):
    etag = client.get(EMBED_URL)["ETag"]
    response = client.get(EMBED_URL, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert "X-Frame-Options" not in response


@pytest.mark.parametrize(
    "url", [CSV_URL, FEED_URL, CALENDAR_URL, EMBED_URL, "/participants/VNM/feed/"]
)
def test_open_data_refuses_post(client, defaults, url):
    assert client.post(url).status_code == 405


@pytest.mark.parametrize(
    "url",
    [CSV_URL, FEED_URL, CALENDAR_URL, EMBED_URL, "/api/v1/treaties/hanoi-convention/status"],
)
def test_open_data_is_the_same_for_everyone(client, defaults, url):
    anonymous = client.get(url)
    if url != EMBED_URL:
        # The embedded card speaks the visitor's language, which the language
        # cookie may choose (docs/languages.md); the data itself speaks English.
        assert "Cookie" not in anonymous.get("Vary", "")
    client.force_login(UserFactory())
    assert client.get(url, headers={"If-None-Match": anonymous["ETag"]}).status_code == 304
