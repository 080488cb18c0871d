import datetime as dt

import pytest

from declarations.models import Language
from declarations.rules import Made
from ratifications.models import Action
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant
from tests.factories import ActionFactory, DeclarationFactory, ParticipantFactory, TreatyFactory


@pytest.fixture
def ratifier(db) -> Participant:
    """Signed, ratified with declarations, then denounced; 40 others make it count."""
    treaty = TreatyFactory(slug="demo", short_name="Demo Convention", threshold=2)
    state = ParticipantFactory(name="Ratifia")
    ActionFactory(treaty=treaty, participant=state, date=dt.date(2025, 10, 25), place="Hanoi")
    ActionFactory(
        treaty=treaty,
        participant=state,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 2, 1),
        notification="C.N.7.2026.TREATIES-XVIII.16",
        source="UN Treaty Collection",
    )
    DeclarationFactory(
        treaty=treaty,
        participant=state,
        made=Made.INSTRUMENT,
        date=dt.date(2026, 2, 1),
        articles="11",
        language=Language.ENGLISH,
        text="Article 11 shall not apply.",
    )
    ActionFactory(
        treaty=treaty,
        participant=ParticipantFactory(),
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 1, 1),
    )
    ActionFactory(
        treaty=treaty,
        participant=state,
        kind=ActionKind.SIGNATURE,
        date=dt.date(2025, 11, 1),
        review=Action.Review.PENDING,
        source="An unverified claim",
    )
    return state


def test_the_participant_page_shows_its_actions_in_order_with_their_sources(client, ratifier):
    page = client.get(f"/participants/{ratifier.iso3}/").content.decode()
    signature = page.index("25 October 2025</time>: <strong>Signature</strong>, <bdi>Hanoi</bdi>.")
    ratification = page.index("1 February 2026</time>: <strong>Ratification</strong>.")
    assert signature < ratification
    assert "Depositary notification C.N.7.2026.TREATIES-XVIII.16." in page
    assert "Source: UN Treaty Collection" in page
    assert "An unverified claim" not in page


def test_the_participant_page_shows_declarations_with_the_articles_they_concern(client, ratifier):
    page = client.get(f"/participants/{ratifier.iso3}/").content.decode()
    assert "Reservation</strong>, upon the instrument" in page
    assert ">11</a>" in page
    assert "<p>Article 11 shall not apply.</p>" in page


def test_the_participant_page_shows_its_status_and_entry_into_force_per_treaty(client, ratifier):
    page = client.get(f"/participants/{ratifier.iso3}/").content.decode()
    section = page[page.index('<section class="treaty-status" id="demo"') :]
    assert "Yes, signed on 25 October 2025" in section
    assert "Yes: Ratification of 1 February 2026" in section
    # The second instrument (1 February) reached the threshold of two: in force 90 days later.
    assert '<time datetime="2026-05-02">2 May 2026</time>' in section


def test_the_participant_page_says_why_a_signatory_does_not_count(client, empty_record):
    for code in ("FRA", "EUU"):
        ActionFactory(treaty=empty_record, participant=Participant.objects.get(iso3=code))
    page = client.get("/participants/EUU/").content.decode()
    assert "Regional economic integration organization" in page
    assert "Yes, signed on 25 October 2025" in page
    assert "No instrument deposited" in page


def test_a_treaty_the_participant_has_not_acted_on_is_listed_too(client, empty_record):
    page = client.get("/participants/CAN/").content.decode()
    assert "United Nations Convention against Cybercrime" in page
    assert "Canada has not signed." in page


def test_a_treaty_not_yet_open_for_signature_says_when_it_opens(client, empty_record):
    today = today_in_new_york()
    TreatyFactory(
        slug="protocol",
        short_name="A protocol",
        adopted_on=today - dt.timedelta(days=10),
        signature_opens_on=dt.date(today.year + 1, 3, 1),
        signature_closes_on=None,
    )
    page = client.get("/participants/CAN/").content.decode()
    opens = f"1 March {today.year + 1}"
    assert f"Canada has not signed. The treaty opens for signature on {opens}." in page


@pytest.mark.parametrize(
    ("path", "location"),
    [("/participants/vnm/", "/participants/VNM/"), ("/participants/euu/", "/participants/EUU/")],
)
def test_a_lower_case_code_redirects_to_the_capitals(client, defaults, path, location):
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (301, location)


def test_an_unknown_code_is_404(client, defaults):
    assert client.get("/participants/QQQ/").status_code == 404


def test_the_participant_page_answers_304_until_any_action_is_verified(client, viet_nam_signed):
    url = "/participants/VNM/"
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # Another State's instrument can change Viet Nam's entry into force.
    ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3="CAN"))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
