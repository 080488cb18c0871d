"""The one test of the shipped status: what fixtures/hanoi_status.csv says, the tracker shows.

Every number expected here is computed from the files themselves, with the csv
module and the treaty's clauses from treaties.json, so that updating the status
file, the operators' routine job (fixtures/README.md), needs no change to any
test. Every other test states its own cast (tests/factories.py, the
`empty_record` fixture) or derives what it expects from the data.
"""

import calendar
import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils.html import escape

from declarations.models import Declaration
from ratifications.management.commands.load_defaults import (
    DECLARATION_FILES,
    FIXTURES,
    REPORT_FILES,
    STATUS_FILES,
)
from ratifications.models import Action
from ratifications.rules import today_in_new_york
from reports.models import Report
from states.models import match_key

SLUG = "hanoi-convention"
STATUS_FILE = FIXTURES / STATUS_FILES[SLUG]
REPORTS_FILE = FIXTURES / REPORT_FILES[SLUG]
CLAUSES = next(
    item["fields"]
    for item in json.loads((FIXTURES / "treaties.json").read_text(encoding="utf-8"))
    if item["fields"]["slug"] == SLUG
)
INSTRUMENTS = {
    "ratification",
    "acceptance",
    "approval",
    "accession",
    "succession",
    "formal_confirmation",
}


def participants() -> dict[str, tuple[str, str]]:
    """(ISO alpha-3 code, kind) by every name, code and alias a file may use."""
    found = {}
    for item in json.loads((FIXTURES / "participants.json").read_text(encoding="utf-8")):
        fields = item["fields"]
        for name in (fields["name"], fields["iso3"], *fields["aliases"]):
            found[match_key(name)] = (fields["iso3"], fields["kind"])
    return found


def status_rows() -> list[tuple[dt.date, str, str, str]]:
    """(date, ISO alpha-3 code, kind of participant, action) for each row, in date order."""
    names = participants()
    rows = []
    with STATUS_FILE.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            iso3, kind = names[match_key(row["participant"])]
            action = row["action"].strip().lower().replace(" ", "_").replace("-", "_")
            rows.append((dt.date.fromisoformat(row["date"].strip()), iso3, kind, action))
    # Within a day, a signature before an instrument before a denunciation.
    order = {"signature": 0, **dict.fromkeys(INSTRUMENTS, 1), "denunciation": 2}
    return sorted(rows, key=lambda row: (row[0], order.get(row[3], 3)))


ROWS = status_rows()


def months_later(day: dt.date, months: int) -> dt.date:
    years, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def counts_as_of(as_of: dt.date) -> dict:
    """Signatories, Parties and instruments counted at the end of a day (DOMAIN.md)."""
    signed, instrument, denounced = set(), {}, {}
    for day, iso3, kind, action in ROWS:
        if day > as_of:
            break
        if action == "signature":
            signed.add(iso3)
        elif action in INSTRUMENTS:
            instrument[iso3] = (kind, action)
            denounced.pop(iso3, None)
        elif action == "denunciation" and iso3 in instrument:
            denounced[iso3] = months_later(day, CLAUSES["denunciation_months"])
    parties = {p for p in instrument if not (p in denounced and denounced[p] <= as_of)}
    counted = [
        p
        for p in parties
        if (instrument[p][0] != "reio" or CLAUSES["reio_instruments_count"])
        and instrument[p][1] != "formal_confirmation"
    ]
    return {
        "signatories": len(signed),
        "parties": len(parties),
        "instruments_counted": len(counted),
        "remaining": max(0, CLAUSES["threshold"] - len(counted)),
    }


