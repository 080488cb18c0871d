"""Export, then import into an empty database: the same actions, the same status."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from ratifications.importing import _neutralised, _unneutralised
from ratifications.models import Action
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, TreatyFactory

FIELDS = ["participant__iso3", "kind", "date", "place", "notification", "note", "source"]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(defaults):
    """A treaty old enough for every kind of action, denunciations and re-accession included."""
    treaty = TreatyFactory(
        slug="old-convention",
        adopted_on=dt.date(2000, 1, 1),
        signature_opens_on=dt.date(2000, 1, 1),
        signature_closes_on=dt.date(2001, 12, 31),
        threshold=3,
    )
    K = ActionKind
    rows = [
        ("FRA", K.SIGNATURE, "2000-03-01", {"place": "Paris"}),
        (
            "FRA",
            K.RATIFICATION,
            "2001-05-02",
            {
                "notification": "C.N.12.2001.TREATIES-X",
                "note": 'Declaration, "in full"\nwith a second line',
                "source": "UN Treaty Collection, status as at 1 June 2001",
            },
        ),
        ("FRA", K.DENUNCIATION, "2005-01-10", {}),
        ("FRA", K.ACCESSION, "2006-02-01", {"place": "New York"}),
        ("DEU", K.SIGNATURE, "2000-03-01", {}),
        ("DEU", K.ACCEPTANCE, "2001-06-01", {}),
        ("NLD", K.SIGNATURE, "2000-04-01", {}),
        ("NLD", K.APPROVAL, "2001-07-01", {}),
        ("SSD", K.SUCCESSION, "2012-07-01", {}),
        ("CHE", K.ACCESSION, "2003-01-01", {}),
        ("EUU", K.SIGNATURE, "2000-04-02", {}),
        ("EUU", K.FORMAL_CONFIRMATION, "2002-01-01", {}),
        ("EUU", K.DENUNCIATION, "2010-01-01", {"source": "Depositary notification"}),
        ("VNM", K.SIGNATURE, "2000-05-05", {"place": "Hà Nội"}),
    ]
    for iso3, kind, day, extra in rows:
        ActionFactory(
            treaty=treaty,
            participant=Participant.objects.get(iso3=iso3),
            kind=kind,
            date=dt.date.fromisoformat(day),
            **{"source": "Test", **extra},
        )
    assert set(Action.objects.filter(treaty=treaty).values_list("kind", flat=True)) == {
        kind.value for kind in ActionKind
    }
    return treaty


def statuses(treaty):
    return [
        treaty.status(day).as_json()
        for day in (dt.date(2001, 6, 15), dt.date(2005, 6, 1), dt.date(2011, 1, 1), None)
    ]


def test_every_kind_of_action_survives_export_and_import_into_an_empty_database(history, tmp_path):
    before_status = statuses(history)
    before_rows = set(Action.objects.filter(treaty=history).values_list(*FIELDS))
    path = tmp_path / "old.csv"
    assert "14 actions written" in run("export_actions", "--treaty", history.slug, str(path))

    Action.objects.filter(treaty=history).delete()
    output = run("import_actions", str(path), "--treaty", history.slug)
    assert "14 added, 0 already there." in output
    assert (
        "added: signature 5, ratification 1, acceptance 1, approval 1, accession 2, "
        "succession 1, formal_confirmation 1, denunciation 2"
    ) in output
    assert set(Action.objects.filter(treaty=history).values_list(*FIELDS)) == before_rows
    assert statuses(history) == before_status

    assert "0 added, 14 already there." in run(
        "import_actions", str(path), "--treaty", history.slug
    )


def test_the_export_names_participants_by_their_un_name_in_date_order(history):
    rows = list(csv.reader(io.StringIO(run("export_actions", "--treaty", history.slug))))
    assert rows[0] == ["participant", "action", "date", "place", "notification", "note", "source"]
    assert [row[0] for row in rows[1:4]] == ["France", "Germany", "Netherlands (Kingdom of the)"]
    assert rows[-2][:3] == ["European Union", "denunciation", "2010-01-01"]
    assert rows[-1][:3] == ["South Sudan", "succession", "2012-07-01"]


def test_an_empty_treaty_exports_a_header_that_imports_as_nothing(defaults, tmp_path):
    treaty = TreatyFactory(slug="empty")
    path = tmp_path / "empty.csv"
    assert "0 actions written" in run("export_actions", "--treaty", "empty", str(path))
    assert "0 added, 0 already there." in run("import_actions", str(path), "--treaty", "empty")
    assert treaty.status().as_json()["participants"] == []


FORMULAS = {
    "place": '=HYPERLINK("http://example.org","Click")',
    "notification": "@SUM(A1:A9)",
    "note": "-",
    "source": "+1 212 963 1234",
}


@pytest.fixture
def formulas(defaults):
    """Signatures whose free texts a spreadsheet would take for formulas, and one that is not."""
    treaty = TreatyFactory(slug="formulas")
    ActionFactory(treaty=treaty, participant=Participant.objects.get(iso3="FRA"), **FORMULAS)
    ActionFactory(
        treaty=treaty,
        participant=Participant.objects.get(iso3="DEU"),
        place="'=already quoted",
        note="'Tis a note",
        source="Depositary notification",
    )
    return treaty


def test_texts_that_look_like_formulas_go_out_neutralised(client, formulas):
    response = client.get("/api/v1/treaties/formulas/actions.csv")
    header, france, germany = list(csv.reader(io.StringIO(response.content.decode())))
    by_column = dict(zip(header, france, strict=True))
    assert {name: by_column[name] for name in FORMULAS} == {
        name: "'" + text for name, text in FORMULAS.items()
    }
    # Dates and codes are never touched.
    assert (by_column["participant"], by_column["action"], by_column["date"]) == (
        "France",
        "signature",
        "2025-10-25",
    )
    germany = dict(zip(header, germany, strict=True))
    assert (germany["place"], germany["note"]) == ("''=already quoted", "'Tis a note")
    assert run("export_actions", "--treaty", "formulas") == response.content.decode()


def test_neutralised_texts_come_back_exactly_on_import(formulas, tmp_path):
    before = set(Action.objects.filter(treaty=formulas).values_list(*FIELDS))
    path = tmp_path / "formulas.csv"
    run("export_actions", "--treaty", "formulas", str(path))
    Action.objects.filter(treaty=formulas).delete()
    assert "2 added, 0 already there." in run("import_actions", str(path), "--treaty", "formulas")
    assert set(Action.objects.filter(treaty=formulas).values_list(*FIELDS)) == before
    assert "0 added, 2 already there." in run("import_actions", str(path), "--treaty", "formulas")


@given(st.text())
def test_neutralising_a_text_is_undone_exactly_and_leaves_no_formula(text):
    cell = _neutralised(text)
    assert _unneutralised(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
