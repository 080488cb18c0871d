"""The depositary uploads a file with errors, fixes it, previews it and confirms it."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from imports.models import Upload
from ratifications.models import Action, Treaty
from states.models import Participant
from tests.e2e.conftest import sign_in
from tests.factories import ActionFactory, SubmissionFactory, UserFactory

WITH_ERRORS = (
    b"participant,action,date,place,notification,note,source\n"
    b"Canada,signature,2026-07-15,New York,C.N.412.2026.TREATIES-XVIII.16,,Press release\n"
    b"Atlantis,signature,2026-07-15,,,,\n"
    b"Japan,signature,2026-02-30,Tokyo,,<script>alert(1)</script>,\n"
    b"Viet Nam,signature,2025-10-25,,,,\n"
)
FIXED = WITH_ERRORS.replace(b"Atlantis", b"Mexico").replace(b"2026-02-30", b"2026-08-03")
PREVIEW = re.compile(r"/depositary/import/[0-9a-f-]{36}/$")


def csv_file(data: bytes, name: str = "backlog.csv") -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": data}


@pytest.fixture
def depositary(db):
    user = UserFactory(username="depositary")
    user.user_permissions.add(Permission.objects.get(codename="import_actions"))
    return user


@pytest.fixture
def page_told_409(browser):
    """A page as the `page` fixture watches it, but where a 409 is the answer expected:
    Chromium logs every 4xx response as a console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: m.type == "error" and "409 (Conflict)" not in m.text and problems.append(m.text),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert not problems, problems


def check(page, data: bytes, name: str = "backlog.csv") -> None:
    page.get_by_label("CSV file").set_input_files(csv_file(data, name))
    page.get_by_role("button", name="Check the file").click()


def signatories(treaty: Treaty) -> int:
    return treaty.status().status.signatories


def test_the_depositary_fixes_a_file_previews_it_and_confirms(
    live_server, viet_nam_signed, depositary, page, screenshot, axe
):
    signed_before = signatories(viet_nam_signed)
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/import/")
    page.get_by_label("Treaty").select_option("hanoi-convention")
    check(page, WITH_ERRORS)

    expect(page.get_by_role("heading", name="2 errors: nothing can be imported")).to_be_visible()
    # The file is kept, at an address of its own.
    expect(page).to_have_url(PREVIEW)
    expect(page.locator(".import-error-message")).to_have_text(
        [
            "line 3: unknown participant 'Atlantis': use its ISO alpha-3 code, UN name or a "
            "known alias.",
            # Written as it should be: what is wrong is the date itself.
            "line 4: bad date '2026-02-30': 30 February 2026 does not exist; February 2026 "
            "has 28 days.",
        ]
    )
    # Each line's values beside its messages, escaped: the script is text.
    japan = page.locator(".import-error-list > li").nth(1).get_by_role("table")
    expect(japan.locator("tbody td")).to_have_text(
        [
            "Japan",
            "signature",
            "2026-02-30",
            "Tokyo",
            "(empty)",
            "<script>alert(1)</script>",
            "(empty)",
        ]
    )
    expect(japan.locator("thead th").first).to_have_text("participant")
    axe(page)
    screenshot(page, "import-errors-desktop")

    # The corrected file, chosen in the same place: it replaces the kept one.
    check(page, FIXED)
    expect(page.get_by_text("3 to add, 1 already there.")).to_be_visible()
    expect(page).to_have_url(PREVIEW)
    assert Upload.objects.count() == 1
    rows = page.get_by_role("table", name="Rows to add").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("New York")
    expect(rows.nth(0)).to_contain_text("C.N.412.2026.TREATIES-XVIII.16")
    expect(rows.nth(0)).to_contain_text("Press release")
    expect(rows.nth(1)).to_contain_text("Mexico")
    expect(rows.nth(2)).to_contain_text("<script>alert(1)</script>")
    change = page.get_by_role("table", name=re.compile("What the import changes"))
    expect(change.get_by_role("row", name=re.compile("Signatories"))).to_have_text(
        re.compile(rf"Signatories\s*{signed_before}\s*{signed_before + 3}")
    )
    assert not Action.objects.filter(participant__iso3="MEX").exists()
    axe(page)
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
    screenshot(page, "import-done-desktop")
    page.get_by_role("link", name="See the treaty's status").click()
    expect(page.locator("#counters")).to_contain_text(f"{signed_before + 3} signatories")


def test_the_kept_file_is_checked_again_once_the_records_hold_what_it_needs(
    live_server, viet_nam_signed, depositary, page, screenshot
):
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/import/")
    check(page, b"participant,action,date\nCanada,ratification,2026-08-03\n", "canada.csv")
    expect(page.locator(".import-error-message")).to_contain_text(
        ["A ratification needs an earlier signature"]
    )
    # Meanwhile Canada's signature is recorded: the same file now passes, unchosen.
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="CAN"),
        date=dt.date(2026, 7, 15),
    )
    page.get_by_role("link", name="Check this file again").click()
    expect(page.get_by_text("1 to add, 0 already there.")).to_be_visible()
    change = page.get_by_role("table", name=re.compile("What the import changes"))
    expect(change.get_by_role("row", name=re.compile("Instruments counted"))).to_contain_text("1")
    screenshot(page, "import-checked-again-desktop")


def test_a_confirmation_after_a_change_to_the_records_asks_for_a_new_look(
    live_server, viet_nam_signed, depositary, page_told_409, screenshot
):
    page = page_told_409
    sign_in(page, live_server, depositary)
    page.goto(live_server.url + "/depositary/import/")
    check(page, FIXED)
    expect(page.get_by_role("button", name="Import 3 actions")).to_be_visible()
    # A mission submits something meanwhile: the records' revision moves.
    SubmissionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="CHL"),
        date=dt.date(2026, 8, 1),
    )
    page.get_by_role("button", name="Import 3 actions").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The records changed after you previewed this file"
    )
    assert not Action.objects.filter(participant__iso3="MEX").exists()
    screenshot(page, "import-changed-desktop")
    page.get_by_role("button", name="Import 3 actions").click()
    expect(page.get_by_text(re.compile(r"3 added, 1 already there\."))).to_be_visible()


def test_the_import_works_without_javascript(
    live_server, viet_nam_signed, depositary, no_js_page, screenshot
):
    sign_in(no_js_page, live_server, depositary)
    no_js_page.goto(live_server.url + "/depositary/import/")
    check(no_js_page, WITH_ERRORS)
    expect(no_js_page).to_have_url(PREVIEW)
    expect(no_js_page.locator(".import-error-message")).to_have_count(2)
    screenshot(no_js_page, "import-errors-phone-no-js")
    check(no_js_page, FIXED)
    expect(no_js_page).to_have_url(PREVIEW)
    expect(no_js_page.get_by_text("3 to add, 1 already there.")).to_be_visible()
    screenshot(no_js_page, "import-preview-phone-no-js")
    no_js_page.get_by_role("button", name="Import 3 actions").click()
    expect(no_js_page.get_by_text(re.compile(r"3 added, 1 already there\."))).to_be_visible()
    screenshot(no_js_page, "import-done-phone-no-js")
    assert Action.objects.filter(participant__iso3="MEX").count() == 1
