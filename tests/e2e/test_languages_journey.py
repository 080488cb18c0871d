"""A visitor reads the dashboard in Arabic and back in English, the view kept."""

import re

from playwright.sync_api import expect

ROWS = "table.participants tbody tr"


def test_a_visitor_switches_to_arabic_with_the_filters_kept_and_back(
    live_server, defaults, page, screenshot
):
    page.goto(live_server.url + "/?as_of=2026-01-01")
    page.get_by_label("Search").fill("viet")
    # htmx filters the table and pushes the address; the language links follow it.
    expect(page).to_have_url(re.compile(r"\?(?=.*as_of=2026-01-01)(?=.*q=viet)"))
    expect(page.locator(ROWS)).to_have_count(1)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(r"\?(?=.*as_of=2026-01-01)(?=.*q=viet)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "اتفاقية الأمم المتحدة لمكافحة الجرائم السيبرانية"
    )
    expect(page.get_by_role("progressbar", name="التقدم نحو بدء النفاذ")).to_be_visible()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS).first).to_contain_text("فييت نام")
    expect(page.get_by_label("بحث")).to_have_value("viet")
    switcher = page.get_by_role("navigation", name="اللغة")
    expect(switcher.get_by_role("link", name="العربية", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    # Right to left for real: the brand sits at the right, the table starts there too.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2
    screenshot(page, "dashboard-ar-desktop")

    switcher.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page).to_have_url(re.compile(r"\?(?=.*as_of=2026-01-01)(?=.*q=viet)"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "United Nations Convention against Cybercrime"
    )
    expect(page.locator(ROWS).first).to_contain_text("Viet Nam")


def test_without_javascript_the_switcher_is_plain_links(live_server, defaults, no_js_page):
    page = no_js_page
    page.goto(live_server.url + "/participants/VNM/")
    page.get_by_role("link", name="Русский").click()
    expect(page).to_have_url(live_server.url + "/participants/VNM/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вьетнам")
    # The choice stays: the next page is in Russian too, whatever the browser asks for.
    page.get_by_role("link", name="Сводка").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Конвенция Организации Объединенных Наций против киберпреступности"
    )
