"""Browser journeys: Playwright's sync API driving Debian's Chromium against live_server."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from ratifications.models import Treaty
from states.models import Participant
from tests.factories import ActionFactory

# Playwright's sync API keeps an event loop in the main thread from the first
# browser test to the end of the session; Django's ORM refuses to run beside
# one unless told it is safe, which it is here: the loop only waits while the
# tests use the database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def ceremony(viet_nam_signed) -> Treaty:
    """The Hanoi signing ceremony in small, on the shipped participants: Viet Nam (in
    Hanoi), Algeria, Brazil, France, Nauru and the European Union sign on 25 October
    2025, Mali on the 26th, Mauritius on 19 November. Eight signatories, no instrument."""
    for code, day in [
        *((code, dt.date(2025, 10, 25)) for code in ("DZA", "BRA", "FRA", "NRU", "EUU")),
        ("MLI", dt.date(2025, 10, 26)),
        ("MUS", dt.date(2025, 11, 19)),
    ]:
        ActionFactory(
            treaty=viet_nam_signed, participant=Participant.objects.get(iso3=code), date=day
        )
    return viet_nam_signed


def sign_in(page, live_server, user) -> None:
    """Signed in without the sign-in page: a session made by the test client, as a cookie."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # Never a skip: a missing browser must fail the run, in CI and locally.
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that fails the test on any Content-Security-Policy violation or script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under test-results/ for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA, and Deque's best practices (landmarks, headings...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_RUN = """tags => axe.run(document, {runOnly: tags}).then(results => results.violations.map(
    v => ({id: v.id, impact: v.impact, help: v.help,
           nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))"""


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        pytest.fail(f"The accessibility checks need axe-core at {AXE}: run `make test` (npm ci)")
    return AXE.read_text()


@pytest.fixture
def axe(axe_source):
    """Check the page as it is now with axe-core; fail listing every violation.

    The script goes in through the DevTools protocol (`page.evaluate`), which the
    page's Content-Security-Policy does not govern: the site's policy stays strict.
    """

    def check(page):
        page.evaluate(axe_source)
        violations = page.evaluate(AXE_RUN, AXE_TAGS)
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"])
            for v in violations
        )
        assert not violations, f"axe-core on {page.url}:\n{report}"

    return check
