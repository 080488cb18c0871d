import datetime as dt
import html
import json
import re
from unittest import mock

import pytest

from declarations.rules import Made
from depositary.models import Reconciliation
from ratifications.models import Treaty
from ratifications.rules import ActionKind, today_in_new_york
from reports.models import Report
from states.models import Participant, RegionalGroup
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    OrganizationFactory,
    ParticipantFactory,
    TreatyFactory,
    UserFactory,
)

HX = {"HX-Request": "true", "HX-Target": "participants"}
POLL = {"HX-Request": "true", "HX-Target": "counters"}


def table_names(page: str) -> list[str]:
    names = re.findall(r'<th scope="row"><a href="/participants/\w+/">([^<]+)</a>', page)
    return [html.unescape(name) for name in names]


@pytest.fixture
def entering_into_force(db) -> Treaty:
    """Two accessions on 10 January 2026 reach a threshold of two: in force on 10 April."""
    treaty = TreatyFactory(slug="demo", threshold=2)
    for name in ("Freedonia", "Sylvania"):
        ActionFactory(
            treaty=treaty,
            participant=ParticipantFactory(name=name),
            kind=ActionKind.ACCESSION,
            date=dt.date(2026, 1, 10),
        )
    return treaty


# The counters


def test_home_shows_the_hanoi_convention_progress_and_signatories(client, viet_nam_signed):
    ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3="KEN"))
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="NOR"),
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 3, 2),
    )
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "United Nations Convention against Cybercrime" in page
    assert '<progress value="1" max="40"' in page
    assert "1 of 40 instruments; 39 more needed." in page
    assert '<span class="num">2</span> signatories' in page
    assert '<span class="num">1</span> Party' in page
    assert "Newest verified action: 2 March 2026." in page


def test_a_treaty_without_a_verified_action_says_so(client, empty_record):
    page = client.get("/").content.decode()
    assert "0 of 40 instruments; 40 more needed." in page
    assert '<span class="num">0</span> signatories' in page
    assert "No verified action yet." in page


def test_the_dashboard_of_a_treaty_is_at_its_slug(client, defaults):
    assert client.get("/treaties/hanoi-convention/").status_code == 200
    assert client.get("/treaties/no-such-treaty/").status_code == 404


def test_the_dashboard_shows_the_days_left_to_sign_on_new_york_dates(client, defaults):
    page = client.get("/", {"as_of": "2026-11-28"}).content.decode()
    assert '<span class="num">33</span> days left to sign' in page
    assert "Open for signature until 31 December 2026 (New York)" in page


@pytest.mark.parametrize(
    ("as_of", "text"),
    [
        ("2026-12-31", "Last day to sign"),
        ("2027-01-01", "Signature closed on 31 December 2026. States now join by accession."),
        ("2025-10-24", "Opens on 25 October 2025"),
    ],
)
def test_the_signature_countdown_follows_the_window(client, defaults, as_of, text):
    assert text in client.get("/", {"as_of": as_of}).content.decode()


def test_once_the_threshold_is_reached_the_dashboard_counts_down_to_entry_into_force(
    client, entering_into_force
):
    page = client.get("/treaties/demo/", {"as_of": "2026-02-01"}).content.decode()
    assert "Threshold reached on 10 January 2026." in page
    assert '<span class="num">68</span> days to go' in page
    assert "Enters into force on 10 April 2026" in page


def test_after_entry_into_force_the_dashboard_says_since_when(client, entering_into_force):
    page = client.get("/treaties/demo/", {"as_of": "2026-05-01"}).content.decode()
    assert "In force since 10 April 2026" in page
    assert "days to go" not in page


def test_the_european_union_is_shown_apart_with_the_reason_it_does_not_count(client, empty_record):
    for code in ("FRA", "EUU"):
        ActionFactory(treaty=empty_record, participant=Participant.objects.get(iso3=code))
    page = client.get("/").content.decode()
    reio = page[page.index('<div class="reio">') :]
    assert "European Union</a>:" in reio
    assert "signed on 25 October 2025" in reio
    assert "not counted as additional to those deposited by its member States" in reio


def test_an_organizations_instrument_makes_it_a_party_that_does_not_count(client, db):
    treaty = TreatyFactory(slug="demo")
    member = ParticipantFactory()
    union = OrganizationFactory(name="Union of Testland")
    for participant, kind in (
        (member, ActionKind.RATIFICATION),
        (union, ActionKind.FORMAL_CONFIRMATION),
    ):
        ActionFactory(treaty=treaty, participant=participant)
        ActionFactory(treaty=treaty, participant=participant, kind=kind, date=dt.date(2026, 3, 1))
    page = client.get("/treaties/demo/").content.decode()
    assert "1 of 40 instruments; 39 more needed." in page
    assert '<span class="num">2</span> Parties' in page
    assert "a Party (Formal confirmation of 1 March 2026), not counted toward the threshold" in page


