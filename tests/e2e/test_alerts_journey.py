"""A reader follows Viet Nam on the Hanoi Convention, confirms from the mail, hears of its
ratification when the depositary verifies it, and unsubscribes in one click; a system's
webhook is added and its log read. The worker's work runs in the test (`worker`)."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from alerts.models import Follow
from ratifications.rules import ActionKind
from tests.factories import DepositaryStaffFactory, MissionStaffFactory, SubmissionFactory

PASSWORD = "correct horse battery staple"  # the factories' password


@pytest.fixture
def mission_submitted(viet_nam_signed):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
    staff = MissionStaffFactory(username="hanoi", missions=[viet_nam])
    return SubmissionFactory(
        treaty=viet_nam_signed,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
    )


def link_in(message, name):
    return re.search(rf"http://127\.0\.0\.1:8000(/alerts/{name}/\S+/)", message.body).group(1)


def test_a_reader_follows_confirms_hears_of_a_verification_and_unsubscribes(
    live_server, mission_submitted, page, axe, screenshot, worker
):
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    axe(page)
    page.get_by_label("Your e-mail address").first.fill("reader@example.org")
    page.get_by_label("Participant").select_option(label="Viet Nam")
    screenshot(page, "alerts-subscribe-desktop")
    with worker():
        page.get_by_role("button", name="Follow", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Look in your mailbox")
    (confirmation,) = mail.outbox
    assert confirmation.to == ["reader@example.org"]

    page.goto(base + link_in(confirmation, "confirm"))
    expect(page.get_by_text("about: Viet Nam, on the United Nations")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your alerts")
    expect(page.get_by_text("Confirmed. You follow: Viet Nam, on the")).to_be_visible()
    axe(page)
    screenshot(page, "alerts-manage-desktop")

    # The depositary verifies, in its own browser.
    depositary = page.context.browser.new_context()
    staff_page = depositary.new_page()
    DepositaryStaffFactory(username="reviewer")
    staff_page.goto(base + "/accounts/login/")
    staff_page.get_by_label("Username").fill("reviewer")
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    item = staff_page.locator(".queue-item", has_text="Viet Nam")
    item.get_by_role("link", name="Verify…").click()
    with worker():
        staff_page.get_by_role("dialog").get_by_role("button", name="Verify", exact=True).click()
        expect(staff_page.get_by_text("Verified: Viet Nam: Ratification")).to_be_visible()
    depositary.close()
    (alert,) = [m for m in mail.outbox if m.to == ["reader@example.org"]][1:]
    assert alert.subject == "Verified: Viet Nam: Ratification of 2 March 2026"

    # The mail client's button: a POST, without cookies or a CSRF token (RFC 8058).
    one_click = alert.extra_headers["List-Unsubscribe"].strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        one_click.replace("http://127.0.0.1:8000", ""),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Follow.objects.exists()
    page.reload()
    expect(page.get_by_text("You follow nothing by e-mail.")).to_be_visible()


def test_without_javascript_a_webhook_is_added_and_its_log_read(
    live_server, viet_nam_signed, no_js_page, worker, screenshot
):
    page, base = no_js_page, live_server.url
    from tests.test_alerts import follow

    subscriber = follow("systems@example.org", viet_nam_signed).subscriber
    page.goto(f"{base}/alerts/manage/{subscriber.token}/")
    form = page.locator("form", has=page.get_by_role("button", name="Add the webhook"))
    form.get_by_label("URL").fill("http://127.0.0.1:9/hooks")
    form.get_by_label("Each action verified, and a verification undone").check()
    form.get_by_role("button", name="Add the webhook").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("http://127.0.0.1:9/hooks")
    expect(page.locator("code.secret")).to_contain_text("whsec_")
    expect(page.get_by_text("Nothing sent yet")).to_be_visible()
    screenshot(page, "alerts-webhook-phone")
