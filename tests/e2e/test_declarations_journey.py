"""A mission submits a reservation and a notification, the depositary verifies them, and the
public finds the reservation under its article, on the participant's page and in the table's
filters; the contact details stay with the staff. With JavaScript and without, at 1280 and
390 px, in English and in Arabic, axe-clean."""

import datetime as dt
import re

from playwright.sync_api import expect

from declarations.rules import Kind, Made, Subject
from states.models import Participant
from tests.e2e.test_mission_journey import sign_in, sign_out
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_a_reservation_goes_from_the_mission_to_its_article_and_the_contacts_stay_private(
    live_server, viet_nam_signed, page, screenshot, axe
):
    viet_nam = Participant.objects.get(iso3="VNM")
    MissionStaffFactory(username="hanoi", missions=[viet_nam])
    DepositaryStaffFactory(username="reviewer")
    base = live_server.url

    sign_in(page, base, "hanoi")
    page.get_by_role("link", name="Declarations, reservations and notifications").click()
    expect(page).to_have_url(base + "/mission/declarations/")
    page.get_by_role("link", name="New declaration, reservation or notification").click()
    page.get_by_label("Kind").select_option("reservation")
    page.get_by_label("Made").select_option("signature")
    # The rules answer as one types: a reservation upon signature bears its date.
    page.get_by_label("Date").fill("2025-11-01")
    page.get_by_label("Date").blur()
    expect(page.locator("#errors-date")).to_contain_text(
        "This participant signed on 25 October 2025"
    )
    page.get_by_label("Date").fill("2025-10-25")
    page.get_by_label("Articles concerned").fill("art. 63 (3)")
    page.get_by_label("Language of the text").select_option("en")
    page.get_by_label("Text", exact=True).fill(
        "Viet Nam does not consider itself bound by paragraph 3 of article 63."
    )
    page.get_by_label("Source").fill("Note verbale of the Permanent Mission")
    expect(page.locator("#errors-date")).to_be_empty()
    axe(page)
    screenshot(page, "declarations-form-desktop")
    page.get_by_role("button", name="Submit for verification").click()
    expect(page).to_have_url(base + "/mission/declarations/")
    expect(page.get_by_text("Submitted: Viet Nam: Reservation of 25 October 2025")).to_be_visible()

    page.get_by_role("link", name="New declaration, reservation or notification").click()
    page.get_by_label("Kind").select_option("notification")
    page.get_by_label("Made").select_option("signature")
    page.get_by_label("Date").fill("2025-10-25")
    page.get_by_label("Articles concerned").fill("41")
    page.get_by_label("What it notifies").select_option("point_of_contact")
    page.get_by_label("Authority or office").fill("Ministry of Public Security")
    page.get_by_label("Contact person").fill("Mr Nguyen Private")
    page.get_by_label("Contact telephone").fill("+84 24 5555 0101")
    page.get_by_label("Contact email").fill("contact.private@example.vn")
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.locator(".declared > li")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Mr Nguyen Private")
    axe(page)
    screenshot(page, "declarations-mission-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "declarations-mission-phone")
    page.set_viewport_size(DESKTOP)
    sign_out(page)

    sign_in(page, base, "reviewer")
    page.get_by_role("link", name="Declarations, reservations and notifications").click()
    expect(page.get_by_role("heading", level=2, name="2 submissions pending")).to_be_visible()
    expect(page.locator("main")).to_contain_text("contact.private@example.vn")
    axe(page)
    screenshot(page, "declarations-queue-desktop")
    for kind in ("Reservation", "Notification"):
        item = page.locator(".queue-item", has_text=f"Viet Nam: {kind}")
        item.get_by_role("link", name="Verify…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Verify this submission?")
        if kind == "Reservation":
            axe(page)
            screenshot(page, "declarations-verify-desktop")
        page.get_by_role("button", name="Verify", exact=True).click()
        expect(page.get_by_text(f"Verified: Viet Nam: {kind} of 25 October 2025")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="0 submissions pending")).to_be_visible()
    sign_out(page)

    page.goto(base + "/treaties/hanoi-convention/articles/")
    section = page.locator("#article-63")
    expect(section).to_contain_text("Viet Nam")
    expect(section).to_contain_text("does not consider itself bound by paragraph 3")
    expect(page.locator("#article-41")).to_contain_text("Ministry of Public Security")
    expect(page.locator("main")).not_to_contain_text("Mr Nguyen Private")
    axe(page)
    screenshot(page, "declarations-by-article-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "declarations-by-article-phone")
    page.set_viewport_size(DESKTOP)

    section.get_by_role("link", name="Viet Nam").click()
    expect(page).to_have_url(base + "/participants/VNM/#declaration-" + _ref("reservation"))
    declared = page.locator(".declared")
    expect(declared).to_contain_text("Reservation, upon signature; article 63(3).")
    expect(declared).to_contain_text("24/7 point of contact: Ministry of Public Security")
    expect(page.locator("main")).not_to_contain_text("contact.private@example.vn")
    axe(page)
    screenshot(page, "declarations-participant-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "declarations-participant-phone")
    page.set_viewport_size(DESKTOP)

    # Signed in, the staff find the contact details on the same page.
    sign_in(page, base, "reviewer")
    page.goto(base + "/participants/VNM/")
    expect(page.locator(".contact")).to_contain_text("contact.private@example.vn")


def _ref(kind):
    from declarations.models import Declaration

    return Declaration.objects.get(kind=kind).ref


def _reserved_and_withdrawn(treaty):
    """Azerbaijan reserved under 63(3) and 7(2) upon signature, and withdrew the first on
    1 June 2026; Viet Nam notified its central authority for mutual legal assistance."""
    azerbaijan = Participant.objects.get(iso3="AZE")
    ActionFactory(treaty=treaty, participant=azerbaijan, date=dt.date(2025, 10, 25))
    on_63 = DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="63(3)")
    DeclarationFactory(treaty=treaty, participant=azerbaijan, articles="7(2)")
    DeclarationFactory(
        treaty=treaty,
        participant=azerbaijan,
        kind=Kind.WITHDRAWAL,
        made=Made.LATER,
        date=dt.date(2026, 6, 1),
        answers=on_63,
    )
    DeclarationFactory(
        treaty=treaty,
        participant=Participant.objects.get(iso3="VNM"),
        kind=Kind.NOTIFICATION,
        articles="40(13)",
        subject=Subject.MUTUAL_LEGAL_ASSISTANCE,
        authority="Supreme People's Procuracy",
    )


def test_without_javascript_the_record_by_article_and_the_filters_work_by_day(
    live_server, viet_nam_signed, no_js_page, screenshot
):
    _reserved_and_withdrawn(viet_nam_signed)
    page, base = no_js_page, live_server.url
    page.goto(base + "/treaties/hanoi-convention/articles/")
    expect(page.locator("#article-63")).to_contain_text("Withdrawn")
    expect(page.locator("#article-63 .declared").first).to_contain_text("Withdrawn on 1 June 2026")
    page.get_by_label("Show the record as it stood on").fill("2026-05-31")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(base + "/treaties/hanoi-convention/articles/?as_of=2026-05-31")
    expect(page.locator("#article-63")).not_to_contain_text("Withdrawn")
    expect(page.get_by_role("status")).to_contain_text("As it stood at the end of 31 May 2026.")
    screenshot(page, "declarations-by-article-as-of-phone")

    page.goto(base + "/")
    page.get_by_label("Declarations").select_option("reservations")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.participants tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Azerbaijan")
    page.get_by_label("Under article").fill("63")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No participant matches these filters.").first).to_be_visible()
    page.get_by_label("Under article").fill("7")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    screenshot(page, "dashboard-declarations-filter-phone")


def test_with_javascript_the_tables_filters_answer_in_place(
    live_server, viet_nam_signed, page, axe
):
    _reserved_and_withdrawn(viet_nam_signed)
    page.goto(live_server.url + "/")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Declarations").select_option("reservations")
    rows = page.locator("table.participants tbody tr")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]declared=reservations(&|$)"))
    page.get_by_label("Under article").fill("40")
    page.get_by_label("Under article").blur()
    expect(page.locator("#participants-count")).to_contain_text(
        "No participant matches these filters."
    )
    page.get_by_label("Declarations").select_option("any")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Viet Nam")
    assert page.evaluate("window.sameDocument === true")
    axe(page)


def test_the_pages_by_article_and_of_a_participant_read_right_to_left_in_arabic(
    live_server, viet_nam_signed, page, axe, screenshot
):
    _reserved_and_withdrawn(viet_nam_signed)
    base = live_server.url
    page.goto(base + "/treaties/hanoi-convention/articles/")
    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    axe(page)
    screenshot(page, "declarations-by-article-ar-desktop")
    page.goto(base + "/participants/AZE/")
    axe(page)