# Time travel


def test_the_dashboard_as_of_a_day_shows_the_status_at_the_end_of_that_day(client, viet_nam_signed):
    for code, day in (("KEN", dt.date(2025, 10, 25)), ("MLI", dt.date(2025, 10, 26))):
        ActionFactory(
            treaty=viet_nam_signed, participant=Participant.objects.get(iso3=code), date=day
        )
    page = client.get("/", {"as_of": "2025-10-25"}).content.decode()
    assert '<span class="num">2</span> signatories' in page
    assert "Showing the status as it stood at the end of 25 October 2025" in page
    assert 'type="date" id="as-of" name="as_of" value="2025-10-25"' in page


def test_the_date_picker_keeps_the_table_filters(client, defaults):
    page = client.get("/", {"q": "viet", "status": "signed"}).content.decode()
    start = page.index('<form class="as-of"')
    form = page[start : page.index("</form>", start)]
    assert '<input type="hidden" name="q" value="viet">' in form
    assert '<input type="hidden" name="status" value="signed">' in form


def test_the_counters_poll_today_but_not_a_day_in_the_past(client, defaults):
    assert 'hx-trigger="every 60s' in client.get("/").content.decode()
    assert 'hx-trigger="every 60s' not in client.get("/", {"as_of": "2025-10-25"}).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_of": "tomorrow"}, "YYYY-MM-DD"),
        ({"as_of": "2025-02-30"}, "YYYY-MM-DD"),
        ({"group": "nordic"}, "group: &#x27;nordic&#x27; is not one of: african, asia_pacific"),
        ({"status": "ratified"}, "status: &#x27;ratified&#x27; is not one of: all, signed, party"),
        ({"sort": "size"}, "sort: &#x27;size&#x27; is not one of: name, signature, instrument"),
        ({"q": "viet\x00nam"}, "q: Null characters are not allowed."),
        ({"q": "x" * 101}, "q: Ensure this value has at most 100 characters"),
    ],
)
def test_a_bad_parameter_answers_400_saying_which_and_why(client, defaults, query, message):
    response = client.get("/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_parameter_is_ignored(client, defaults):
    assert client.get("/", {"utm_source": "newsletter"}).status_code == 200


# The participants table


def test_the_table_lists_the_signatories_and_parties_then_every_participant_on_request(
    client, viet_nam_signed
):
    page = client.get("/").content.decode()
    assert table_names(page) == ["Viet Nam"]
    assert "1 signatory or Party, of 198 participants." in page
    assert '<a href="/?status=all">Show all 198</a>' in page
    names = table_names(client.get("/", {"status": "all"}).content.decode())
    assert len(names) == 198
    assert "Canada" in names and "Viet Nam" in names


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("viet", ["Viet Nam"]),
        ("Vietnam", ["Viet Nam"]),
        ("VN", ["Viet Nam"]),
        ("vnm", ["Viet Nam"]),
        ("Ivory Coast", ["Côte d'Ivoire"]),
        ("Cote d’Ivoire", ["Côte d'Ivoire"]),
        ("lao people’s", ["Lao People's Democratic Republic"]),
        ("  korea  ", ["Democratic People's Republic of Korea", "Republic of Korea"]),
    ],
)
def test_search_finds_names_aliases_and_iso_codes(client, defaults, q, expected):
    page = client.get("/", {"q": q, "status": "all"}).content.decode()
    assert table_names(page) == expected


def test_the_group_filter_finds_those_who_also_take_part_in_the_group(client, defaults):
    def group(name):
        return table_names(client.get("/", {"group": name, "status": "all"}).content.decode())

    weog, asia = group(RegionalGroup.WEOG), group(RegionalGroup.ASIA_PACIFIC)
    assert "United States of America" in weog and "Türkiye" in weog
    assert "Türkiye" in asia and "France" not in asia


def test_the_status_filter_separates_signatories_from_those_with_no_action(client, viet_nam_signed):
    signed = table_names(client.get("/", {"status": "signed"}).content.decode())
    not_signed = table_names(client.get("/", {"status": "not_signed"}).content.decode())
    assert signed == ["Viet Nam"]
    assert len(not_signed) == Participant.objects.count() - 1 and "Canada" in not_signed


