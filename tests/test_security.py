"""User-entered text is escaped everywhere; the workspaces keep the strict CSP."""

import datetime as dt
import re

import pytest

from declarations.models import Declaration
from declarations.rules import Kind, Subject
from depositary import untc
from depositary.models import Dismissal, Reconciliation
from ratifications.rules import ActionKind
from reports.models import Report
from tests.factories import (
    ActionFactory,
    DeclarationFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    ParticipantFactory,
    SubmissionFactory,
    TreatyFactory,
)
from tests.untc_files import status_file

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
TEXT_FIELDS = {
    "place": PAYLOAD,
    "notification": PAYLOAD,
    "source": PAYLOAD,
    "note": PAYLOAD,
}


@pytest.fixture
def hostile(db, settings):
    """Every text field of a verified action, a submission and a rejection holds a script."""
    treaty = TreatyFactory(slug="hanoi-convention", untc_reference="XVIII-16")
    settings.DEFAULT_TREATY_SLUG = treaty.slug
    participant = ParticipantFactory(name=f"Republic of {PAYLOAD}", iso3="VNM", iso2="VN")
    staff = MissionStaffFactory(username="hanoi", first_name=PAYLOAD, missions=[participant])
    signature = ActionFactory(treaty=treaty, participant=participant, **TEXT_FIELDS)
    pending = SubmissionFactory(
        treaty=treaty,
        participant=participant,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=staff,
        **TEXT_FIELDS,
    )
    rejected = SubmissionFactory(
        treaty=treaty,
        participant=participant,
        kind=ActionKind.DENUNCIATION,
        date=dt.date(2026, 3, 3),
        submitted_by=staff,
        **TEXT_FIELDS,
    )
    reviewer = DepositaryStaffFactory()
    rejected.reject(reviewer, PAYLOAD)
    undone = SubmissionFactory(
        treaty=treaty,
        participant=participant,
        kind=ActionKind.DENUNCIATION,
        date=dt.date(2026, 3, 4),
        submitted_by=staff,
        **TEXT_FIELDS,
    )
    undone.reject(reviewer, "Not received")
    undone.undo(reviewer, PAYLOAD)
    Report.objects.create(
        treaty=treaty,
        participant=participant,
        kind=Report.Kind.DOMESTIC_STATEMENT,
        date=dt.date(2026, 1, 28),
        summary=PAYLOAD,
        articles=PAYLOAD,
        source=PAYLOAD,
        reported_by=staff,
    )
    # A name no participant has, and a participant missing there, one dismissed for a reason.
    check = Reconciliation.objects.check_file(
        untc.read(status_file([(PAYLOAD, "1 Feb 2026", "")]), max_bytes=1_000_000),
        treaty,
        by=reviewer,
        origin=Reconciliation.Origin.UPLOAD,
        source=PAYLOAD,
    )
    Dismissal.of(check.differences.get(kind="missing_there"), by=reviewer, reason=PAYLOAD)
    return {
        "staff": staff,
        "reviewer": reviewer,
        "signature": signature,
        "pending": pending,
        "rejected": rejected,
    }


def pages(hostile):
    pending, signature = hostile["pending"], hostile["signature"]
    return [
        ("staff", "/mission/"),
        ("staff", f"/mission/submissions/{pending.pk}/edit/"),
        ("staff", f"/mission/submissions/{pending.pk}/history/"),
        ("staff", "/mission/participants/VNM/history/"),
        ("reviewer", "/depositary/"),
        ("reviewer", f"/depositary/submissions/{hostile['rejected'].pk}/history/"),
        ("reviewer", "/depositary/participants/VNM/history/"),
        ("reviewer", "/depositary/audit/"),
        ("reviewer", f"/depositary/submissions/{pending.pk}/verify/"),
        ("reviewer", f"/depositary/verify/?selected={pending.pk}:1"),
        ("reviewer", f"/depositary/submissions/{hostile['rejected'].pk}/undo/"),
        ("reviewer", "/depositary/reconcile/"),
        ("reviewer", "/depositary/reports/"),
        (None, "/"),
        (None, "/participants/VNM/"),
        (None, signature.treaty.get_absolute_url()),
    ]


def test_scripts_typed_into_any_text_field_are_shown_as_text(client, hostile):
    for who, url in pages(hostile):
        client.logout()
        if who:
            client.force_login(hostile[who])
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert PAYLOAD not in content, url
        assert ESCAPED in content, url


