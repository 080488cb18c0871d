"""A mission submits, the depositary verifies, the public sees it; the rules speak as one types."""

import datetime as dt
import re

from playwright.sync_api import expect

from ratifications.rules import ActionKind
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import DepositaryStaffFactory, MissionStaffFactory, SubmissionFactory

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
    live_server, viet_nam_signed, page, screenshot
):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
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
    item.get_by_role("link", name="Verify…").click()
    dialog = page.get_by_role("dialog", name="Verify this submission?")
    expect(dialog).to_contain_text("Counts: 1 of 40 instruments (39 more needed).")
    dialog.get_by_role("button", name="Verify", exact=True).click()
    expect(dialog).to_have_count(0)
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


def test_an_inline_error_keeps_what_was_typed(live_server, viet_nam_signed, page, screenshot):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
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
    live_server, viet_nam_signed, no_js_page
):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
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
    page.get_by_role("link", name="Verify…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify this submission?")
    expect(page.locator("table.changes")).to_contain_text("0 of 40")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page).to_have_url(base + "/depositary/")
    expect(page.get_by_text("Verified: Viet Nam: Ratification of 2 March 2026.")).to_be_visible()
    expect(page.locator("#counters .num").first).to_have_text("1")


def public_count(page, base) -> int:
    response = page.request.get(base + "/api/v1/treaties/hanoi-convention/status")
    assert response.ok
    return response.json()["instruments_counted"]


def focused(page) -> str:
    """What has the keyboard focus, as a short description."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' +"
        " (e.getAttribute('class') || '') + ' ' + e.textContent.trim().slice(0, 60); }"
    )


def test_the_depositary_verifies_undoes_and_verifies_again_by_keyboard(
    live_server, defaults, page, screenshot, axe
):
    """The keyboard path through the queue: each step confirmed in a dialog that says what
    it changes, and the public count followed at each step."""
    viet_nam = defaults.actions.get(participant__iso3="VNM").participant
    mission = MissionStaffFactory(username="hanoi", missions=[viet_nam])
    SubmissionFactory(
        treaty=defaults,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        place="New York",
        submitted_by=mission,
    )
    DepositaryStaffFactory(username="reviewer")
    base = live_server.url
    sign_in(page, base, "reviewer")
    expect(page).to_have_url(base + "/depositary/")
    assert public_count(page, base) == 0
    counter = page.locator("#counters .num").first
    expect(counter).to_have_text("0")

    # The Verify link of the one submission, reached by Tab from its checkbox.
    item = page.locator(".queue-item", has_text="Viet Nam")
    item.get_by_role("checkbox").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        if "Verify…" in focused(page):
            break
    assert "Verify…" in focused(page), focused(page)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Verify this submission?")
    expect(dialog).to_be_visible()
    expect(dialog.locator("table.changes")).to_contain_text("1 of 40")
    # Focus starts on the button that confirms; Escape closes, and focus goes back.
    expect(dialog.get_by_role("button", name="Verify", exact=True)).to_be_focused()
    axe(page)
    screenshot(page, "depositary-verify-dialog-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "depositary-verify-dialog-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert "Verify…" in focused(page), focused(page)
    assert public_count(page, base) == 0

    # Again, and confirmed: the message that says so has the focus.
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("button", name="Verify", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    messages = page.locator("#queue .messages")
    expect(messages).to_contain_text("Verified: Viet Nam: Ratification of 2 March 2026.")
    expect(messages).to_be_focused()
    expect(counter).to_have_text("1")
    assert public_count(page, base) == 1

    # The recent decisions, then the way back: an undo, with its reason.
    recent = page.locator("#recent")
    expect(recent).to_contain_text("Viet Nam: Ratification of 2 March 2026")
    recent.get_by_role("link", name="Undo…").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Undo the verification?")
    expect(dialog).to_contain_text("stops counting in public at once")
    reason = dialog.get_by_label("Why is the decision undone?")
    expect(reason).to_be_focused()
    page.keyboard.type("The instrument is dated 3 March: verified by mistake.")
    axe(page)
    screenshot(page, "depositary-undo-dialog-desktop")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Undo the verification")).to_be_focused()
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("Undone: Viet Nam: Ratification of 2 March 2026")
    expect(messages).to_be_focused()
    expect(counter).to_have_text("0")
    assert public_count(page, base) == 0
    expect(page.locator("#queue")).to_contain_text("1 submission pending")
    expect(item).to_contain_text("verified by mistake")
    screenshot(page, "depositary-queue-decisions-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "depositary-queue-decisions-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Verified again, from the queue.
    item.get_by_role("link", name="Verify…").click()
    page.get_by_role("dialog").get_by_role("button", name="Verify", exact=True).click()
    expect(counter).to_have_text("1")
    assert public_count(page, base) == 1

    # Everything is in the audit trail, searched by what happened.
    page.get_by_role("link", name="Audit trail", exact=True).click()
    page.get_by_label("What happened").select_option("undone")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 change")).to_be_visible()
    expect(page.locator(".audit-entry")).to_contain_text("verified by mistake")
    axe(page)
    screenshot(page, "depositary-audit-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "depositary-audit-phone")


def test_without_javascript_the_depositary_undoes_on_a_page(live_server, defaults, no_js_page):
    viet_nam = defaults.actions.get(participant__iso3="VNM").participant
    reviewer = DepositaryStaffFactory(username="reviewer")
    ratification = SubmissionFactory(
        treaty=defaults,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
    )
    ratification.verify(reviewer)
    page, base = no_js_page, live_server.url
    sign_in(page, base, "reviewer")
    assert public_count(page, base) == 1
    page.locator("#recent").get_by_role("link", name="Undo…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undo the verification?")
    page.get_by_label("Why is the decision undone?").fill("Verified by mistake.")
    page.screenshot(path=SCREENSHOTS / "depositary-undo-page-phone.png", full_page=True)
    page.get_by_role("button", name="Undo the verification").click()
    expect(page).to_have_url(base + "/depositary/")
    expect(page.get_by_text("Undone: Viet Nam: Ratification of 2 March 2026")).to_be_visible()
    assert public_count(page, base) == 0


def test_the_depositary_verifies_the_ticked_submissions_after_one_confirmation(
    live_server, defaults, page
):
    DepositaryStaffFactory(username="reviewer")
    for iso3 in ("VNM", "MLI"):
        SubmissionFactory(
            treaty=defaults,
            participant=defaults.actions.get(participant__iso3=iso3).participant,
            kind=ActionKind.RATIFICATION,
            date=dt.date(2026, 3, 2),
        )
    base = live_server.url
    sign_in(page, base, "reviewer")
    for item in page.locator(".queue-item").all():
        item.get_by_role("checkbox").check()
    page.get_by_role("button", name="Verify the ticked submissions…").click()
    dialog = page.get_by_role("dialog", name="Verify 2 submissions?")
    expect(dialog.locator("table.changes")).to_contain_text("2 of 40")
    dialog.get_by_role("button", name="Verify 2 submissions").click()
    expect(page.locator("#queue .messages")).to_contain_text("Verified 2:")
    expect(page.locator("#counters .num").first).to_have_text("2")
    assert public_count(page, base) == 2