def test_the_status_filter_finds_parties_and_those_that_count(client, db):
    treaty = TreatyFactory(slug="demo")
    signatory, party = ParticipantFactory(name="Signatoria"), ParticipantFactory(name="Partyland")
    union = OrganizationFactory(name="Union")
    ActionFactory(treaty=treaty, participant=signatory)
    for participant, kind in ((party, ActionKind.ACCESSION), (union, ActionKind.ACCESSION)):
        ActionFactory(treaty=treaty, participant=participant, kind=kind, date=dt.date(2026, 3, 1))
    url = "/treaties/demo/"
    assert table_names(client.get(url, {"status": "party"}).content.decode()) == [
        "Partyland",
        "Union",
    ]
    assert table_names(client.get(url, {"status": "counts"}).content.decode()) == ["Partyland"]
    assert table_names(client.get(url, {"status": "signed"}).content.decode()) == ["Signatoria"]


def test_the_table_sorts_by_date_earliest_first_and_those_without_one_last(client, db):
    treaty = TreatyFactory(slug="demo")
    for name, signed, ratified in (
        ("Alpha", dt.date(2025, 11, 2), None),
        ("Bravo", dt.date(2025, 10, 25), dt.date(2026, 5, 1)),
        ("Charlie", dt.date(2025, 10, 30), dt.date(2026, 4, 1)),
        ("Delta", None, None),
    ):
        participant = ParticipantFactory(name=name)
        if signed:
            ActionFactory(treaty=treaty, participant=participant, date=signed)
        if ratified:
            ActionFactory(
                treaty=treaty, participant=participant, kind=ActionKind.RATIFICATION, date=ratified
            )

    def order(sort):
        page = client.get("/treaties/demo/", {"sort": sort, "status": "all"}).content.decode()
        return [
            name for name in table_names(page) if name in {"Alpha", "Bravo", "Charlie", "Delta"}
        ]

    assert order("name") == ["Alpha", "Bravo", "Charlie", "Delta"]
    assert order("signature") == ["Bravo", "Charlie", "Alpha", "Delta"]
    assert order("instrument") == ["Charlie", "Bravo", "Alpha", "Delta"]


def test_the_table_shows_the_instrument_with_its_symbol_notification_and_declarations(client, db):
    treaty = TreatyFactory(slug="demo")
    state = ParticipantFactory(name="Accedia")
    ActionFactory(
        treaty=treaty,
        participant=state,
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 3, 1),
        notification="C.N.12.2026.TREATIES-XVIII.16",
    )
    DeclarationFactory(
        treaty=treaty, participant=state, made=Made.INSTRUMENT, date=dt.date(2026, 3, 1)
    )
    page = client.get("/treaties/demo/").content.decode()
    row = page[page.index("Accedia") :]
    assert 'Accession (a), <time datetime="2026-03-01">1 Mar 2026</time>' in row
    assert "C.N.12.2026.TREATIES-XVIII.16" in row
    assert f'<a class="tag" href="/participants/{state.iso3}/#demo">declarations</a>' in row


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, defaults):
    page = client.get("/", {"q": "Atlantis", "as_of": "2025-10-25"}).content.decode()
    assert "No participant matches these filters." in page
    assert '<a href="/?as_of=2025-10-25">Clear the filters</a>' in page


# htmx


def test_with_htmx_the_table_answers_with_only_its_fragment(client, defaults):
    response = client.get("/", {"q": "viet"}, headers=HX)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="participants"')
    assert "<html" not in page and 'id="counters"' not in page
    assert table_names(page) == ["Viet Nam"]
    assert set(response["Vary"].split(", ")) >= {"HX-Request", "HX-Target"}


def test_the_counters_poll_answers_with_only_the_counters(client, defaults):
    page = client.get("/", headers=POLL).content.decode()
    assert page.lstrip().startswith('<section id="counters"')
    assert "<table" not in page


def test_restoring_history_gets_the_whole_page(client, defaults):
    headers = {**HX, "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/", {"q": "viet"}, headers=headers).content.decode()


def test_the_filter_form_works_with_htmx_and_without(client, defaults):
    page = client.get("/").content.decode()
    form = page[
        page.index('<form id="filters"') : page.index(">", page.index('<form id="filters"'))
    ]
    assert 'method="get" action="/"' in form
    assert 'hx-get="/"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#participants"' in form
    assert "input changed delay:300ms" in form


# Conditional requests