def expected_status(as_of: dt.date) -> dict:
    """What the status API must say as of a day, from the status file alone."""
    days = sorted({row[0] for row in ROWS if row[0] <= as_of})
    reached = next(
        (d for d in days if counts_as_of(d)["instruments_counted"] >= CLAUSES["threshold"]), None
    )
    entry_into_force = reached + dt.timedelta(CLAUSES["entry_into_force_days"]) if reached else None
    return {
        "as_of": as_of.isoformat(),
        "data_as_of": days[-1].isoformat() if days else None,
        **counts_as_of(as_of),
        "threshold_reached_on": reached.isoformat() if reached else None,
        "entry_into_force": entry_into_force.isoformat() if entry_into_force else None,
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# The day before the first action, each day the file names, and today.
DAYS = sorted({*(row[0] - dt.timedelta(days=1) for row in ROWS[:1]), *(row[0] for row in ROWS)})


def test_load_defaults_records_every_row_of_the_status_file(defaults):
    assert f"{STATUS_FILE.name}: 0 actions added, 0 updated, {len(ROWS)} unchanged" in run(
        "load_defaults"
    )
    assert Action.objects.verified().for_treaty(defaults).count() == len(ROWS)


@pytest.mark.parametrize("as_of", [*DAYS, None], ids=str)
def test_the_status_api_and_command_say_what_the_status_file_says(client, defaults, as_of):
    as_of = as_of or today_in_new_york()
    served = client.get(f"/api/v1/treaties/{SLUG}/status", {"as_of": as_of.isoformat()}).json()
    expected = expected_status(as_of)
    assert {key: served[key] for key in expected} == expected
    printed = run("treaty_status", SLUG, "--as-of", as_of.isoformat(), "--json")
    assert json.loads(printed) == served


def test_the_status_api_lists_everyone_the_status_file_names(client, defaults):
    served = client.get(f"/api/v1/treaties/{SLUG}/status").json()
    assert {p["iso3"] for p in served["participants"]} == {row[1] for row in ROWS}


def test_the_dashboard_shows_the_status_file_as_of_today(client, defaults):
    expected = expected_status(today_in_new_york())
    page = client.get("/").content.decode()
    assert f'<span class="num">{expected["signatories"]}</span> signator' in page
    counted, threshold = expected["instruments_counted"], CLAUSES["threshold"]
    assert f'<progress value="{counted}" max="{threshold}"' in page
    if expected["data_as_of"]:
        newest = dt.date.fromisoformat(expected["data_as_of"])
        assert f"Newest verified action: {newest.day} {newest:%B %Y}." in page
    else:
        assert "No verified action yet." in page


# The shipped reports: shown with their sources, never counted


def shipped_reports() -> list[dict[str, str]]:
    names = participants()
    with REPORTS_FILE.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    for row in rows:
        row["iso3"] = names[match_key(row["participant"])][0]
    return rows


REPORTS = shipped_reports()


def test_load_defaults_records_every_report_of_the_reports_file(defaults):
    out = run("load_defaults")
    assert f"{REPORTS_FILE.name}: 0 reports added, 0 updated, {len(REPORTS)} unchanged" in out
    found = Report.objects.for_treaty(defaults).values_list("participant__iso3", "kind", "source")
    assert sorted(found) == sorted((r["iso3"], r["kind"], r["source"]) for r in REPORTS)


@pytest.mark.parametrize("iso3", sorted({row["iso3"] for row in REPORTS}))
def test_each_shipped_report_is_on_its_participants_page_with_its_source(client, defaults, iso3):
    page = client.get(f"/participants/{iso3}/").content.decode()
    assert "Reported, not yet recorded by the depositary" in page
    for row in REPORTS:
        if row["iso3"] == iso3:
            source = row["source"]
            assert f'<a href="{source}" rel="nofollow noopener"><bdi>{source}</bdi></a>' in page
            assert escape(row["summary"]) in page


def test_the_shipped_reports_change_no_count(client, defaults):
    served = client.get(f"/api/v1/treaties/{SLUG}/status").json()
    expected = expected_status(today_in_new_york())
    assert {key: served[key] for key in expected} == expected
    assert "report" not in json.dumps(served)


DECLARATIONS_FILE = FIXTURES / DECLARATION_FILES[SLUG]


def test_every_shipped_declaration_is_recorded_as_its_file_says(client, defaults):
    with DECLARATIONS_FILE.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    names = participants()
    recorded = Declaration.objects.verified().for_treaty(defaults).select_related("participant")
    found = {
        (r.ref, r.participant.iso3, r.kind, r.made, r.date.isoformat(), r.articles, r.text)
        for r in recorded
    }
    assert found == {
        (
            row["ref"],
            names[match_key(row["participant"])][0],
            row["kind"],
            row["made"],
            row["date"],
            row["articles"],
            row["text"],
        )
        for row in rows
    }
    assert all(r.source for r in recorded)
    # Each on the page of its first article, its text said to be missing when it is.
    for record in recorded:
        article = record.articles.split("(")[0].split(";")[0].strip()
        page = client.get(f"/treaties/{SLUG}/articles/{article}/").content.decode()
        assert escape(record.participant.name) in page
        if not record.text:
            assert "The text is not yet available." in page
