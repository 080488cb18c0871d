"""A mission submits, the depositary verifies, the public sees it; the rules speak as one types."""

import re

from playwright.sync_api import expect

from tests.factories import DepositaryStaffFactory, MissionStaffFactory

PASSWORD = "correct horse battery staple"  # the factories' password


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_ratification_goes_from_the_mission_to_the_public_dashboard(
    live_server, defaults, page, screenshot
):
    viet_nam = defaults.actions.get(participant__iso3="VNM").participant
    MissionStaffFactory(username="hanoi", missions=[viet_nam])
    DepositaryStaffFactory(username="reviewer")
    base = live_server.url

    sign_in(page, base, "hanoi")
    expect(page).to_have_url(base + "/mission/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Viet Nam")
    screenshot(page, "mission-workspace-desktop")
    page.get_by_role("link", name="New submission").click()
    page.get_by_label("Action").select_option("ratification")
    page.get_by_label("Date").fill("2026-03-02")
    page.get_by_label("Place").fill("New York")
    page.get_by_label("Depositary notification").fill("C.N.101.2026.TREATIES-XVIII.16")
    page.get_by_label("Source").fill("Note verbale of the Permanent Mission")
    screenshot(page, "mission-submission-desktop")
    page.get_by_role("button", name="Submit for verification").click()
    expect(page).to_have_url(base + "/mission/")
    expect(page.get_by_text("Submitted: Viet Nam: Ratification of 2 March 2026")).to_be_visible()
    expect(page.locator("#submissions")).to_contain_text("Pending verification")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "mission-workspace-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    sign_in(page, base, "reviewer")
    expect(page).to_have_url(base + "/depositary/")
    item = page.locator(".queue-item", has_text="Viet Nam")
    expect(item).to_contain_text("Counts: 1 of 40 instruments (39 more needed).")
    counter = page.locator("#counters .num").first
    expect(counter).to_have_text("0")
    screenshot(page, "depositary-queue-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "depositary-queue-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Marks this page: still there after verifying means no reload happened.
    page.evaluate("window.sameDocument = true")
    item.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_text("Verified: Viet Nam: Ratification of 2 March 2026.")).to_be_visible()
    expect(counter).to_have_text("1")
    assert page.evaluate("window.sameDocument === true")
    expect(page.locator("#queue")).to_contain_text("0 submissions pending")

    page.goto(base + "/depositary/participants/VNM/history/")
    expect(page.locator(".audit-entry").last).to_contain_text("verified")
    screenshot(page, "depositary-history-desktop")

    page.goto(base + "/")
    progress = page.get_by_role("progressbar", name="Progress to entry into force")
    expect(progress).to_have_attribute("value", "1")
    expect(page.get_by_text("39 more needed.")).to_be_visible()


def test_an_inline_error_keeps_what_was_typed(live_server, defaults, page, screenshot):
    viet_nam = defaults.actions.get(participant__iso3="VNM").participant
    MissionStaffFactory(username="hanoi", missions=[viet_nam])
    sign_in(page, live_server.url, "hanoi")
    page.get_by_role("link", name="New submission").click()

    page.get_by_label("Place").fill("Hanoi")
    page.get_by_label("Source").fill("Press release of the Ministry")
    page.get_by_label("Action").select_option("ratification")
    page.get_by_label("Date").fill("2025-10-01")
    page.get_by_label("Date").press("Tab")
    error = page.locator("#errors-date")
    expect(error).to_contain_text(
        re.compile("needs an earlier signature.*signed on 25 October 2025")
    )
    expect(page.get_by_label("Place")).to_have_value("Hanoi")
    expect(page.get_by_label("Source")).to_have_value("Press release of the Ministry")
    expect(page.get_by_label("Date")).to_have_value("2025-10-01")
    screenshot(page, "mission-inline-error-desktop")

    page.get_by_label("Date").fill("2026-03-02")
    page.get_by_label("Date").press("Tab")
    expect(error).to_be_empty()
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.get_by_text("Submitted: Viet Nam: Ratification of 2 March 2026")).to_be_visible()


def test_without_javascript_the_depositary_verifies_with_full_page_loads(
    live_server, defaults, no_js_page
):
    viet_nam = defaults.actions.get(participant__iso3="VNM").participant
    MissionStaffFactory(username="hanoi", missions=[viet_nam])
    DepositaryStaffFactory(username="reviewer")
    page, base = no_js_page, live_server.url
    sign_in(page, base, "hanoi")
    page.goto(base + "/mission/submit/")
    page.get_by_label("Action").select_option("ratification")
    page.get_by_label("Date").fill("2026-03-02")
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.get_by_text("Submitted: Viet Nam: Ratification of 2 March 2026")).to_be_visible()
    sign_out(page)
    sign_in(page, base, "reviewer")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page).to_have_url(base + "/depositary/")
    expect(page.get_by_text("Verified: Viet Nam: Ratification of 2 March 2026.")).to_be_visible()
    expect(page.locator("#counters .num").first).to_have_text("1")
