"""The timeline as a visitor reads it: instruments against the threshold first, signatories
below, the marked days, the full width of its card, in English and in Arabic.

Screenshots of the section at 1280 and 390 px go to test-results/timeline-*.png.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
CHART = ".timeline-chart"
WIDTHS = (1280, 390)


def open_at(browser, url, width, language):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    page.goto(url)
    return context, page


def assert_fills_its_card(page):
    """The chart takes the card's whole width (but its padding, border and the counts'
    gutter), and every word in it is inside the card: nothing cut at an edge."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    card = page.locator(".timeline").bounding_box()
    chart = page.locator(CHART).bounding_box()
    assert chart["width"] >= card["width"] - 2 * 9 - 37, (chart, card)
    for text in page.locator(f"{CHART} text").all():
        label = text.bounding_box()
        assert card["x"] < label["x"], text.text_content()
        assert label["x"] + label["width"] < card["x"] + card["width"], text.text_content()


def save(page, name):
    RESULTS.mkdir(exist_ok=True)
    page.locator("#timeline").screenshot(path=RESULTS / f"timeline-{name}.png")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_timeline_fills_its_card_and_marks_today_and_the_close(
    live_server, defaults, browser, language
):
    for width in WIDTHS:
        context, page = open_at(browser, live_server.url + "/", width, language)
        expect(page.locator(CHART)).to_be_visible()
        assert_fills_its_card(page)
        today = page.locator(f"{CHART} .chart-mark-today")
        closes = page.locator(f"{CHART} .chart-mark-signature-closes")
        expect(today).to_have_count(1)
        expect(closes).to_have_count(1)
        # Today before the close of signature, which ends the chart.
        assert today.bounding_box()["x"] < closes.bounding_box()["x"]
        # Under the chart, each marked day with its date (and, while the threshold is not
        # reached, the projected range and the comparable treaties' curves).
        expect(page.locator(".chart-marks li .chart-mark")).to_have_count(2)
        if language == "en":
            marks = page.locator(".chart-marks")
            expect(marks).to_contain_text("Close of signature 31 December 2026")
            expect(page.locator(CHART)).to_contain_text("Instruments counted (0)")
        save(page, f"{language}-{width}")
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_timeline_marks_entry_into_force_once_known(live_server, tenfold, browser, language):
    for width in WIDTHS:
        context, page = open_at(browser, live_server.url + "/?as_of=2026-06-30", width, language)
        assert_fills_its_card(page)
        entry = page.locator(f"{CHART} .chart-mark-entry-into-force")
        shown = page.locator(f"{CHART} .chart-mark-as-of")
        expect(entry).to_have_count(1)
        # The threshold was passed before the day shown: entry into force is to its left.
        assert entry.bounding_box()["x"] < shown.bounding_box()["x"]
        expect(page.locator(".chart-marks li")).to_have_count(3)
        save(page, f"entry-into-force-{language}-{width}")
        page.goto(live_server.url + "/?as_of=2025-10-26")
        assert_fills_its_card(page)
        expect(page.locator(f"{CHART} .chart-mark-entry-into-force")).to_have_count(0)
        save(page, f"past-{language}-{width}")
        context.close()
