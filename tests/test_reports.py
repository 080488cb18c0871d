"""Reports: what governments and the press report before the depositary records it. Shown with
their sources, in the open data as their own files, never counted; a report leaves the
"reported" list once the depositary records what it reports."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from ratifications.importing import plan_import
from ratifications.models import Action, Revision
from ratifications.rules import ActionKind, today_in_new_york
from reports.models import Report, reported_not_deposited
from states.models import Participant
from tests.factories import (
    ActionFactory,
    DepositaryStaffFactory,
    MissionStaffFactory,
    SubmissionFactory,
)


def state(iso3: str) -> Participant:
    return Participant.objects.get(iso3=iso3)


def report(treaty, iso3="VNM", kind=Report.Kind.DOMESTIC_APPROVAL_BY_PARLIAMENT, **fields):
    values = {
        "date": dt.date(2026, 2, 10),
        "summary": "The National Assembly approved the Convention.",
        "source": "https://example.org/news/1",
        **fields,
    }
    return Report.objects.create(treaty=treaty, participant=state(iso3), kind=kind, **values)


# What is counted apart


def test_reported_not_deposited_counts_the_participants_with_a_step_toward_an_instrument(
    empty_record,
):
    report(empty_record, "AZE", Report.Kind.DOMESTIC_APPROVAL_BY_PARLIAMENT)
    report(empty_record, "AZE", Report.Kind.DOMESTIC_LAW_SIGNED)
    report(empty_record, "RUS", Report.Kind.DOMESTIC_STATEMENT)
    assert len(reported_not_deposited(empty_record)) == 2
    # A reservation or a designation alone is no step toward an instrument.
    report(empty_record, "BRA", Report.Kind.RESERVATION)
    report(empty_record, "CHL", Report.Kind.DESIGNATION_NATIONAL)
    assert len(reported_not_deposited(empty_record)) == 2
    report(empty_record, "BRA", Report.Kind.INSTRUMENT)
    assert len(reported_not_deposited(empty_record)) == 3


def test_a_report_shows_its_kind_date_and_kind_of_source_on_the_participant_page(
    client, empty_record
):
    report(empty_record, "AZE", articles="7(2); 9(2)")
    report(empty_record, "AZE", Report.Kind.RESERVATION, confidence="press")
    page = client.get("/participants/AZE/").content.decode()
    assert "<strong>Approved by parliament</strong> (<bdi>7(2); 9(2)</bdi>)" in page
    assert '<time datetime="2026-02-10">10 February 2026</time>' in page
    assert "The National Assembly approved the Convention." in page
    assert '<span class="badge confidence-press">Press report</span>' in page
    assert '<span class="badge confidence-government">Government source</span>' in page


def test_reports_change_no_count_toward_entry_into_force(client, viet_nam_signed):
    url = "/api/v1/treaties/hanoi-convention/status"
    without = client.get(url).json()
    report(viet_nam_signed, "VNM", Report.Kind.INSTRUMENT)
    report(viet_nam_signed, "AZE", Report.Kind.DOMESTIC_INSTRUMENT_DEPOSITED)
    assert client.get(url).json() == without


def test_loading_the_defaults_again_mends_a_changed_report(defaults):
    shipped = Report.objects.first()
    summary = shipped.summary
    Report.objects.filter(pk=shipped.pk).update(summary="Edited")
    out = io.StringIO()
    call_command("load_defaults", stdout=out)
    assert f"reports added, 1 updated, {Report.objects.count() - 1} unchanged" in out.getvalue()
    shipped.refresh_from_db()
    assert shipped.summary == summary


def test_a_broken_reports_file_loads_nothing(defaults, tmp_path):
    from tests.test_load_defaults import FIXTURES

    directory = tmp_path / "fixtures"
    directory.mkdir()
    for path in FIXTURES.iterdir():
        (directory / path.name).write_bytes(path.read_bytes())
    shipped = directory / "hanoi_reports_2026.csv"
    lines = len(shipped.read_text(encoding="utf-8").splitlines())
    with shipped.open("a", encoding="utf-8") as stream:
        stream.write("Atlantis,domestic_statement,2026-01-01,,Said so,press,https://x.org\n")
        stream.write("CAN,rumour,2026-13-01,,Said so,blog,\n")
    Report.objects.all().delete()
    with pytest.raises(CommandError) as refused:
        call_command("load_defaults", "--fixtures", str(directory), stdout=io.StringIO())
    message = str(refused.value)
    assert message.startswith("hanoi_reports_2026.csv is not valid; nothing was loaded:\n")
    assert f"line {lines + 1}: participant: unknown participant 'Atlantis'" in message
    assert f"line {lines + 2}: " in message
    assert "kind: Value 'rumour' is not a valid choice." in message
    assert "confidence: Value 'blog' is not a valid choice." in message
    assert "source: This field cannot be blank." in message
    assert not Report.objects.exists()


# A report and the action that records it


def test_a_report_leaves_the_reported_list_once_the_depositary_verifies_the_instrument(
    viet_nam_signed,
):
    treaty = viet_nam_signed
    approval = report(treaty, "VNM")
    report(treaty, "VNM", Report.Kind.RESERVATION)
    assert len(reported_not_deposited(treaty)) == 1
    ratification = SubmissionFactory(
        treaty=treaty,
        participant=state("VNM"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 3),
    )
    ratification.verify(DepositaryStaffFactory())
    assert len(reported_not_deposited(treaty)) == 0
    reports = {r.kind: r.recorded for r in Report.objects.with_recorded()}
    assert reports == {approval.kind: ratification, "reservation": None}
    # Undone, the verification no longer records it: it is reported again.
    ratification.undo(DepositaryStaffFactory(), "Verified by mistake")
    assert len(reported_not_deposited(treaty)) == 1


def test_a_report_is_recorded_by_an_import_too(viet_nam_signed):
    report(viet_nam_signed, "VNM")
    plan = plan_import("participant,action,date\nVNM,ratification,2026-03-03\n", viet_nam_signed)
    plan.apply()
    assert len(reported_not_deposited(viet_nam_signed)) == 0


def test_a_domestic_step_is_recorded_only_by_an_instrument_on_or_after_it(viet_nam_signed):
    ActionFactory(
        treaty=viet_nam_signed,
        participant=state("VNM"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 1, 5),
    )
    # A step toward the next instrument, after a first one (a denunciation, say).
    later = report(viet_nam_signed, "VNM", date=dt.date(2026, 2, 10))
    signature = report(viet_nam_signed, "VNM", Report.Kind.SIGNATURE, date=dt.date(2025, 10, 27))
    recorded = {r.pk: r.recorded for r in Report.objects.with_recorded()}
    assert recorded[later.pk] is None
    assert recorded[signature.pk].kind == ActionKind.SIGNATURE


def test_a_report_recorded_since_shows_the_action_on_the_participant_page(client, viet_nam_signed):
    report(viet_nam_signed, "VNM", Report.Kind.SIGNATURE, date=dt.date(2025, 10, 26))
    page = client.get("/participants/VNM/").content.decode()
    assert "1 earlier report, since recorded by the depositary" in page
    assert "Since recorded by the depositary: Signature of 25 October 2025." in page
    assert "Reported, not yet recorded" not in page


def test_a_new_report_is_on_the_public_page_at_once(client, viet_nam_signed):
    assert "Reported, not yet" not in client.get("/participants/VNM/").content.decode()
    before = Revision.current().number
    report(viet_nam_signed, "VNM")
    assert Revision.current().number > before
    assert "Reported, not yet" in client.get("/participants/VNM/").content.decode()


def test_a_source_that_is_not_a_web_address_is_never_a_link(client, viet_nam_signed):
    report(viet_nam_signed, "VNM", source="javascript:alert(1)")
    page = client.get("/participants/VNM/").content.decode()
    assert "<bdi>javascript:alert(1)</bdi>" in page
    assert 'href="javascript' not in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (today_in_new_york() + dt.timedelta(days=1), "not a date after today"),
        (dt.date(2024, 1, 1), "The treaty was adopted on 24 December 2024."),
    ],
)
def test_a_report_is_of_a_day_between_the_adoption_and_today(viet_nam_signed, day, message):
    with pytest.raises(Exception) as refused:
        Report(
            treaty=viet_nam_signed,
            participant=state("VNM"),
            kind=Report.Kind.DOMESTIC_STATEMENT,
            date=day,
            summary="Said so.",
            source="https://example.org/",
        ).full_clean()
    assert message in str(refused.value)


# The workspaces


@pytest.fixture
def viet_nams_mission(viet_nam_signed):
    return MissionStaffFactory(username="mission-vnm", missions=[state("VNM")])


def report_form(treaty, iso3="VNM", **fields):
    return {
        "participant": state(iso3).pk,
        "treaty": treaty.pk,
        "kind": "domestic_before_parliament",
        "date": "2026-02-01",
        "summary": "The bill is before the National Assembly.",
        "source": "https://example.org/assembly",
        "confidence": "government",
        **fields,
    }


def test_a_mission_reports_its_states_step_and_sees_it_in_its_workspace(
    client, viet_nam_signed, viet_nams_mission
):
    client.force_login(viet_nams_mission)
    assert client.get("/mission/reports/new/").status_code == 200
    response = client.post("/mission/reports/new/", report_form(viet_nam_signed), follow=True)
    saved = Report.objects.get()
    assert (saved.kind, saved.reported_by, saved.participant.iso3) == (
        "domestic_before_parliament",
        viet_nams_mission,
        "VNM",
    )
    assert saved.history.get().history_change_reason == "reported"
    assert "Reported: Viet Nam: Before parliament, 1 February 2026." in response.content.decode()
    assert "The bill is before the National Assembly." in response.content.decode()


def test_a_mission_cannot_report_another_states_step(client, viet_nam_signed, viet_nams_mission):
    client.force_login(viet_nams_mission)
    response = client.post("/mission/reports/new/", report_form(viet_nam_signed, "KEN"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


def test_a_report_with_errors_is_shown_again_with_each_error_in_place(
    client, viet_nam_signed, viet_nams_mission
):
    client.force_login(viet_nams_mission)
    data = report_form(viet_nam_signed, summary="", date="2031-01-01")
    response = client.post("/mission/reports/new/", data, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert content.startswith('\n<form id="report-form"')
    assert "<html" not in content
    assert "not a date after today" in content and "This field is required." in content
    assert 'value="https://example.org/assembly"' in content
    assert not Report.objects.exists()


def test_a_mission_withdraws_its_report_and_the_history_keeps_it(
    client, viet_nam_signed, viet_nams_mission
):
    saved = report(viet_nam_signed, "VNM")
    client.force_login(viet_nams_mission)
    response = client.post(f"/mission/reports/{saved.pk}/withdraw/")
    assert response.status_code == 302
    assert not Report.objects.exists()
    withdrawn = Report.history.get(history_type="-")
    assert withdrawn.history_user == viet_nams_mission


def test_the_depositary_records_a_report_of_any_participant_and_lists_it(client, empty_record):
    depositary = DepositaryStaffFactory()
    client.force_login(depositary)
    response = client.post(
        "/depositary/reports/new/", report_form(empty_record, "CAN", kind="signature"), follow=True
    )
    assert response.redirect_chain[-1][0] == "/depositary/reports/"
    content = response.content.decode()
    assert "1 report not recorded by the depositary" in content
    assert "Signature reported" in content
    assert Report.objects.get().reported_by == depositary


# Open data


def test_the_reports_csv_lists_every_report_with_what_records_it(client, viet_nam_signed):
    report(viet_nam_signed, "VNM", Report.Kind.SIGNATURE, summary="=HYPERLINK(1)")
    report(viet_nam_signed, "AZE", Report.Kind.RESERVATION, articles="7(2)")
    response = client.get("/api/v1/treaties/hanoi-convention/reports.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="hanoi-convention-reports.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        [
            "participant",
            "iso3",
            "kind",
            "date",
            "articles",
            "summary",
            "confidence",
            "source",
            "recorded_action",
            "recorded_date",
        ],
        [
            "Azerbaijan",
            "AZE",
            "reservation",
            "2026-02-10",
            "7(2)",
            "The National Assembly approved the Convention.",
            "government",
            "https://example.org/news/1",
            "",
            "",
        ],
        [
            "Viet Nam",
            "VNM",
            "signature",
            "2026-02-10",
            "",
            "'=HYPERLINK(1)",
            "government",
            "https://example.org/news/1",
            "signature",
            "2025-10-25",
        ],
    ]


def test_the_reports_json_is_in_english_with_what_records_each(client, viet_nam_signed):
    report(viet_nam_signed, "VNM")
    response = client.get(
        "/api/v1/treaties/hanoi-convention/reports.json", headers={"Accept-Language": "fr"}
    )
    assert response.json() == {
        "treaty": "hanoi-convention",
        "reports": [
            {
                "participant": "Viet Nam",
                "iso3": "VNM",
                "kind": "domestic_approval_by_parliament",
                "date": "2026-02-10",
                "articles": "",
                "summary": "The National Assembly approved the Convention.",
                "confidence": "government",
                "source": "https://example.org/news/1",
                "recorded": None,
            }
        ],
    }


@pytest.mark.parametrize("name", ["reports.csv", "reports.json"])
def test_the_reports_files_refuse_parameters_and_unknown_treaties_in_json(
    client, viet_nam_signed, name
):
    response = client.get(f"/api/v1/treaties/hanoi-convention/{name}?as_of=2026-01-01")
    assert response.status_code == 400
    assert response.json() == {"error": "Unknown parameter as_of; this file takes none."}
    response = client.get(f"/api/v1/treaties/nope/{name}")
    assert response.status_code == 404
    assert response.json() == {"error": "No treaty 'nope'."}


def test_a_report_is_never_an_action(viet_nam_signed):
    report(viet_nam_signed, "VNM", Report.Kind.INSTRUMENT)
    assert Action.objects.count() == 1
    assert viet_nam_signed.status().status.instruments_counted == 0
