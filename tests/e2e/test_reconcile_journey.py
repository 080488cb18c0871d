"""The depositary checks the record against its status file: uploads it, records what is missing
here, dismisses what does not matter, and reads the decisions; a mission reports a step; the
public reads the reports on a participant's page."""

import re

import pytest
from playwright.sync_api import expect

from depositary.models import Dismissal
from ratifications.models import Action
from reports.models import Report
from tests.e2e.conftest import sign_in
from tests.factories import DepositaryStaffFactory, MissionStaffFactory
from tests.untc_files import status_file

# With the record of `viet_nam_signed`: Canada's signature is missing here, Viet Nam's day
# differs, and a name matches no participant.
FILE = status_file(
    [
        ("Canada", "14 Jul 2026", ""),
        ("Republic of Atlantis", "15 Jul 2026", ""),
        ("Viet Nam", "26 Oct 2025", ""),
    ]
)


def choose_file(page) -> None:
    page.get_by_label("Status file (XML)").set_input_files(
        {"name": "XVIII-16.en.xml", "mimeType": "application/xml", "buffer": FILE}
    )
    page.get_by_role("button", name="Check the file").click()


@pytest.fixture
def depositary(db):
    return DepositaryStaffFactory(username="treaty-section")


def test_the_depositary_uploads_a_file_accepts_one_difference_dismisses_another_and_reads_it(
    live_server, viet_nam_signed, depositary, page, screenshot, axe
):
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/")
    page.get_by_role("link", name="Check against the depositary's status file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("In step with the depositary")
    expect(page.get_by_text("The record was never checked")).to_be_visible()
    axe(page)

    choose_file(page)
    expect(page.get_by_text("Checked against XVIII-16.en.xml: 3 differences.")).to_be_visible()
    expect(page.locator("#open-heading")).to_have_text("3 differences to settle")
    axe(page)
    screenshot(page, "depositary-reconcile-desktop")
    # A screenshot leaves empty style attributes on the form fields, which htmx's next swap
    # would copy (refused by the CSP): the page again, as a person would have it.
    page.reload()

    page.evaluate("window.sameDocument = true")
    canada = page.locator(".queue-item", has_text="Canada")
    canada.get_by_role("button", name=re.compile("^Record as verified")).click()
    expect(
        page.get_by_text("Recorded as verified: Canada: signature of 14 July 2026")
    ).to_be_visible()
    expect(page.locator("#open-heading")).to_have_text("2 differences to settle")

    atlantis = page.locator(".queue-item", has_text="Republic of Atlantis")
    atlantis.get_by_label("Why does it not matter?").fill("A test row, the depositary says")
    atlantis.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(page.get_by_role("status")).to_contain_text("Dismissed: Republic of Atlantis")
    expect(page.locator("#open-heading")).to_have_text("1 difference to settle")
    assert page.evaluate("window.sameDocument === true"), "htmx swapped the region, no reload"

    settled = page.locator(".settled")
    expect(settled).to_contain_text("Recorded as verified.")
    expect(settled).to_contain_text("Dismissed by treaty-section on")
    expect(settled).to_contain_text("A test row, the depositary says")
    decisions = page.locator(".decisions .audit-entry")
    expect(decisions).to_have_count(2)
    expect(decisions.first).to_contain_text("treaty-section · dismissed")
    expect(decisions.last).to_contain_text(
        "treaty-section · accepted from the depositary's status file: Canada: Signature of "
        "14 July 2026"
    )
    screenshot(page, "depositary-reconcile-decided-desktop")
    axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "depositary-reconcile-phone")
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The audit trail of the action recorded from the file.
    decisions.last.get_by_role("link").click()
    entry = page.locator(".audit-entry").last
    expect(entry).to_contain_text("treaty-section · accepted from the depositary's status file")
    expect(entry).to_contain_text("status as at 02 Aug 2026 10:16:04 EDT")

    canada_signature = Action.objects.get(participant__iso3="CAN")
    assert canada_signature.review == Action.Review.VERIFIED
    assert Dismissal.objects.get().reason == "A test row, the depositary says"
    page.goto(live_server.url + "/participants/CAN/")
    expect(page.get_by_text("Yes, signed on 14 July 2026")).to_be_visible()


def test_without_javascript_the_depositary_checks_and_decides_with_full_page_loads(
    live_server, viet_nam_signed, depositary, no_js_page
):
    page = no_js_page
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/reconcile/")
    choose_file(page)
    expect(page).to_have_url(re.compile(r"/depositary/reconcile/\?treaty=hanoi-convention$"))
    expect(page.locator("#open-heading")).to_have_text("3 differences to settle")
    page.locator(".queue-item", has_text="Canada").get_by_role(
        "button", name=re.compile("^Record as verified")
    ).click()
    expect(page.locator("#open-heading")).to_have_text("2 differences to settle")
    viet_nam = page.locator(".queue-item", has_text="Viet Nam")
    viet_nam.get_by_label("Why does it not matter?").fill("Corrected by the depositary since")
    viet_nam.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(page.locator("#open-heading")).to_have_text("1 difference to settle")
    assert Dismissal.objects.get().name == "Viet Nam"


def test_a_mission_reports_a_step_and_the_public_reads_it_apart_from_the_record(
    live_server, viet_nam_signed, page, screenshot, axe
):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
    sign_in(page, live_server, MissionStaffFactory(username="hanoi", missions=[viet_nam]))
    page.goto(live_server.url + "/mission/")
    page.get_by_role("link", name="Report a step").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a step")
    axe(page)
    page.get_by_label("What is reported").select_option("domestic_approval_by_parliament")
    page.get_by_label("Date").fill("2026-02-10")
    page.get_by_label("Summary").fill("The National Assembly approved the Convention.")
    page.get_by_role("textbox", name="Source").fill("https://example.org/assembly")
    screenshot(page, "mission-report-desktop")
    page.get_by_role("button", name="Save the report").click()
    expect(page).to_have_url(live_server.url + "/mission/")
    expect(page.locator("#reports")).to_contain_text("Approved by parliament")
    assert Report.objects.get().reported_by.username == "hanoi"
    axe(page)
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + "/participants/VNM/")
    reported = page.locator(".reports-reported")
    expect(reported).to_contain_text("Reported, not yet recorded by the depositary")
    expect(reported).to_contain_text("The National Assembly approved the Convention.")
    expect(reported.get_by_role("link", name="https://example.org/assembly")).to_be_visible()
    # Never counted: Viet Nam is a signatory, not a Party.
    expect(page.locator(".facts").first).to_contain_text("Party No")


def test_the_shipped_reports_on_azerbaijans_page_are_accessible_at_both_widths(
    live_server, defaults, page, screenshot, axe
):
    page.goto(live_server.url + "/participants/AZE/")
    reported = page.locator(".reports-reported")
    expect(reported.locator("li")).to_have_count(4)
    expect(reported).to_contain_text("Approved by parliament")
    axe(page)
    screenshot(page, "participant-reports-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page)
    screenshot(page, "participant-reports-phone")


def test_the_depositarys_list_of_reports_is_accessible_at_both_widths(
    live_server, defaults, depositary, page, screenshot, axe
):
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/")
    page.get_by_role("link", name="Reports not yet deposited").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "6 reports not recorded by the depositary"
    )
    axe(page)
    screenshot(page, "depositary-reports-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page)
    screenshot(page, "depositary-reports-phone")
