"""Who may do what: every mutating URL, for every kind of user, with the answer each gets.

A mission's staff never reach another participant's work: they get 404, so the
answer does not even say it exists. Users without the role get 403; anonymous
users are sent to sign in.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver

from declarations.models import Declaration
from depositary import untc
from depositary.models import Dismissal, Reconciliation
from ratifications.models import Action
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
    UserFactory,
)
from tests.untc_files import status_file

USERS = ["anonymous", "mission", "other_mission", "depositary", "administrator"]


@pytest.fixture
def cast(db):
    """Viet Nam's pending ratification and a report of its parliament's approval; the staff of
    Viet Nam and of Kenya; the depositary; a check against the depositary's file, which has
    Kenya's signature."""
    treaty = TreatyFactory(untc_reference="XVIII-16")
    viet_nam = ParticipantFactory(name="Viet Nam")
    kenya = ParticipantFactory(name="Kenya")
    ActionFactory(treaty=treaty, participant=viet_nam)
    mission = MissionStaffFactory(missions=[viet_nam])
    submission = SubmissionFactory(
        treaty=treaty,
        participant=viet_nam,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        submitted_by=mission,
    )
    report = Report.objects.create(
        treaty=treaty,
        participant=viet_nam,
        kind=Report.Kind.DOMESTIC_APPROVAL_BY_PARLIAMENT,
        date=dt.date(2026, 2, 10),
        summary="The National Assembly approved it.",
        source="https://example.org/news",
    )
    check = Reconciliation.objects.check_file(
        untc.read(the_depositarys_file(), max_bytes=1_000_000),
        treaty,
        origin=Reconciliation.Origin.COMMAND,
        source="XVIII-16.en.xml",
    )
    return {
        "treaty": treaty,
        "viet_nam": viet_nam,
        "kenya": kenya,
        "submission": submission,
        "report": report,
        "difference": check.differences.get(),
        "users": {
            "anonymous": None,
            "mission": mission,
            "other_mission": MissionStaffFactory(missions=[kenya]),
            "depositary": DepositaryStaffFactory(),
            "administrator": UserFactory(is_staff=True, is_superuser=True),
        },
    }


def the_depositarys_file() -> bytes:
    return status_file([("Kenya", "1 Feb 2026", ""), ("Viet Nam", "25 Oct 2025", "")])


def status_file_upload(cast):
    return {
        "treaty": cast["treaty"].slug,
        "file": SimpleUploadedFile("XVIII-16.en.xml", the_depositarys_file()),
    }


def viet_nam_report(cast):
    return {
        "participant": cast["viet_nam"].pk,
        "treaty": cast["treaty"].pk,
        "kind": "domestic_law_signed",
        "date": "2026-02-23",
        "summary": "The President signed the law.",
        "source": "https://example.org/law",
        "confidence": "government",
    }


def viet_nam_ratification(cast):
    return {
        "participant": cast["viet_nam"].pk,
        "treaty": cast["treaty"].pk,
        "kind": "ratification",
        "date": "2026-03-05",
        "place": "New York",
        "version": cast["submission"].version,
    }


def viet_nam_denunciation(cast):
    return {
        "participant": cast["viet_nam"].pk,
        "treaty": cast["treaty"].pk,
        "kind": "denunciation",
        "date": "2026-03-05",
    }


def kenya_signature(cast):
    return {
        "participant": cast["kenya"].pk,
        "treaty": cast["treaty"].pk,
        "kind": "signature",
        "date": "2026-02-01",
    }


