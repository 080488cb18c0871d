"""The map, the timeline, the print brief and accessibility, as visitors meet them.

docs/accessibility.md says what is checked here and what is checked by eye.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import DepositaryStaffFactory, MissionStaffFactory

MAP_LINKS = ".world-map svg a"
TIMELINE_ROWS = ".chart-data tbody tr"
PASSWORD = "correct horse battery staple"  # the factories' password

PUBLIC_PAGES = [
    "/",
    # A day in the past, a search that matches nothing: the other branches of the page.
    "/?as_of=2025-10-25&q=atlantis",
    "/participants/VNM/",
    "/participants/EUU/",
    "/treaties/hanoi-convention/embed/",
    "/accounts/login/",
    "/accounts/password_reset/",
]


def open_every_details(page):
    """The small States and the timeline's table are folded away: axe skips what is hidden."""
    page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")


# The map


def test_a_visitor_clicks_a_country_and_lands_on_its_page(live_server, ceremony, page):
    page.goto(live_server.url + "/")
    brazil = page.get_by_role("link", name="Brazil: signatory, 25 October 2025")
    expect(brazil).to_have_count(1)
    brazil.locator("use").click()
    expect(page).to_have_url(live_server.url + "/participants/BRA/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brazil")


def test_a_keyboard_user_tabs_to_a_country_and_presses_enter(live_server, ceremony, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="table of participants").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip the map")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Tab")
    # The States drawn as outlines come first, by name.
    afghanistan = page.get_by_role("link", name="Afghanistan: no action")
    expect(afghanistan).to_be_focused()
    # Its name and status show in the band below the land, for those who see the screen.
    expect(afghanistan.locator(".map-label")).to_have_css("opacity", "1")
    expect(page.locator(".map-hint")).to_have_css("opacity", "0")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Algeria: signatory, 25 October 2025")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/participants/DZA/")


def test_the_skip_link_jumps_over_the_map_to_every_state_by_name(live_server, ceremony, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Skip the map").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#map-notes")).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("link", name="European Union: signatory, 25 October 2025")
    ).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # opens the list of every State by name
    listed = page.locator(".map-list")
    expect(listed).to_have_attribute("open", "")
    expect(listed.get_by_role("link", name="Tuvalu: no action")).to_be_visible()
    expect(listed.get_by_role("link", name="Nauru: signatory, 25 October 2025")).to_be_visible()
    # Each is a target of at least 24 px, which the map on a phone is not (WCAG 2.5.8).
    boxes = listed.get_by_role("link").evaluate_all(
        "links => links.map(a => a.getBoundingClientRect()).map(r => Math.min(r.width, r.height))"
    )
    assert min(boxes) >= 24


def test_the_map_shows_the_day_chosen(live_server, ceremony, page):
    page.goto(live_server.url + "/?as_of=2025-10-24")
    # Before the signing ceremony nobody had acted.
    expect(page.locator(f"{MAP_LINKS}.standing-signatory")).to_have_count(0)
    expect(page.get_by_role("link", name="Viet Nam: no action")).to_have_count(1)
    page.goto(live_server.url + "/?as_of=2025-10-25")
    expect(page.get_by_role("link", name="Viet Nam: signatory, 25 October 2025")).to_have_count(1)
    expect(page.get_by_role("link", name="Mauritius: no action")).to_have_count(1)
    # Six signed that day, the European Union among them, beside the map.
    expect(page.locator(f"{MAP_LINKS}.standing-signatory")).to_have_count(5)


def test_without_javascript_the_map_links_still_work(live_server, ceremony, no_js_page):
    page = no_js_page
    page.goto(live_server.url + "/?q=viet")
    # The map is the whole world whatever the table's filters.
    expect(page.locator(MAP_LINKS)).to_have_count(197)
    # A phone's map is a disclosure, which opens without JavaScript too.
    page.locator(".map-details > summary").click()
    page.get_by_role("link", name="Brazil: signatory, 25 October 2025").locator("use").click()
    expect(page).to_have_url(live_server.url + "/participants/BRA/")
    page.go_back()
    page.locator(".map-details > summary").click()
    page.get_by_text("States by name").click()
    page.locator(".map-list").get_by_role("link", name=re.compile("^Tuvalu: ")).click()
    expect(page).to_have_url(live_server.url + "/participants/TUV/")


# The timeline


