"""The error pages as a visitor meets them: in the layout and language, with a way back.

Screenshots of each, at 1280 and 390 px in English and Arabic, go to test-results/errors-*.png.
"""

import pytest
from playwright.sync_api import expect

ERROR_PAGES = {
    "404": ("/no-such-page/", 404),
    "400": ("/errors/400/", 400),
    "dashboard-400": ("/?as_of=2025-02-30", 400),
    "403": ("/errors/403/", 403),
    "500": ("/errors/500/", 500),
}


def watch(page) -> list[str]:
    """Script errors and CSP violations on the page; the browser's own note of the
    status code ("the server responded with a status of 404") is not one."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda m: m.type == "error" and "status of" not in m.text and problems.append(m.text),
    )
    return problems


def test_a_visitor_who_mistypes_an_address_finds_the_way_back(live_server, defaults, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    response = page.goto(live_server.url + "/participants/VNN/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Participants", exact=True).click()
    expect(page).to_have_url(live_server.url + "/#participants-heading")
    expect(page.locator("table.participants")).to_be_visible()
    context.close()


@pytest.mark.urls("tests.e2e.error_urls")
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(ERROR_PAGES))
def test_axe_finds_nothing_on_the_error_pages(
    live_server, defaults, browser, axe, screenshot, name, language
):
    url, status = ERROR_PAGES[name]
    for width in (1280, 390):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        problems = watch(page)
        response = page.goto(live_server.url + url)
        assert response.status == status
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        expect(page.locator(".site-header")).to_be_visible()
        expect(page.locator(".error-page h1")).to_be_visible()
        # The page fits the screen: nothing to scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe(page)
        screenshot(page, f"errors-{name}-{language}-{width}")
        assert not problems, problems
        context.close()