# (url name, url, data, expected status for each of USERS)
MATRIX = [
    ("logout", "/accounts/logout/", None, (302, 302, 302, 302, 302)),
    ("password_change", "/accounts/password_change/", None, (302, 200, 200, 200, 200)),
    ("missions:submit", "/mission/submit/", viet_nam_denunciation, (302, 302, 200, 403, 403)),
    ("missions:validate", "/mission/validate/", viet_nam_denunciation, (302, 200, 200, 403, 403)),
    (
        "missions:edit",
        "/mission/submissions/{pk}/edit/",
        viet_nam_ratification,
        (302, 302, 404, 403, 403),
    ),
    (
        "missions:validate_edit",
        "/mission/submissions/{pk}/validate/",
        viet_nam_ratification,
        (302, 200, 404, 403, 403),
    ),
    (
        "missions:withdraw",
        "/mission/submissions/{pk}/withdraw/",
        None,
        (302, 302, 404, 403, 403),
    ),
    (
        "depositary:verify",
        "/depositary/submissions/{pk}/verify/",
        None,
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:reject",
        "/depositary/submissions/{pk}/reject/",
        lambda cast: {"version": 1, "reason": "Not received"},
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:verify_many",
        "/depositary/verify/",
        lambda cast: {"selected": f"{cast['submission'].pk}:1"},
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:undo",
        "/depositary/submissions/{pk}/undo/",
        lambda cast: {"version": 1, "reason": "Verified by mistake"},
        (302, 403, 403, 302, 302),
    ),
    ("depositary:enter", "/depositary/actions/new/", kenya_signature, (302, 403, 403, 302, 302)),
    ("missions:report", "/mission/reports/new/", viet_nam_report, (302, 302, 200, 403, 403)),
    (
        "missions:withdraw_report",
        "/mission/reports/{report}/withdraw/",
        None,
        (302, 302, 404, 403, 403),
    ),
    (
        "depositary:reconcile_upload",
        "/depositary/reconcile/upload/",
        status_file_upload,
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:reconcile_fetch",
        "/depositary/reconcile/fetch/",
        lambda cast: {"treaty": cast["treaty"].slug},
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:accept_difference",
        "/depositary/reconcile/differences/{difference}/accept/",
        None,
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:dismiss_difference",
        "/depositary/reconcile/differences/{difference}/dismiss/",
        lambda cast: {"reason": "Kenya signed the day after, by the file's own note"},
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:new_report",
        "/depositary/reports/new/",
        viet_nam_report,
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:withdraw_report",
        "/depositary/reports/{report}/withdraw/",
        None,
        (302, 403, 403, 302, 302),
    ),
    (
        "depositary:validate",
        "/depositary/actions/validate/",
        kenya_signature,
        (302, 403, 403, 200, 200),
    ),
]


def address(url: str, cast) -> str:
    return url.format(
        pk=cast["submission"].pk, report=cast["report"].pk, difference=cast["difference"].pk
    )


# What is left of the workspaces' URLs only reads (and answers GET alone).
READ_ONLY = {
    "missions:workspace",
    "missions:history",
    "missions:participant_history",
    "depositary:queue",
    "depositary:counters",
    "depositary:history",
    "depositary:participant_history",
    "depositary:audit",
    "depositary:reconcile",
    "depositary:reports",
}
# The confirmations before a decision and the audit trail: read-only pages, each URL
# with the status each of USERS gets.
PAGES = [
    ("/depositary/submissions/{pk}/verify/", (302, 403, 403, 200, 200)),
    ("/depositary/verify/?selected={pk}:1", (302, 403, 403, 200, 200)),
    ("/depositary/submissions/{pk}/undo/", (302, 403, 403, 200, 200)),
    ("/depositary/audit/", (302, 403, 403, 200, 200)),
    ("/depositary/reconcile/", (302, 403, 403, 200, 200)),
    ("/depositary/reports/", (302, 403, 403, 200, 200)),
    ("/depositary/reports/new/", (302, 403, 403, 200, 200)),
    ("/mission/reports/new/", (302, 200, 200, 403, 403)),
]


def test_the_matrix_covers_every_url_of_the_workspaces():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("missions", "depositary")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == {name for name, *_ in MATRIX if ":" in name} | READ_ONLY


