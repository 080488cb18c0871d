"""Standalone declarations live in the workspaces: CSV files have no column for their text."""

import datetime as dt
import io

from django.core.management import call_command

from ratifications.importing import plan_import
from ratifications.models import Action
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory


def test_a_declaration_row_is_refused_with_a_message_saying_where_to_record_it(defaults):
    plan = plan_import("participant,action,date\nViet Nam,declaration,2026-01-05\n", defaults)
    assert [str(e) for e in plan.errors] == [
        "line 2: a declaration cannot be imported: the file has no column for its text. "
        "Record it in the depositary workspace."
    ]


def test_export_leaves_declarations_out_so_the_file_imports_again(viet_nam_signed, tmp_path):
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
    Action.objects.create(
        treaty=viet_nam_signed,
        participant=viet_nam,
        kind=ActionKind.DECLARATION,
        date=dt.date(2025, 10, 25),
        declarations="Under article 2, ...",
        review=Action.Review.VERIFIED,
        reviewed_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC),
    )
    path = tmp_path / "out.csv"
    call_command("export_actions", "--treaty", "hanoi-convention", str(path), stdout=io.StringIO())
    assert "declaration" not in path.read_text(encoding="utf-8")
    assert plan_import(path, viet_nam_signed).ok


def test_a_file_listing_a_signature_after_the_same_days_ratification_imports(empty_record):
    ActionFactory(treaty=empty_record, participant=Participant.objects.get(iso3="CHL"))
    text = (
        "participant,action,date\n"
        "Chile,ratification,2026-02-01\n"
        "Canada,ratification,2026-02-01\n"
        "Canada,signature,2026-02-01\n"
    )
    plan = plan_import(text, empty_record)
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.new) == 3
