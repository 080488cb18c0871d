"""What a visitor does on the public dashboard, with JavaScript and without."""

import datetime as dt
import http.server
import re
import threading

import pytest
from playwright.sync_api import expect

from ratifications.models import Action
from ratifications.rules import today_in_new_york
from states.models import Participant

ROWS = "table.participants tbody tr"


def test_a_visitor_reads_the_progress_and_the_countdown(live_server, ceremony, page, screenshot):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "United Nations Convention against Cybercrime"
    )
    progress = page.get_by_role("progressbar", name="Progress to entry into force")
    expect(progress).to_have_attribute("max", "40")
    expect(progress).to_have_attribute("value", "0")
    expect(page.get_by_text("0 of 40 instruments; 40 more needed.")).to_be_visible()
    signature = page.locator(".card").filter(has=page.get_by_role("heading", name="Signature"))
    days_left = (dt.date(2026, 12, 31) - today_in_new_york()).days
    if days_left > 0:
        expect(signature).to_contain_text(re.compile(rf"\b{days_left} days? left to sign"))
        expect(signature).to_contain_text("Open for signature until 31 December 2026 (New York)")
    elif days_left == 0:
        expect(signature).to_contain_text("Last day to sign")
    else:
        expect(signature).to_contain_text("Signature closed on 31 December 2026.")
    expect(page.locator(".reio").get_by_role("link", name="European Union")).to_be_visible()
    # The signatories and Parties first; everyone on request.
    expect(page.locator(ROWS)).to_have_count(8)
    screenshot(page, "dashboard-desktop")
    page.get_by_role("link", name="Show all 198").click()
    expect(page).to_have_url(re.compile(r"status=all"))
    expect(page.locator(ROWS)).to_have_count(198)


def test_a_visitor_searches_filters_and_goes_back(live_server, ceremony, page, screenshot):
    page.goto(live_server.url + "/")
    page.get_by_label("Search").fill("viet")
    expect(page).to_have_url(re.compile(r"\?.*q=viet"))
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text("Viet Nam")

    page.get_by_label("Search").fill("")
    page.get_by_label("Status", exact=True).select_option(label="All participants")
    expect(page).to_have_url(re.compile(r"status=all"))
    page.get_by_label("Regional group").select_option(label="Western European and other States")
    expect(page).to_have_url(re.compile(r"group=weog"))
    expect(page.locator(ROWS).filter(has_text="United States of America")).to_have_count(1)

    page.get_by_label("Status", exact=True).select_option(label="Not signed (no action)")
    expect(page).to_have_url(re.compile(r"group=weog.*status=not_signed"))
    expect(page.locator(ROWS).filter(has_text="Canada")).to_have_count(1)
    expect(page.locator(ROWS).filter(has_text="France")).to_have_count(0)

    page.get_by_label("Search").fill("Atlantis")
    expect(page.get_by_text("No participant matches these filters.")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"group=weog.*status=not_signed"))
    expect(page).not_to_have_url(re.compile("Atlantis"))
    expect(page.get_by_label("Search")).to_have_value("")
    expect(page.get_by_label("Status", exact=True)).to_have_value("not_signed")
    expect(page.locator(ROWS).filter(has_text="Canada")).to_have_count(1)

    page.get_by_role("link", name="Clear", exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator(ROWS)).to_have_count(8)
    # Last: a screenshot leaves caret styles on the inputs, which htmx would then copy.
    screenshot(page, "dashboard-filtered-then-cleared")


def test_a_shared_link_reproduces_the_view(live_server, defaults, page):
    page.goto(live_server.url + "/?q=korea&status=all&sort=signature")
    expect(page.get_by_label("Search")).to_have_value("korea")
    expect(page.get_by_label("Sort by")).to_have_value("signature")
    expect(page.get_by_label("Status", exact=True)).to_have_value("all")
    expect(page.locator(ROWS)).to_have_count(2)


def test_a_visitor_opens_a_participant_from_the_table(live_server, ceremony, page, screenshot):
    page.goto(live_server.url + "/?q=viet")
    page.get_by_role("link", name="Viet Nam", exact=True).click()
    expect(page).to_have_url(live_server.url + "/participants/VNM/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Viet Nam")
    expect(page.get_by_text("Signature, Hanoi")).to_be_visible()
    screenshot(page, "participant-desktop")


def test_a_visitor_picks_a_day_in_the_past(live_server, ceremony, page):
    page.goto(live_server.url + "/?status=signed")
    page.get_by_label("Show the status as it stood on").fill("2025-10-25")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"as_of=2025-10-25"))
    expect(page).to_have_url(re.compile(r"status=signed"))
    expect(
        page.get_by_text("Showing the status as it stood at the end of 25 October 2025")
    ).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(6)
    # The past does not change: nothing polls it.
    expect(page.locator("#counters")).not_to_have_attribute("hx-trigger", re.compile("every"))