@pytest.mark.parametrize(("name", "url", "data", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("who", USERS)
def test_each_user_gets_the_expected_answer(cast, name, url, data, expected, who):
    client = Client()
    if cast["users"][who]:
        client.force_login(cast["users"][who])
    before = Action.objects.values_list("pk", "review", "version", "date").order_by("pk")
    before = list(before)
    reports = list(Report.objects.values_list("pk", "kind"))
    response = client.post(address(url, cast), data(cast) if data else {})
    status = expected[USERS.index(who)]
    assert response.status_code == status
    if who == "anonymous" and name != "logout":
        assert response["Location"].startswith("/accounts/login/?next=")
    refused = status in (403, 404) or (
        who == "other_mission" and name in ("missions:submit", "missions:report")
    )
    if refused:
        after = Action.objects.values_list("pk", "review", "version", "date").order_by("pk")
        assert list(after) == before, "a refused request changed something"
        assert list(Report.objects.values_list("pk", "kind")) == reports, "a report changed"
        assert Reconciliation.objects.count() == 1 and not Dismissal.objects.exists()


@pytest.mark.parametrize(("name", "url", "data", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_every_mutating_url_needs_the_csrf_token(cast, name, url, data, expected):
    client = Client(enforce_csrf_checks=True)
    user = cast["users"]["depositary" if name.startswith("depositary") else "mission"]
    client.force_login(user)
    response = client.post(address(url, cast), data(cast) if data else {})
    assert response.status_code == 403
    assert b"CSRF" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/logout/",
        "/mission/validate/",
        "/mission/submissions/{pk}/validate/",
        "/mission/submissions/{pk}/withdraw/",
        "/depositary/submissions/{pk}/reject/",
        "/depositary/actions/validate/",
        "/mission/reports/{report}/withdraw/",
        "/depositary/reconcile/upload/",
        "/depositary/reconcile/fetch/",
        "/depositary/reconcile/differences/{difference}/accept/",
        "/depositary/reconcile/differences/{difference}/dismiss/",
        "/depositary/reports/{report}/withdraw/",
    ],
)
def test_what_changes_something_is_never_a_get(cast, url):
    client = Client()
    client.force_login(cast["users"]["administrator"])
    assert client.get(address(url, cast)).status_code == 405


@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("who", USERS)
def test_each_user_gets_the_expected_page(cast, url, expected, who):
    client = Client()
    if cast["users"][who]:
        client.force_login(cast["users"][who])
    response = client.get(url.format(pk=cast["submission"].pk))
    assert response.status_code == expected[USERS.index(who)]


def test_a_confirmation_changes_nothing(cast):
    client = Client()
    client.force_login(cast["users"]["depositary"])
    before = list(Action.objects.values_list("pk", "review", "version").order_by("pk"))
    for url, _expected in PAGES:
        client.get(url.format(pk=cast["submission"].pk))
    assert list(Action.objects.values_list("pk", "review", "version").order_by("pk")) == before


def test_another_missions_history_is_a_404(client, cast):
    client.force_login(cast["users"]["other_mission"])
    submission = cast["submission"]
    assert client.get(f"/mission/submissions/{submission.pk}/history/").status_code == 404
    assert client.get(f"/mission/submissions/{submission.pk}/edit/").status_code == 404
    assert client.get(f"/mission/participants/{cast['viet_nam'].iso3}/history/").status_code == 404


def test_mission_staff_cannot_open_the_depositary_workspace(client, cast):
    client.force_login(cast["users"]["mission"])
    assert client.get("/depositary/").status_code == 403
    assert (
        client.get(f"/depositary/submissions/{cast['submission'].pk}/history/").status_code == 403
    )


# Declarations (declarations/): the same roles, on their own URLs.


@pytest.fixture
def declared(cast):
    """Viet Nam's pending reservation upon its signature, submitted by its mission."""
    cast["declaration"] = DeclarationFactory(
        treaty=cast["treaty"],
        participant=cast["viet_nam"],
        review=Declaration.Review.PENDING,
        submitted_by=cast["users"]["mission"],
    )
    return cast


def viet_nam_reservation(cast):
    return {
        "participant": cast["viet_nam"].pk,
        "treaty": cast["treaty"].pk,
        "kind": "reservation",
        "made": "signature",
        "date": "2025-10-25",
        "articles": "63(3)",
        "version": 1,
    }


DECLARATION_MATRIX = [
    (
        "declarations:submit",
        "/mission/declarations/new/",
        viet_nam_reservation,
        (302, 302, 200, 403, 403),
    ),
    (
        "declarations:validate",
        "/mission/declarations/validate/",
        viet_nam_reservation,
        (302, 200, 200, 403, 403),
    ),
    (
        "declarations:edit",
        "/mission/declarations/{pk}/edit/",
        viet_nam_reservation,
        (302, 302, 404, 403, 403),
    ),
    (
        "declarations:validate_edit",
        "/mission/declarations/{pk}/validate/",
        viet_nam_reservation,
        (302, 200, 404, 403, 403),
    ),
    (
        "declarations:withdraw",
        "/mission/declarations/{pk}/withdraw/",
        None,
        (302, 302, 404, 403, 403),
    ),
    (
        "declarations:verify",
        "/depositary/declarations/{pk}/verify/",
        None,
        (302, 403, 403, 302, 302),
    ),
    (
        "declarations:reject",
        "/depositary/declarations/{pk}/reject/",
        lambda cast: {"version": 1, "reason": "No note"},
        (302, 403, 403, 302, 302),
    ),
    (
        "declarations:undo",
        "/depositary/declarations/{pk}/undo/",
        lambda cast: {"version": 1, "reason": "Mistake"},
        (302, 403, 403, 302, 302),
    ),
    (
        "declarations:enter",
        "/depositary/declarations/new/",
        viet_nam_reservation,
        (302, 403, 403, 302, 302),
    ),
    (
        "declarations:validate_entry",
        "/depositary/declarations/validate/",
        viet_nam_reservation,
        (302, 403, 403, 200, 200),
    ),
]
# The declarations' pages that only read: the workspaces' (with each user's status), and
# the public ones, which everyone reads (tests/test_declarations_public.py).
DECLARATION_PAGES = [
    ("/mission/declarations/", (302, 200, 200, 403, 403)),
    ("/mission/declarations/{pk}/history/", (302, 200, 404, 403, 403)),
    ("/depositary/declarations/", (302, 403, 403, 200, 200)),
    ("/depositary/declarations/{pk}/history/", (302, 403, 403, 200, 200)),
    ("/depositary/declarations/{pk}/verify/", (302, 403, 403, 200, 200)),
    ("/depositary/declarations/{pk}/undo/", (302, 403, 403, 200, 200)),
    ("/mission/declarations/new/", (302, 200, 200, 403, 403)),
    ("/mission/declarations/{pk}/edit/", (302, 200, 404, 403, 403)),
    ("/depositary/declarations/new/", (302, 403, 403, 200, 200)),
]
DECLARATION_READ_ONLY = {
    "declarations:mission",
    "declarations:mission_history",
    "declarations:queue",
    "declarations:history",
}
DECLARATION_PUBLIC = {
    "declarations:by_article",
    "declarations:article",
    "declarations:csv",
    "declarations:json",
}


def test_the_matrix_covers_every_url_of_the_declarations():
    names = {
        f"declarations:{name}"
        for name in get_resolver().namespace_dict["declarations"][1].reverse_dict
        if isinstance(name, str)
    }
    listed = {name for name, *_ in DECLARATION_MATRIX}
    assert names == listed | DECLARATION_READ_ONLY | DECLARATION_PUBLIC


def _declarations(cast):
    return list(Declaration.objects.values_list("pk", "review", "version").order_by("pk"))


@pytest.mark.parametrize(
    ("name", "url", "data", "expected"), DECLARATION_MATRIX, ids=[m[0] for m in DECLARATION_MATRIX]
)
@pytest.mark.parametrize("who", USERS)
def test_each_user_gets_the_expected_answer_about_declarations(
    declared, name, url, data, expected, who
):
    client = Client()
    if declared["users"][who]:
        client.force_login(declared["users"][who])
    before = _declarations(declared)
    response = client.post(
        url.format(pk=declared["declaration"].pk), data(declared) if data else {}
    )
    status = expected[USERS.index(who)]
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=")
    if status in (403, 404) or who == "other_mission":
        assert _declarations(declared) == before, "a refused request changed something"


@pytest.mark.parametrize(
    ("url", "expected"), DECLARATION_PAGES, ids=[p[0] for p in DECLARATION_PAGES]
)
@pytest.mark.parametrize("who", USERS)
def test_each_user_gets_the_expected_declarations_page(declared, url, expected, who):
    client = Client()
    if declared["users"][who]:
        client.force_login(declared["users"][who])
    before = _declarations(declared)
    response = client.get(url.format(pk=declared["declaration"].pk))
    assert response.status_code == expected[USERS.index(who)]
    assert _declarations(declared) == before


@pytest.mark.parametrize(
    ("name", "url", "data", "expected"), DECLARATION_MATRIX, ids=[m[0] for m in DECLARATION_MATRIX]
)
def test_every_mutating_url_of_the_declarations_needs_the_csrf_token(
    declared, name, url, data, expected
):
    client = Client(enforce_csrf_checks=True)
    user = "mission" if "mission/" in url else "depositary"
    client.force_login(declared["users"][user])
    response = client.post(
        url.format(pk=declared["declaration"].pk), data(declared) if data else {}
    )
    assert response.status_code == 403
    assert b"CSRF" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/mission/declarations/validate/",
        "/mission/declarations/{pk}/withdraw/",
        "/depositary/declarations/{pk}/reject/",
        "/depositary/declarations/validate/",
    ],
)
def test_what_changes_a_declaration_is_never_a_get(declared, url):
    client = Client()
    client.force_login(declared["users"]["administrator"])
    assert client.get(url.format(pk=declared["declaration"].pk)).status_code == 405