def test_the_dashboard_has_validators_and_answers_304_when_nothing_changed(client, defaults):
    response = client.get("/")
    # Anonymous: a shared cache may keep it a little (tests/test_http_cache.py).
    assert response["Cache-Control"] == "public, max-age=30, stale-while-revalidate=30"
    again = client.get("/", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    since = client.get("/", headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304


def test_a_signed_in_visitor_gets_an_etag_of_their_own(client, defaults):
    anonymous = client.get("/")["ETag"]
    client.force_login(UserFactory())
    response = client.get("/", headers={"If-None-Match": anonymous})
    assert response.status_code == 200
    assert response["ETag"] != anonymous


def test_the_page_tells_the_poll_which_etag_its_counters_have(client, defaults):
    page = client.get("/").content.decode()
    poll_etag = client.get("/", headers=POLL)["ETag"]
    assert f'hx-headers="{html.escape(json.dumps({"If-None-Match": poll_etag}))}"' in page
    assert client.get("/", headers={**POLL, "If-None-Match": poll_etag}).status_code == 304


def test_the_dashboard_sets_a_strict_content_security_policy(client, defaults):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    # The same copy goes to every reader: its scripts are the site's own, with no nonce.
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_the_dashboard_refuses_post(client, defaults):
    assert client.post("/").status_code == 405


# Query budgets, at the real size and with ten times as many actions


@pytest.mark.parametrize("headers", [{}, HX, POLL], ids=["page", "table", "counters"])
def test_the_status_is_computed_once_per_request(client, tenfold, headers):
    with mock.patch.object(Treaty, "status", autospec=True, side_effect=Treaty.status) as status:
        client.get("/", {"status": "counts"}, headers=headers)
    assert status.call_count == 1


# The find box: "has my country signed?", answered at the top (issue 12)


def answer_of(page: str) -> str:
    section = page[page.index('<div id="answer"') :]
    return re.sub(r"\s+", " ", section[: section.index("</div>")])


def test_the_find_box_answers_for_a_signatory_by_any_of_its_names(client, viet_nam_signed):
    for name in ("Viet Nam", "vietnam", "VNM", "Вьетнам"):
        answer = answer_of(client.get("/", {"find": name}).content.decode())
        assert (
            "<strong>Viet Nam</strong> signed on 25 October 2025, and has not yet deposited "
            "an instrument of ratification, acceptance or approval." in answer
        )
        assert (
            '<a href="/participants/VNM/">Every action of Viet Nam, with its sources</a>' in answer
        )


def test_the_find_box_says_when_the_treaty_enters_into_force_for_a_party(client, empty_record):
    for n, state in enumerate(Participant.objects.states().order_by("name")[:40]):
        ActionFactory(treaty=empty_record, participant=state, date=dt.date(2025, 10, 25))
        ActionFactory(
            treaty=empty_record,
            participant=state,
            kind=ActionKind.RATIFICATION,
            date=dt.date(2026, 3, 1) + dt.timedelta(days=n),
        )
    answer = answer_of(client.get("/", {"find": "Afghanistan"}).content.decode())
    assert "is a Party: its instrument of ratification was deposited on 1 March 2026." in answer
    assert "The treaty has been in force for it since 8 July 2026." in answer


def test_the_find_box_answers_for_a_state_that_has_not_signed(client, viet_nam_signed):
    answer = answer_of(client.get("/", {"find": "Canada"}).content.decode())
    assert (
        "<strong>Canada</strong> has not signed. The treaty is open for signature until " in answer
    )


@pytest.mark.parametrize(
    ("as_of", "sentence"),
    [
        ("2025-10-24", "has not signed. The treaty opens for signature on 25 October 2025."),
        ("2026-12-31", "has not signed. The treaty is open for signature until 31 December 2026;"),
        ("2027-01-01", "has not signed; it can join by accession."),
    ],
)
def test_the_find_box_says_what_a_state_that_has_not_signed_can_still_do(
    client, viet_nam_signed, as_of, sentence
):
    page = client.get("/", {"find": "Canada", "as_of": as_of}).content.decode()
    assert f"<strong>Canada</strong> {sentence}" in answer_of(page)


def test_the_timeline_says_when_the_signature_closed(client, viet_nam_signed):
    page = client.get("/", {"as_of": "2027-01-01"}).content.decode()
    description = page.split('<desc id="timeline-desc">')[1].split("</desc>")[0]
    assert "Signature closed on 31 December 2026. States now join by accession." in description


def test_the_find_box_offers_the_participants_a_word_might_mean(client, viet_nam_signed):
    answer = answer_of(client.get("/", {"find": "guin"}).content.decode())
    assert "Which one? These match “guin”:" in answer
    assert '<a href="?find=GNB">Guinea-Bissau</a>' in answer
    assert '<a href="?find=PNG">Papua New Guinea</a>' in answer
    # A name that is one of them exactly is the answer.
    assert "<strong>Niger</strong> has not signed" in answer_of(
        client.get("/", {"find": "Niger"}).content.decode()
    )


def test_the_find_box_says_when_nothing_matches(client, viet_nam_signed):
    answer = answer_of(client.get("/", {"find": "Atlantis"}).content.decode())
    assert "No participant matches “Atlantis”." in answer


def test_htmx_gets_only_the_answer(client, viet_nam_signed):
    response = client.get(
        "/", {"find": "vnm"}, headers={"HX-Request": "true", "HX-Target": "answer"}
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="answer"')
    assert "<strong>Viet Nam</strong> signed" in fragment
    assert "<table" not in fragment and "<html" not in fragment


# The day shown


def test_a_day_before_the_adoption_is_refused(client, viet_nam_signed):
    response = client.get("/", {"as_of": "2024-12-23"})
    assert response.status_code == 400
    assert "the treaty was adopted on 24 December 2024; there is no status before." in (
        response.content.decode()
    )


def test_a_day_to_come_is_the_record_carried_forward_not_a_forecast(client, viet_nam_signed):
    page = client.get("/", {"as_of": "2030-01-01"}).content.decode()
    assert "carried forward to 1 January 2030: not a forecast." in page
    assert "as it stood at the end of 1 January 2030" not in page


def test_the_date_picker_is_bounded_by_the_adoption_and_today(client, viet_nam_signed):
    page = client.get("/").content.decode()
    today = today_in_new_york().isoformat()
    assert f'min="2024-12-24" max="{today}" required>' in page


def test_the_timeline_draws_the_projected_range_and_comparable_treaties_until_the_threshold(
    client, empty_record
):
    for state in Participant.objects.states().order_by("name")[:40]:
        ActionFactory(treaty=empty_record, participant=state, date=dt.date(2025, 10, 25))
    page = client.get("/").content.decode()
    assert 'class="chart-band chart-band-projection"' in page
    assert '<path class="chart-reference" d="M' in page
    assert "if it keeps pace with comparable treaties" in page
    for state in Participant.objects.states().order_by("name")[:40]:
        ActionFactory(
            treaty=empty_record,
            participant=state,
            kind=ActionKind.RATIFICATION,
            date=dt.date(2026, 3, 1),
        )
    # Reached: the real dates, no projection.
    page = client.get("/").content.decode()
    assert "chart-band-projection" not in page and "chart-reference" not in page


# Beside the record: reports and the depositary's file


def test_reported_steps_are_shown_beside_the_count_never_in_it(client, viet_nam_signed):
    treaty = viet_nam_signed
    Report.objects.create(
        treaty=treaty,
        participant=Participant.objects.get(iso3="VNM"),
        kind=Report.Kind.DOMESTIC_APPROVAL_BY_PARLIAMENT,
        date=dt.date(2026, 2, 10),
        summary="The National Assembly approved the Convention.",
        source="https://example.org/news/1",
    )
    page = client.get("/").content.decode()
    assert '<span class="num">0</span> of 40 instruments' in page
    assert (
        '<a href="/?status=reported#participants-heading">1 participant reports a step toward '
        "its instrument</a> not yet deposited: not counted until the depositary records it."
    ) in page
    assert '<a class="tag tag-reported" href="/participants/VNM/#hanoi-convention-reports">' in page

    reported = client.get("/", {"status": "reported"}).content.decode()
    assert table_names(reported) == ["Viet Nam"]
    answer = client.get("/", {"find": "Viet Nam"}).content.decode()
    assert "A further step is" in answer and "/participants/VNM/#hanoi-convention-reports" in answer

    # A day past shows the record as it stood, without today's reports.
    past = client.get("/", {"as_of": "2026-03-01"}).content.decode()
    assert "not yet deposited" not in past.split('id="participants-heading"')[0]
    assert "tag-reported" not in past


def test_the_dashboard_says_when_the_record_was_last_checked_against_the_depositary(
    client, viet_nam_signed
):
    assert "Checked against the depositary" not in client.get("/").content.decode()
    Reconciliation.objects.create(
        treaty=viet_nam_signed,
        checked_at=dt.datetime(2026, 8, 3, 14, 0, tzinfo=dt.UTC),
        origin=Reconciliation.Origin.FETCH,
        source="https://treaties.un.org/status.xml",
        rows=72,
        found=0,
    )
    page = client.get("/").content.decode()
    assert "Checked against the depositary’s status file on 3 August 2026." in page