def test_the_counters_refresh_only_when_something_changed(live_server, ceremony, page):
    page.goto(live_server.url + "/")
    counters = page.locator("#counters")
    expect(counters).to_have_attribute("hx-trigger", re.compile(r"every 60s"))
    page.evaluate("document.getElementById('counters').dataset.seen = 'yes'")

    # What the 60-second poll does, asked for now: nothing changed, 304, no swap.
    with page.expect_response(lambda r: r.request.headers.get("hx-target") == "counters") as poll:
        page.evaluate("document.body.dispatchEvent(new Event('actions-changed'))")
    assert poll.value.status == 304
    expect(counters).to_have_attribute("data-seen", "yes")
    expect(counters).to_contain_text("8 signatories")

    Action.objects.create(
        treaty=ceremony,
        participant=Participant.objects.get(iso3="CAN"),
        kind="signature",
        date=dt.date(2026, 7, 15),
        review=Action.Review.VERIFIED,
        reviewed_at=dt.datetime.now(dt.UTC),
    )
    with page.expect_response(lambda r: r.request.headers.get("hx-target") == "counters") as poll:
        page.evaluate("document.body.dispatchEvent(new Event('actions-changed'))")
    assert poll.value.status == 200
    expect(counters).to_contain_text("9 signatories")
    expect(counters).not_to_have_attribute("data-seen", "yes")
    expect(page.locator("[aria-live=polite] > #counters")).to_have_count(1)


@pytest.fixture
def newspaper(live_server):
    """Another site, on another origin, whose page frames the countdown card."""
    body = (
        f'<!doctype html><title>News</title><h1>News</h1><iframe title="Countdown" '
        f'src="{live_server.url}/treaties/hanoi-convention/embed/" width="360" height="230">'
        "</iframe>"
    ).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()


def test_another_site_embeds_the_countdown(defaults, newspaper, page, screenshot):
    page.goto(newspaper)
    card = page.frame_locator("iframe")
    expect(card.get_by_text("of 40 instruments")).to_be_visible()
    expect(
        card.get_by_role("link", name="United Nations Convention against Cybercrime")
    ).to_be_visible()
    screenshot(page, "embed-in-another-site")


def test_the_journeys_work_without_javascript(live_server, ceremony, no_js_page, screenshot):
    page = no_js_page
    page.goto(live_server.url + "/")
    expect(page.get_by_text("0 of 40 instruments; 40 more needed.")).to_be_visible()

    page.get_by_label("Search").fill("viet")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"\?.*q=viet"))
    expect(page.locator(ROWS)).to_have_count(1)

    page.get_by_label("Status", exact=True).select_option("not_signed")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No participant matches these filters.")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"q=viet"))
    expect(page.locator(ROWS)).to_have_count(1)

    page.get_by_label("Show the status as it stood on").fill("2025-10-25")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"as_of=2025-10-25.*q=viet|q=viet.*as_of=2025-10-25"))
    expect(
        page.get_by_text("Showing the status as it stood at the end of 25 October 2025")
    ).to_be_visible()
    expect(page.locator(".counters .num").nth(1)).to_have_text("6")
    screenshot(page, "dashboard-phone-no-js")

    page.get_by_role("link", name="Viet Nam", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Viet Nam")

    page.goto(live_server.url + "/treaties/hanoi-convention/embed/")
    expect(page.get_by_text("of 40 instruments")).to_be_visible()


# Answers first (issue 12): the question most visitors bring, at the top, on a desktop and a phone.


@pytest.mark.parametrize(("width", "height", "tallest"), [(1280, 800, 5000), (390, 844, 9000)])
def test_the_answer_comes_first(live_server, defaults, browser, axe, width, height, tallest):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live_server.url + "/")
    find = page.get_by_label("Has it signed? Find a participant")
    box = find.bounding_box()
    total = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nAt {width} px: the dashboard is {total} px tall; the find box at {box['y']:.0f} px")
    # Above the fold: its top under 800 px, and the whole box in view.
    assert box["y"] < 800
    assert box["y"] + box["height"] < height
    assert total <= tallest
    # The table: exactly the participants with a verified action, one line each on a desktop.
    acted = len(defaults.status().status.participants)
    expect(page.locator(ROWS)).to_have_count(acted)
    if width >= 1280:
        heights = page.locator(ROWS).evaluate_all("rows => rows.map(r => r.offsetHeight)")
        assert max(heights) == min(heights), "every row on one line"
    axe(page)

    find.fill("Vietnam")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#answer")).to_contain_text("Viet Nam")
    expect(page).to_have_url(re.compile(r"find=Vietnam"))
    axe(page)
    context.close()


def test_the_find_box_answers_without_javascript(live_server, ceremony, no_js_page):
    page = no_js_page
    page.goto(live_server.url + "/")
    page.get_by_label("Has it signed? Find a participant").fill("canada")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?find=canada"))
    expect(page.locator("#answer")).to_contain_text("Canada has not signed.")
    page.get_by_label("Has it signed? Find a participant").fill("guin")
    page.get_by_role("button", name="Find", exact=True).click()
    page.locator("#answer").get_by_role("link", name="Papua New Guinea").click()
    expect(page.locator("#answer")).to_contain_text("Papua New Guinea has not signed.")
