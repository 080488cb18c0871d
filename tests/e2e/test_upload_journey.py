"""The depositary uploads a file with errors, fixes it, previews it and confirms it."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from playwright.sync_api import expect

from ratifications.models import Action
from tests.factories import UserFactory

WITH_ERRORS = (
    b"participant,action,date,source\n"
    b"Canada,signature,2026-07-15,Press release\n"
    b"Atlantis,signature,2026-07-15,\n"
    b"Japan,signature,2026-13-01,\n"
    b"Viet Nam,signature,2025-10-25,\n"
)
FIXED = WITH_ERRORS.replace(b"Atlantis", b"Mexico").replace(b"2026-13-01", b"2026-08-03")


def csv_file(data: bytes) -> dict:
    return {"name": "backlog.csv", "mimeType": "text/csv", "buffer": data}


@pytest.fixture
def depositary(db):
    user = UserFactory(username="depositary")
    user.user_permissions.add(Permission.objects.get(codename="import_actions"))
    return user


def sign_in(page, live_server, user) -> None:
    """No sign-in page exists here: a session made by the test client, as a cookie."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_the_depositary_fixes_a_file_previews_it_and_confirms(
    live_server, viet_nam_signed, depositary, page, screenshot
):
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/import/")
    page.get_by_label("Treaty").select_option("hanoi-convention")
    page.get_by_label("CSV file").set_input_files(csv_file(WITH_ERRORS))
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="2 errors: nothing can be imported")).to_be_visible()
    errors = page.locator(".import-error-list li")
    expect(errors.nth(0)).to_have_text(
        "line 3: unknown participant 'Atlantis': use its ISO alpha-3 code, UN name or a known "
        "alias."
    )
    expect(errors.nth(1)).to_have_text("line 4: bad date '2026-13-01': write YYYY-MM-DD.")
    screenshot(page, "import-errors-desktop")

    page.get_by_label("CSV file").set_input_files(csv_file(FIXED))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("3 to add, 1 already there.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/depositary/import/[0-9a-f-]{36}/$"))
    rows = page.get_by_role("table", name="Rows to add").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Mexico")
    assert not Action.objects.filter(participant__iso3="MEX").exists()
    screenshot(page, "import-preview-desktop")

    page.get_by_role("button", name="Import 3 actions").click()
    expect(
        page.get_by_text(re.compile(r"Imported on .*: 3 added, 1 already there\."))
    ).to_be_visible()
    assert set(
        Action.objects.verified()
        .filter(participant__iso3__in=["CAN", "MEX", "JPN"])
        .values_list("participant__iso3", flat=True)
    ) == {"CAN", "MEX", "JPN"}
    page.get_by_role("link", name="See the treaty's status").click()
    expect(page.locator("#counters")).to_contain_text("4 signatories")


def test_the_import_works_without_javascript(
    live_server, viet_nam_signed, depositary, no_js_page, screenshot
):
    sign_in(no_js_page, live_server, depositary)
    no_js_page.goto(live_server.url + "/depositary/import/")
    no_js_page.get_by_label("CSV file").set_input_files(csv_file(WITH_ERRORS))
    no_js_page.get_by_role("button", name="Check the file").click()
    expect(no_js_page.locator(".import-error-list li")).to_have_count(2)
    screenshot(no_js_page, "import-errors-phone-no-js")
    no_js_page.get_by_label("CSV file").set_input_files(csv_file(FIXED))
    no_js_page.get_by_role("button", name="Check the file").click()
    expect(no_js_page).to_have_url(re.compile(r"/depositary/import/[0-9a-f-]{36}/$"))
    expect(no_js_page.get_by_text("3 to add, 1 already there.")).to_be_visible()
    screenshot(no_js_page, "import-preview-phone-no-js")
    no_js_page.get_by_role("button", name="Import 3 actions").click()
    expect(no_js_page.get_by_text(re.compile(r"3 added, 1 already there\."))).to_be_visible()
    screenshot(no_js_page, "import-done-phone-no-js")
    assert Action.objects.filter(participant__iso3="MEX").count() == 1
