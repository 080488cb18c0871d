"""The method page, the what-if page, and the projection on the dashboard, the embed card,
the participant page and the calendar."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ratifications.models import Action, Revision
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory

METHOD_URL = "/treaties/hanoi-convention/projection/"
WHAT_IF = "/treaties/hanoi-convention/what-if/"
HX = {"HX-Request": "true", "HX-Target": "scenario"}


@pytest.fixture
def ceremony(viet_nam_signed):
    """Viet Nam, Algeria, Brazil, France, Nauru and the European Union signed on 25 October
    2025, Mali on the 26th, Mauritius on 19 November: eight signatories, no instrument."""
    for code in ("DZA", "BRA", "FRA", "NRU", "EUU", "MLI", "MUS"):
        ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3=code))
    return viet_nam_signed


@pytest.fixture
def in_force(db):
    """A treaty ("demo") that needs one instrument, deposited on 1 February 2026: in force
    since 2 May 2026."""
    treaty = TreatyFactory(slug="demo", threshold=1)
    ActionFactory(treaty=treaty, kind=ActionKind.ACCESSION, date=dt.date(2026, 2, 1))
    return treaty


def deposits_of(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("deposit", [])


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# The method page


def test_the_method_page_gives_the_range_the_rule_the_back_test_and_the_caveats(
    client, empty_record
):
    page = text(client.get(METHOD_URL, {"as_of": "2026-12-02"}))
    assert (
        "If it keeps pace with comparable treaties, the threshold of 40 instruments would be "
        "reached between July 2027 and April 2029, most likely around June 2028." in page
    )
    assert "enter into force between October 2027 and July 2029" in page
    assert "19 of 40 real threshold dates fell inside the stated 50% range" in page
    for section in ("method", "reference-class", "backtest", "survivorship", "data"):
        assert f'id="{section}"' in page
    assert "Only treaties that entered into force are compared" in page
    assert " will enter" not in page


def test_the_method_page_shows_the_alternatives_with_their_back_tests(client, empty_record):
    page = text(client.get(METHOD_URL, {"as_of": "2026-12-02"}))
    assert 'All comparable treaties <span class="tag">the rule</span>' in page
    assert "The same family (chapter of the UN Treaty Collection)" in page
    assert "8 of 8 treaties still counting at this age" in page
    assert "The same threshold" in page and "0 of 2 (0%)" in page


def test_the_method_page_lists_every_reference_treaty_with_its_sources_and_labels(
    client, empty_record
):
    page = text(client.get(METHOD_URL))
    for name in ("Anti-Personnel Mine Ban Convention", "Malabo", "Council of Europe Convention"):
        assert name in page
    assert "No: no quarterly curve" in page
    assert "allucinaria/XML XVIII-12.en.xml" in page
    assert "5 (&gt;=3 CoE members)" in page


def test_the_method_page_gives_the_real_dates_past_the_threshold(client, in_force):
    page = text(client.get("/treaties/demo/projection/"))
    assert "The threshold was reached on 1 February 2026" in page
    assert "enters into force on 2 May 2026, by its clauses. These are the real dates" in page


def test_the_method_page_answers_400_for_a_bad_date_and_404_for_an_unknown_treaty(client, defaults):
    assert client.get(METHOD_URL, {"as_of": "tomorrow"}).status_code == 400
    assert client.get("/treaties/nope/projection/").status_code == 404
    assert client.post(METHOD_URL).status_code == 405


def test_the_method_page_is_translated(client, empty_record):
    page = client.get(METHOD_URL, headers={"Accept-Language": "fr"}).content.decode()
    assert '<html lang="fr"' in page


# The dashboard's card, the embed, the participant page, the calendar


def test_the_dashboard_gives_the_range_in_words_with_the_caveat_one_click_away(
    client, empty_record
):
    page = text(client.get("/", {"as_of": "2026-12-02"}))
    assert (
        "If it keeps pace with comparable treaties: between October 2027 and July 2029, most "
        "likely around September 2028." in page
    )
    assert 'href="/treaties/hanoi-convention/projection/?as_of=2026-12-02#survivorship"' in page
    assert 'href="/treaties/hanoi-convention/what-if/"' in page


def test_the_polled_counters_carry_the_range_too(client, empty_record):
    page = text(client.get("/", headers={"HX-Request": "true", "HX-Target": "counters"}))
    assert "If it keeps pace with comparable treaties" in page


def test_the_dashboard_has_no_range_once_the_threshold_is_reached(client, in_force):
    page = text(client.get("/treaties/demo/"))
    assert "If it keeps pace" not in page
    assert "In force since 2 May 2026" in page


def test_the_dashboard_says_why_there_is_no_range(client, empty_record):
    page = text(client.get("/", {"as_of": "2025-06-01"}))
    assert "not yet open for signature on this day" in page


def test_the_embed_card_shows_the_range_and_stays_small(client, empty_record):
    page = text(client.get("/treaties/hanoi-convention/embed/"))
    projection = empty_record.status().projection.entry_into_force
    assert (
        '<a href="/treaties/hanoi-convention/projection/" target="_blank" rel="noopener">'
        f"Projected</a> entry into force: {projection.low:%b %Y} – {projection.high:%b %Y}"
    ) in page
    assert len(page) < 4000


def test_the_participant_page_offers_a_what_if_for_a_state_that_has_not_deposited(
    client, viet_nam_signed
):
    page = text(client.get("/participants/VNM/"))
    assert re.search(
        r'href="/treaties/hanoi-convention/what-if/\?deposit=VNM:\d{4}-\d\d-\d\d"', page
    )
    assert "What if Viet Nam deposited its instrument today? (hypothetical)" in page


def test_the_calendar_marks_the_projected_range_as_a_projection(client, empty_record):
    calendar = client.get("/treaties/hanoi-convention/calendar.ics").content.decode()
    unfolded = calendar.replace("\r\n ", "")
    event = unfolded.split("UID:hanoi-convention-projected-range@testserver\r\n")[1]
    event = event.split("END:VEVENT")[0]
    projection = empty_record.status().projection.entry_into_force
    assert f"DTSTART;VALUE=DATE:{projection.low:%Y%m%d}\r\n" in event
    assert f"DTEND;VALUE=DATE:{projection.high + dt.timedelta(days=1):%Y%m%d}\r\n" in event
    assert "SUMMARY:Projection: the United Nations Convention against Cybercrime might" in event
    assert "STATUS:TENTATIVE\r\nCATEGORIES:PROJECTION\r\n" in event
    assert "URL:http://testserver/treaties/hanoi-convention/projection/\r\n" in event


def test_the_calendar_drops_the_projection_once_entry_into_force_is_known(client, in_force):
    calendar = client.get("/treaties/demo/calendar.ics").content.decode()
    assert "UID:demo-entry-into-force@testserver" in calendar
    assert "projected-range" not in calendar and "TENTATIVE" not in calendar


# The what-if page


def test_the_what_if_page_shows_each_deposit_and_its_entry_into_force_as_hypothetical(
    client, viet_nam_signed
):
    response = client.get(WHAT_IF, {"deposit": ["VNM:2027-01-15", "CAN:2027-01-20"]})
    assert response.status_code == 200
    page = text(response)
    assert page.count('class="hypothetical"') >= 2
    assert "Hypothetical: 2 of 40 instruments, 38 more needed" in page
    assert 'Ratification, <time datetime="2027-01-15">15 January 2027</time>' in page
    assert 'Accession, <time datetime="2027-01-20">20 January 2027</time>' in page
    assert '<input type="hidden" name="deposit" value="VNM:2027-01-15">' in page


def test_adding_a_participant_without_javascript_redirects_to_the_scenario(client, viet_nam_signed):
    response = client.get(WHAT_IF, {"deposit": "VNM:2027-01-15", "who": "FRA", "on": "2027-02-01"})
    assert response.status_code == 302
    assert deposits_of(response["Location"]) == ["VNM:2027-01-15", "FRA:2027-02-01"]
    assert urlsplit(response["Location"]).path == WHAT_IF


def test_adding_all_signatories_of_a_group_adds_those_without_an_instrument(client, ceremony):
    # The ceremony's African signatories: Algeria, Mali, Mauritius; Algeria deposits first.
    response = client.get(
        WHAT_IF, {"deposit": "DZA:2027-01-15", "who": "signatories:african", "on": "2027-02-01"}
    )
    assert deposits_of(response["Location"]) == [
        "DZA:2027-01-15",
        "MLI:2027-02-01",
        "MUS:2027-02-01",
    ]


def test_adding_all_signatories_puts_the_european_union_after_its_member_states(client, ceremony):
    response = client.get(WHAT_IF, {"who": "signatories", "on": "2027-02-01"})
    codes = [deposit.split(":")[0] for deposit in deposits_of(response["Location"])]
    assert codes == ["DZA", "BRA", "FRA", "MLI", "MUS", "NRU", "VNM", "EUU"]
    page = text(client.get(response["Location"]))
    assert "Hypothetical: 7 of 40 instruments, 33 more needed" in page
    assert "Refused" not in page


def test_forty_deposits_on_one_day_give_that_day_and_entry_into_force_ninety_days_later(
    client, defaults
):
    forty = (
        Action.objects.verified()
        .for_treaty(defaults)
        .filter(kind=ActionKind.SIGNATURE, participant__kind="member_state")
        .values_list("participant__iso3", flat=True)[:40]
    )
    page = text(client.get(WHAT_IF, {"deposit": [f"{code}:2027-03-01" for code in forty]}))
    assert (
        "Hypothetical: the threshold would be reached on 1 March 2027, and the treaty would "
        "enter into force on 30 May 2027." in page
    )


def test_with_htmx_adding_answers_the_fragment_and_the_scenarios_address(client, viet_nam_signed):
    response = client.get(
        WHAT_IF, {"deposit": "VNM:2027-01-15", "who": "FRA", "on": "2027-02-01"}, headers=HX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<form id="scenario"')
    assert "<html" not in page
    assert deposits_of(response["HX-Push-Url"]) == ["VNM:2027-01-15", "FRA:2027-02-01"]
    assert 'hx-swap-oob="innerHTML:#scenario-summary"' in page
    assert "2 of 40 instruments" in page
    # The language links lead to the new scenario, not to the addition again.
    assert "who%3DFRA" not in page and "deposit%3DFRA%3A2027-02-01" in page


def test_removing_a_deposit_leaves_the_others(client, viet_nam_signed):
    query = {
        "deposit": ["VNM:2027-01-15", "CAN:2027-01-20"],
        "without": "VNM:2027-01-15",
        "who": "",
        "on": "",
    }
    response = client.get(WHAT_IF, query)
    assert deposits_of(response["Location"]) == ["CAN:2027-01-20"]
    htmx = client.get(WHAT_IF, query, headers=HX)
    assert deposits_of(htmx["HX-Push-Url"]) == ["CAN:2027-01-20"]


def test_a_refused_addition_is_explained_on_the_field_and_changes_nothing(client, viet_nam_signed):
    response = client.get(
        WHAT_IF, {"deposit": "VNM:2027-01-15", "who": "VNM", "on": "2027-02-01"}, headers=HX
    )
    assert response.status_code == 200
    assert "HX-Push-Url" not in response
    page = text(response)
    assert 'id="errors-who"' in page and "already a party by ratification of 15 January" in page
    assert page.count('<input type="hidden" name="deposit"') == 1
    # The choice stays as it was made.
    assert '<option value="VNM" selected>' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"who": "FRA", "on": "01/02/2027"}, "Write the date as YYYY-MM-DD"),
        ({"who": "FRA", "on": "2020-01-01"}, "The treaty was adopted on 24 December 2024"),
        ({"who": "", "on": "2027-02-01"}, "This field is required"),
        ({"who": "XYZ", "on": "2027-02-01"}, "Select a valid choice"),
    ],
)
def test_a_bad_addition_rerenders_the_form_with_its_error(client, viet_nam_signed, query, message):
    response = client.get(WHAT_IF, query)
    assert response.status_code == 200
    assert message in text(response)


def test_an_empty_group_says_so(client, viet_nam_signed):
    response = client.get(WHAT_IF, {"who": "signatories:weog", "on": "2027-02-01"})
    assert "Every such signatory has deposited already." in text(response)


def test_a_refused_or_malformed_deposit_in_the_address_is_named_and_left_out(
    client, viet_nam_signed
):
    page = text(client.get(WHAT_IF, {"deposit": ["VNM:2027-01-15", "VNM:2027-02-01", "oops"]}))
    assert "The deposit VNM:2027-02-01 is refused" in page
    assert "A deposit is written ISO3:YYYY-MM-DD (VNM:2026-12-01), not &#x27;oops&#x27;." in page
    assert "Hypothetical: 1 of 40 instruments" in page
    # Removing the refused one keeps the same participant's accepted one.
    response = client.get(
        WHAT_IF, {"deposit": ["VNM:2027-01-15", "VNM:2027-02-01"], "without": "VNM:2027-02-01"}
    )
    assert deposits_of(response["Location"]) == ["VNM:2027-01-15"]
    assert (
        '<button type="submit" formnovalidate name="without" value="VNM:2027-02-01" class="link">'
        "Remove VNM:2027-02-01" in page
    )


def test_the_what_if_page_saves_nothing(client, viet_nam_signed):
    actions, revision = Action.objects.count(), Revision.current().number
    client.get(WHAT_IF, {"deposit": "VNM:2027-01-15", "who": "signatories", "on": "2027-02-01"})
    client.get(WHAT_IF, {"deposit": "VNM:2027-01-15"})
    assert (Action.objects.count(), Revision.current().number) == (actions, revision)


def test_the_what_if_page_answers_404_for_an_unknown_treaty_and_405_for_post(client, defaults):
    assert client.get("/treaties/nope/what-if/").status_code == 404
    assert client.post(WHAT_IF).status_code == 405


def test_the_what_if_page_lists_the_participants_in_the_pages_language(client, empty_record):
    page = client.get(WHAT_IF, headers={"Accept-Language": "fr"}).content.decode()
    assert '<option value="DEU">Allemagne</option>' in page


# The back-test command


def test_the_back_test_command_prints_each_trial_and_the_coverage(capsys):
    call_command("backtest_projection")
    out = capsys.readouterr().out
    assert "UNTOC at 6 months (1/40): " in out
    assert "real 2003-07-01: inside" in out
    assert "OTTAWA at 12 months: threshold already reached" in out
    assert "Coverage: 19 of 40 real threshold dates inside the stated 50% range (48%)." in out
    assert out.endswith("Within 15 points of the stated 50%.\n")


def test_the_back_test_command_fails_when_a_class_is_far_from_its_stated_coverage(capsys):
    with pytest.raises(CommandError, match="0% is more than 15 points from the stated 50%"):
        call_command("backtest_projection", "--class", "threshold")


def test_the_projection_reads_the_status_the_pages_compute_once(db):
    treaty = TreatyFactory(slug="demo")
    ActionFactory(treaty=treaty, participant=ParticipantFactory(), date=dt.date(2025, 10, 25))
    result = treaty.status(dt.date(2026, 12, 2))
    assert result.projection is result.projection
    assert result.projection.instruments_counted == 0


def test_a_participant_that_is_an_organization_gets_no_what_if_link(client, viet_nam_signed):
    ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3="EUU"))
    assert "What if" not in text(client.get("/participants/EUU/"))