def test_the_timeline_follows_the_day_shown(live_server, ceremony, page):
    page.goto(live_server.url + "/")
    chart = page.get_by_role("img", name="Signatories and instruments counted over time")
    expect(chart).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text("Threshold: 40 instruments")
    page.get_by_text("The same data as a table").click()
    # Six on 25 October 2025, Mali the next day, Mauritius in November.
    expect(page.locator(TIMELINE_ROWS)).to_have_count(3)
    expect(page.locator(TIMELINE_ROWS).last).to_contain_text(
        re.compile(r"19 November 2025\s*8\s*0")
    )
    steps_today = page.locator(".chart-signatories").first.get_attribute("d").count("V")

    page.goto(live_server.url + "/?as_of=2025-10-25")
    page.get_by_text("The same data as a table").click()
    expect(page.locator(TIMELINE_ROWS)).to_have_count(1)
    expect(page.locator(TIMELINE_ROWS)).to_contain_text(re.compile(r"25 October 2025\s*6\s*0"))
    assert page.locator(".chart-signatories").first.get_attribute("d").count("V") < steps_today


# Announcements and focus when htmx replaces the table


def test_typing_a_search_keeps_focus_and_announces_the_count(live_server, defaults, page):
    page.goto(live_server.url + "/")
    status = page.get_by_role("status").filter(has_text="participants")
    expect(status).to_contain_text("signatories and Parties, of 198 participants.")
    status.evaluate("node => node.dataset.kept = 'yes'")
    search = page.get_by_label("Search")
    search.press_sequentially("viet")
    expect(page.locator("table.participants tbody tr")).to_have_count(1)
    # The same live region, with new words in it: screen readers read them once.
    expect(page.locator("#participants-count")).to_have_text(
        re.compile(r"^1 participant matches\.")
    )
    expect(page.locator("#participants-count")).to_have_attribute("data-kept", "yes")
    expect(search).to_be_focused()
    search.press_sequentially("xx")
    expect(page.locator("#participants-count")).to_have_text(
        re.compile(r"^No participant matches these filters\.")
    )
    expect(search).to_be_focused()


# The print brief


def test_the_dashboard_prints_as_a_one_page_brief(live_server, ceremony, page, screenshot):
    page.goto(live_server.url + "/")
    page.emulate_media(media="print")
    expect(page.locator(".pictures")).to_be_hidden()
    expect(page.locator("#filters")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#counters")).to_be_visible()
    # The signatories and Parties only.
    expect(page.locator("table.participants tbody tr:visible")).to_have_count(8)
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    screenshot(page, "dashboard-print")


# axe-core: every public page in English and in Arabic, the main ones in every language


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_nothing_on_the_public_pages(live_server, defaults, browser, axe, path, language):
    context = browser.new_context(extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    open_every_details(page)
    axe(page)
    context.close()


@pytest.mark.parametrize("language", ["zh-hans", "fr", "ru", "es"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/participants/VNM/",
        "/treaties/hanoi-convention/projection/",
        "/treaties/hanoi-convention/what-if/?deposit=VNM:2027-03-01&deposit=EUU:2027-03-02",
    ],
)
def test_axe_finds_nothing_on_the_pages_people_come_for_in_the_other_languages(
    live_server, defaults, browser, axe, path, language
):
    context = browser.new_context(extra_http_headers={"Accept-Language": language})
    page = context.new_page()
    page.goto(live_server.url + path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    open_every_details(page)
    axe(page)
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_on_a_phone_or_with_a_country_focused(
    live_server, ceremony, browser, axe, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    if width < 700:
        # On a phone the map is a disclosure, closed until asked for.
        expect(page.get_by_role("link", name="Viet Nam: signatory, 25 October 2025")).to_be_hidden()
        page.locator(".map-details > summary").click()
    page.get_by_role("link", name="Viet Nam: signatory, 25 October 2025").focus()
    axe(page)
    context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_axe_finds_nothing_in_the_workspaces(live_server, viet_nam_signed, browser, axe, language):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
    MissionStaffFactory(username="hanoi", missions=[viet_nam])
    DepositaryStaffFactory(username="reviewer")
    for username, paths in {
        "hanoi": ["/mission/", "/mission/submit/"],
        "reviewer": ["/depositary/", "/depositary/actions/new/", "/depositary/import/"],
    }.items():
        context = browser.new_context(extra_http_headers={"Accept-Language": language})
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form.stack-form button[type=submit]").click()
        expect(page).not_to_have_url(re.compile("/accounts/login/"))
        for path in paths:
            page.goto(live_server.url + path)
            open_every_details(page)
            axe(page)
        context.close()
