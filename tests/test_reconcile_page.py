"""The depositary's page for its status file: upload or fetch a file, accept what is missing here
into verified actions, dismiss a difference with a reason; every decision on record."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from depositary.models import Dismissal, Reconciliation, StoredDifference
from ratifications.models import Action
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, DepositaryStaffFactory
from tests.untc_files import SAMPLES, status_file

PAGE = "/depositary/reconcile/"
HX = {"HX-Request": "true"}
# Canada's signature is missing here, Mali's day differs, a name matches no participant.
FILE = status_file(
    [
        ("Canada", "14 Jul 2026", ""),
        ("Mali", "27 Oct 2025", ""),
        ("Republic of Atlantis", "15 Jul 2026", ""),
    ]
)


@pytest.fixture
def depositary(client, empty_record):
    ActionFactory(
        treaty=empty_record,
        participant=Participant.objects.get(iso3="MLI"),
        date=dt.date(2025, 10, 26),
    )
    user = DepositaryStaffFactory(username="treaty-section")
    client.force_login(user)
    return user


def upload(client, data=FILE, name="XVIII-16.en.xml", **options):
    file = SimpleUploadedFile(name, data, content_type="application/xml")
    return client.post(f"{PAGE}upload/", {"treaty": "hanoi-convention", "file": file}, **options)


def difference(kind: str) -> StoredDifference:
    return StoredDifference.objects.get(kind=kind)


def test_before_any_check_the_page_says_so_and_offers_both_ways(client, depositary):
    page = client.get(PAGE).content.decode()
    assert "The record was never checked against the depositary" in page
    assert "Fetch now and check" in page
    assert 'enctype="multipart/form-data"' in page


def test_an_uploaded_file_is_checked_and_its_differences_listed(client, depositary):
    response = upload(client, follow=True)
    assert response.redirect_chain == [(f"{PAGE}?treaty=hanoi-convention", 302)]
    page = response.content.decode()
    assert "Checked against XVIII-16.en.xml: 3 differences." in page
    assert "3 differences to settle" in page
    assert "Canada: signature of 14 July 2026 is in the depositary&#x27;s file, not here." in page
    assert (
        "Mali: signature of 26 October 2025 here; signature of 27 October 2025 in the "
        "depositary&#x27;s file." in page
    )
    assert "Republic of Atlantis (row 3 of the file) is no participant" in page
    assert "2 August 2026, 10:16 (New York)" in page
    assert "by treaty-section (uploaded)</dd>" in page
    check = Reconciliation.objects.get()
    assert (check.checked_by, check.origin, check.source) == (
        depositary,
        "upload",
        "XVIII-16.en.xml",
    )
    # Only what is missing here can be recorded; every difference can be dismissed.
    assert page.count(">Record as verified<") == 1
    assert page.count(">Dismiss<") == 3


def test_a_check_by_the_command_names_its_origin_once(client, depositary, empty_record):
    Reconciliation.objects.create(
        treaty=empty_record, origin="command", source="XVIII-16.en.xml", rows=3, found=0
    )
    page = client.get(PAGE).content.decode()
    assert "</time>, the reconcile_untc command</dd>" in page
    assert "by the reconcile_untc command" not in page


def test_the_history_link_names_the_participant_in_the_language_of_the_page(client, depositary):
    upload(client)
    page = client.get(PAGE, headers={"Accept-Language": "ru"}).content.decode()
    link = page[page.index('href="/depositary/participants/MLI/history/">') :]
    assert "Мали</a>" in link[: link.index("</a>") + 4]


def test_differences_and_dismissals_name_participants_in_the_language_of_the_page(
    client, depositary
):
    upload(client)
    client.post(f"{PAGE}differences/{difference('date_differs').pk}/dismiss/", {"reason": "Known"})
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE, headers={"Accept-Language": "ru"})
    client.post(f"{PAGE}differences/{difference('missing_here').pk}/dismiss/", {"reason": "Later"})
    with CaptureQueriesContext(connection) as two:
        page = client.get(PAGE, headers={"Accept-Language": "ru"}).content.decode()
    decided = page[page.index('id="decisions-heading"') :]
    assert "Мали" in decided and "Канада" in decided
    assert "Mali" not in decided and "Canada" not in decided
    # A dismissal more, no query more.
    assert len(two) == len(one)


def test_with_htmx_the_page_answers_with_its_region_only(client, depositary):
    content = upload(client, headers=HX).content.decode()
    assert content.lstrip().startswith('<div id="reconciliation"')
    assert "<html" not in content
    assert "3 differences to settle" in content


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"participant,action,date\n", "The file is not XML"),
        ((SAMPLES / "XXVI-9.en.xml").read_bytes(), "This is the status file of XXVI-9"),
        (status_file([]), "The table of participants is empty."),
        (
            status_file(
                [("Canada", "14 Jul 2026 s")], columns=("Participant", "Definitive signature(s)")
            ),
            "Unknown legend",
        ),
    ],
    ids=["not xml", "another treaty", "empty", "unknown legend"],
)
def test_a_file_that_cannot_be_read_is_shown_with_why_and_nothing_is_recorded(
    client, depositary, data, problem
):
    response = upload(client, data, name="broken.xml", headers=HX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<bdi>broken.xml</bdi> was not read; nothing was recorded" in content
    assert problem in content
    assert not Reconciliation.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(client, depositary, settings):
    settings.UNTC_MAX_BYTES = 1000
    response = upload(client, FILE + b" " * 1000, headers=HX)
    assert "a status file may be 1000\xa0bytes at most" in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_fetch_now_checks_the_treatys_own_file(client, depositary, empty_record, untc_server):
    server, routes = untc_server
    routes["/XVIII-16.en.xml"] = (200, FILE, 0)
    empty_record.status_file_url = f"{server}/XVIII-16.en.xml"
    empty_record.save()
    response = client.post(f"{PAGE}fetch/", {"treaty": "hanoi-convention"}, headers=HX)
    assert "3 differences to settle" in response.content.decode()
    check = Reconciliation.objects.get()
    assert (check.origin, check.source) == ("fetch", f"{server}/XVIII-16.en.xml")


def test_a_fetch_that_fails_says_why(client, depositary, empty_record, untc_server):
    server, _routes = untc_server
    empty_record.status_file_url = f"{server}/gone.xml"
    empty_record.save()
    response = client.post(f"{PAGE}fetch/", {"treaty": "hanoi-convention"}, headers=HX)
    assert f"{server}/gone.xml answered 404 Not Found." in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_accepting_records_the_missing_action_as_verified_with_who_and_why(client, depositary):
    upload(client)
    missing = difference("missing_here")
    response = client.post(f"{PAGE}differences/{missing.pk}/accept/", headers=HX)
    content = response.content.decode()
    assert "Recorded as verified: Canada: signature of 14 July 2026" in content
    canada = Action.objects.get(participant__iso3="CAN")
    assert (canada.kind, canada.date, canada.review) == (
        ActionKind.SIGNATURE,
        dt.date(2026, 7, 14),
        Action.Review.VERIFIED,
    )
    assert canada.source.endswith("status file (status as at 02 Aug 2026 10:16:04 EDT)")
    record = canada.history.get()
    assert (record.history_user, record.history_change_reason) == (depositary, "reconciled")
    # Settled, and in the decisions.
    assert "2 differences to settle" in content
    assert "accepted from the depositary's status file" in content
    # Twice is once.
    client.post(f"{PAGE}differences/{missing.pk}/accept/")
    assert Action.objects.filter(participant__iso3="CAN").count() == 1


def test_accepting_what_the_rules_refuse_records_nothing_and_says_why(client, depositary):
    # A ratification whose signature comes after it.
    upload(client, status_file([("Chile", "5 Mar 2026", "1 Mar 2026")]))
    ratification = StoredDifference.objects.get(there_kind="ratification")
    response = client.post(f"{PAGE}differences/{ratification.pk}/accept/", follow=True)
    content = response.content.decode()
    assert "Not recorded: Chile: ratification of 1 March 2026" in content
    assert not Action.objects.filter(participant__iso3="CHL").exists()


def test_only_what_is_missing_here_can_be_accepted(client, depositary):
    upload(client)
    before = Action.objects.count()
    response = client.post(
        f"{PAGE}differences/{difference('date_differs').pk}/accept/", follow=True
    )
    assert "Only an action in effect that is missing here is recorded." in response.content.decode()
    assert Action.objects.count() == before


def test_dismissing_needs_a_reason_and_is_kept_with_who_and_why(client, depositary):
    upload(client)
    atlantis = difference("not_matched")
    url = f"{PAGE}differences/{atlantis.pk}/dismiss/"
    response = client.post(url, {"reason": "  "}, headers=HX)
    assert "Say why the difference is dismissed." in response.content.decode()
    assert not Dismissal.objects.exists()
    response = client.post(url, {"reason": "A test row of the depositary's"}, headers=HX)
    content = response.content.decode()
    assert "Dismissed: Republic of Atlantis (row 3 of the file)" in content
    assert "Dismissed by treaty-section on" in content
    assert '<q dir="auto">A test row of the depositary&#x27;s</q>' in content
    record = Dismissal.history.get()
    assert (record.history_user, record.reason, record.history_change_reason) == (
        depositary,
        "A test row of the depositary's",
        "dismissed",
    )
    # Twice is once.
    client.post(url, {"reason": "Again"})
    assert Dismissal.objects.count() == 1


def test_a_dismissal_holds_for_later_checks_of_the_same_difference(client, depositary):
    upload(client)
    client.post(f"{PAGE}differences/{difference('date_differs').pk}/dismiss/", {"reason": "Known"})
    content = upload(client, follow=True).content.decode()
    assert "2 differences to settle" in content
    # Another day there is another difference: it is open again.
    upload(client, FILE.replace(b"27 Oct 2025", b"28 Oct 2025"))
    assert "3 differences to settle" in client.get(PAGE).content.decode()


def test_a_difference_of_an_older_check_is_gone(client, depositary):
    upload(client)
    old = difference("missing_here")
    upload(client)
    assert client.post(f"{PAGE}differences/{old.pk}/accept/").status_code == 404
    assert Reconciliation.objects.count() == 2
    assert "Earlier checks" in client.get(PAGE).content.decode()
