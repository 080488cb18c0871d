import re

from playwright.sync_api import expect


def test_a_visitor_reads_the_progress_and_the_countdown(live_server, defaults, page, screenshot):
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "United Nations Convention against Cybercrime"
    )
    progress = page.get_by_role("progressbar", name="Progress to entry into force")
    expect(progress).to_have_attribute("max", "40")
    expect(progress).to_have_attribute("value", "0")
    expect(page.get_by_text("40 more needed.")).to_be_visible()
    expect(page.get_by_text("Open for signature")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Signature closes on 31 December 2026"))).to_be_visible()
    expect(page.locator("table.participants tbody tr")).to_have_count(73)
    screenshot(page, "dashboard-desktop")


def test_a_visitor_opens_a_participant_from_the_table(live_server, defaults, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Viet Nam").click()
    expect(page).to_have_url(live_server.url + "/participants/VNM/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Viet Nam")
    expect(page.get_by_text("Signature, Hanoi")).to_be_visible()


def test_the_dashboard_works_without_javascript(live_server, defaults, no_js_page, screenshot):
    no_js_page.goto(live_server.url + "/?as_of=2025-10-25")
    expect(no_js_page.locator(".card .num").first).to_have_text("0")
    expect(
        no_js_page.get_by_text("Showing the status as it stood at the end of 25 October 2025")
    ).to_be_visible()
    expect(no_js_page.locator("table.participants tbody tr")).to_have_count(69)
    screenshot(no_js_page, "dashboard-phone-no-js")