def test_a_script_in_a_submission_is_escaped_in_the_rules_engines_answer(client, hostile):
    client.force_login(hostile["staff"])
    pending = hostile["pending"]
    response = client.post(
        f"/mission/submissions/{pending.pk}/validate/",
        {"participant": PAYLOAD, "treaty": PAYLOAD, "kind": PAYLOAD, "date": PAYLOAD},
        headers={"HX-Request": "true"},
    )
    assert PAYLOAD not in response.content.decode()


def test_the_workspaces_have_no_inline_script_or_style(client, hostile):
    for who, url in [(who, url) for who, url in pages(hostile) if who]:
        client.force_login(hostile[who])
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "'nonce-" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        content = response.content.decode()
        assert " style=" not in content and "hx-on" not in content, url
        for tag in re.findall(r"<script[^>]*>", content):
            assert "nonce=" in tag, (url, tag)


def test_only_signed_in_workspace_pages_carry_the_csrf_token_on_the_body(client, hostile):
    client.force_login(hostile["staff"])
    assert '<body hx-headers=\'{"X-CSRFToken": "' in client.get("/mission/").content.decode()
    client.logout()
    assert "X-CSRFToken" not in client.get("/").content.decode()


@pytest.fixture
def hostile_declarations(hostile):
    """A verified notification and a pending reservation whose every text holds a script."""
    signature = hostile["signature"]
    texts = {
        "text": PAYLOAD,
        "text_english": PAYLOAD,
        "language": "fr",
        "notification": PAYLOAD,
        "source": PAYLOAD,
        "note": PAYLOAD,
    }
    notification = DeclarationFactory(
        treaty=signature.treaty,
        participant=signature.participant,
        kind=Kind.NOTIFICATION,
        articles="41",
        subject=Subject.OTHER,
        authority=PAYLOAD,
        contact_name=PAYLOAD,
        contact_telephone=PAYLOAD,
        **texts,
    )
    pending = DeclarationFactory(
        treaty=signature.treaty,
        participant=signature.participant,
        articles="63(3)",
        review=Declaration.Review.PENDING,
        submitted_by=hostile["staff"],
        **texts,
    )
    return {**hostile, "notification": notification, "pending_declaration": pending}


def test_scripts_typed_into_a_declaration_are_shown_as_text(client, hostile_declarations):
    pending = hostile_declarations["pending_declaration"]
    notification = hostile_declarations["notification"]
    slug = notification.treaty.slug
    pages = [
        ("staff", "/mission/declarations/"),
        ("staff", f"/mission/declarations/{pending.pk}/edit/"),
        ("staff", f"/mission/declarations/{pending.pk}/history/"),
        ("staff", "/participants/VNM/"),
        ("reviewer", "/depositary/declarations/"),
        ("reviewer", f"/depositary/declarations/{pending.pk}/verify/"),
        ("reviewer", f"/depositary/declarations/{notification.pk}/undo/"),
        ("reviewer", f"/depositary/declarations/{notification.pk}/history/"),
        ("reviewer", "/depositary/declarations/new/"),
        (None, "/participants/VNM/"),
        (None, f"/treaties/{slug}/articles/"),
        (None, f"/treaties/{slug}/articles/41/"),
    ]
    for who, url in pages:
        client.logout()
        if who:
            client.force_login(hostile_declarations[who])
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert PAYLOAD not in content, url
        if "/new/" not in url:
            assert ESCAPED in content, url
        if who:
            assert " style=" not in content and "hx-on" not in content, url


@pytest.mark.parametrize(
    "path",
    [
        "/participants/{junk}/",
        "/participants/{junk}/feed/",
        "/mission/participants/{junk}/history/",
        "/depositary/participants/{junk}/history/",
        "/alerts/manage/{junk}/",
        "/alerts/unsubscribe/{junk}/",
    ],
)
@pytest.mark.parametrize("junk", ["%00", "V%00M", "%C2%B2%C2%B2%C2%B2"])
def test_a_nul_byte_or_junk_in_a_code_or_token_is_not_found(db, client, path, junk):
    # A NUL byte reaching PostgreSQL would be a 500; the URL's shape refuses it first.
    client.force_login(DepositaryStaffFactory(is_superuser=True))
    assert client.get(path.format(junk=junk)).status_code == 404
