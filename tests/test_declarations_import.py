"""Files of declarations: read and checked as the actions' are (line errors, all or nothing),
and export then import gives back the same records."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from declarations.importing import COLUMNS, plan_declarations
from declarations.models import Declaration, Provision
from declarations.rules import Kind, Made, Subject
from ratifications.models import Revision
from states.models import Participant
from tests.factories import ActionFactory, DeclarationFactory

HEADER = ",".join(COLUMNS)
SOURCE = "Netherlands treaty database"


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def signed(empty_record):
    """Azerbaijan and France signed the Hanoi Convention on 25 October 2025."""
    for iso3 in ("AZE", "FRA"):
        ActionFactory(
            treaty=empty_record,
            participant=Participant.objects.get(iso3=iso3),
            date=dt.date(2025, 10, 25),
        )
    return empty_record


def test_a_file_of_reservations_is_checked_then_recorded_as_verified_once(signed, tmp_path):
    path = tmp_path / "declarations.csv"
    path.write_text(
        f"{HEADER}\n"
        f"aze-63,Azerbaijan,reservation,signature,2025-10-25,63(3),,,,,,,,{SOURCE},\n"
        "fra-obj,France,objection,later,2026-02-01,63(3),aze-63,,,fr,\"Objection, 'en entier'\","
        "France objects.,C.N.5.2026.TREATIES-XVIII.16,,\n",
        encoding="utf-8",
    )
    assert run("import_declarations", str(path), "--treaty", "hanoi-convention", "--dry-run") == (
        "Dry run: 2 to add, 0 already there; nothing written.\n"
    )
    assert not Declaration.objects.exists()
    before = Revision.current().number
    assert run("import_declarations", str(path), "--treaty", "hanoi-convention") == (
        "2 added, 0 already there.\n"
    )
    assert Revision.current().number == before + 1
    objection = Declaration.objects.get(ref="fra-obj")
    assert (objection.review, objection.answers.ref, objection.text) == (
        "verified",
        "aze-63",
        "Objection, 'en entier'",
    )
    assert list(Provision.objects.order_by("pk").values_list("article", "paragraph")) == [
        (63, 3),
        (63, 3),
    ]
    assert objection.history.get().history_change_reason == "import"
    assert run("import_declarations", str(path), "--treaty", "hanoi-convention") == (
        "0 added, 2 already there.\n"
    )


def test_every_error_has_its_line_and_nothing_is_written(signed, tmp_path):
    text = (
        f"{HEADER}\n"
        "aze-1,Azerbaijan,reservation,signature,2025-10-25,63(3,,,,,,,,,\n"
        "aze-2,Atlantis,reservation,signature,2025-10-25,,,,,,,,,,\n"
        "aze-3,Azerbaijan,reservation,whenever,2025-10-25,,,,,,,,,,\n"
        "aze-4,Azerbaijan,reservation,instrument,2025-10-25,,,,,,,,,,\n"
        "aze-5,Azerbaijan,objection,later,2026-01-01,,nowhere,,,,,,,,\n"
        "aze-6,Azerbaijan,declaration,later,2026-01-01,,,,Ministry,,,,,,\n"
        "aze-7,Azerbaijan,notification,later,2026-01-01,,,,,,,,,,\n"
        "aze-1,Azerbaijan,declaration,later,2026-01-02,,,,,,,,,,\n"
        "bad ref,Azerbaijan,declaration,later,2026-01-02,,,,,,,,,,\n"
        "aze-8,Azerbaijan,declaration,later,2026-02-30,,,,,,,,,,\n"
        "aze-9,Azerbaijan,declaration,later,2026-01-02,,,,,en,Text,Text,,,\n"
        "aze-10,Azerbaijan\n"
        "aze-11,Azerbaijan,withdrawal,later,2026-01-02,,,,,,,,,,\n"
    )
    plan = plan_declarations(text, signed)
    assert [str(error) for error in plan.errors] == [
        "line 2: '63(3' is not an article: write each as 63, 63(3) or 46(4)(b), separated by "
        "semicolons.",
        "line 3: unknown participant 'Atlantis': use its ISO alpha-3 code, UN name or a known "
        "alias.",
        "line 4: made 'whenever' is not one of signature, instrument, later.",
        "line 5: Azerbaijan: This participant has deposited no instrument: nothing is made upon "
        "one.",
        "line 6: answers 'nowhere', which is neither a verified record of this treaty nor a "
        "row of the file.",
        "line 7: only a notification has authority.",
        "line 8: a notification says what it notifies: subject, one of mutual_legal_assistance, "
        "point_of_contact, extradition_authority, extradition_basis, other.",
        "line 9: ref 'aze-1' is already on line 2.",
        "line 10: ref 'bad ref': up to 80 letters, digits, dots, hyphens and underscores, "
        "beginning with a letter or a digit.",
        "line 11: bad date '2026-02-30': 30 February 2026 does not exist; February 2026 has 28 "
        "days.",
        "line 12: the text is in English: text_english stays empty.",
        "line 13: expected 15 values, found 2.",
        "line 14: kind 'withdrawal' names the ref of what it answers (answers).",
    ]
    with pytest.raises(ValueError):
        plan.apply()
    path = tmp_path / "wrong.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"13 error\(s\) in .*; nothing was imported"):
        run("import_declarations", str(path), "--treaty", "hanoi-convention")
    assert not Declaration.objects.exists()


def test_a_row_whose_ref_is_recorded_otherwise_is_a_conflict(signed):
    DeclarationFactory(
        treaty=signed,
        participant=Participant.objects.get(iso3="AZE"),
        ref="aze-63",
        articles="63(3)",
    )
    text = f"{HEADER}\naze-63,Azerbaijan,reservation,signature,2025-10-25,7(2),,,,,,,,,\n"
    assert [str(e) for e in plan_declarations(text, signed).errors] == [
        "line 2: ref 'aze-63' is recorded with another articles ('63(3)')."
    ]


def test_a_withdrawal_in_the_file_of_a_reservation_already_withdrawn_is_refused(signed):
    azerbaijan = Participant.objects.get(iso3="AZE")
    reservation = DeclarationFactory(treaty=signed, participant=azerbaijan, ref="aze-63")
    DeclarationFactory(
        treaty=signed,
        participant=azerbaijan,
        kind=Kind.WITHDRAWAL,
        made=Made.LATER,
        date=dt.date(2026, 3, 1),
        answers=reservation,
    )
    text = f"{HEADER}\naze-w,Azerbaijan,withdrawal,later,2026-04-01,,aze-63,,,,,,,,\n"
    assert [str(e) for e in plan_declarations(text, signed).errors] == [
        "line 2: Azerbaijan: This was already withdrawn on 1 March 2026."
    ]


def records() -> list[dict]:
    return list(
        Declaration.objects.order_by("ref").values(
            "ref",
            "treaty__slug",
            "participant__iso3",
            "kind",
            "made",
            "date",
            "articles",
            "answers__ref",
            "subject",
            "authority",
            "contact_name",
            "contact_telephone",
            "contact_email",
            "language",
            "text",
            "text_english",
            "notification",
            "source",
            "note",
            "review",
        )
    )


@pytest.mark.parametrize("contacts", [True, False])
def test_export_then_import_reproduces_the_same_records(signed, tmp_path, contacts):
    azerbaijan, france = (Participant.objects.get(iso3=code) for code in ("AZE", "FRA"))
    reservation = DeclarationFactory(
        treaty=signed,
        participant=azerbaijan,
        articles="7(2); 63(3)",
        language="ru",
        text="=Оговорка\nвторая строка, «в кавычках»",
        text_english='-A reservation, "quoted"',
        note="@note",
        source="+source",
        notification="C.N.1.2025.TREATIES-XVIII.16",
    )
    DeclarationFactory(
        treaty=signed,
        participant=france,
        kind=Kind.OBJECTION,
        made=Made.LATER,
        date=dt.date(2026, 2, 1),
        answers=reservation,
    )
    DeclarationFactory(
        treaty=signed,
        participant=azerbaijan,
        kind=Kind.WITHDRAWAL,
        made=Made.LATER,
        date=dt.date(2026, 6, 1),
        answers=reservation,
        language="en",
        text="Withdrawn.",
    )
    DeclarationFactory(
        treaty=signed,
        participant=azerbaijan,
        kind=Kind.NOTIFICATION,
        articles="41(1)",
        subject=Subject.POINT_OF_CONTACT,
        authority="State Security Service",
        contact_name="Ms Contact",
        contact_telephone="+994 12 555 0199",
        contact_email="contact@example.az",
    )
    before = records()
    path = tmp_path / "declarations.csv"
    options = ["--contacts"] if contacts else []
    assert run("export_declarations", "--treaty", signed.slug, str(path), *options) == (
        f"4 declarations written to {path}.\n"
    )
    exported = path.read_text(encoding="utf-8")
    assert ("contact@example.az" in exported) == contacts
    Provision.objects.all().delete()
    Declaration.objects.filter(answers__isnull=False).delete()
    Declaration.objects.all().delete()
    assert run("import_declarations", str(path), "--treaty", signed.slug) == (
        "4 added, 0 already there.\n"
    )
    after = records()
    if not contacts:
        for record in before:
            record.update(contact_name="", contact_telephone="", contact_email="")
    assert after == before
    # The public CSV is the same file, without the contacts.
    public = io.StringIO()
    call_command("export_declarations", "--treaty", signed.slug, stdout=public)
    assert "contact@example.az" not in public.getvalue()


def test_the_public_csv_imports_into_another_database_as_it_is(client, signed):
    azerbaijan = Participant.objects.get(iso3="AZE")
    DeclarationFactory(treaty=signed, participant=azerbaijan, articles="63(3)", ref="aze-63")
    text = client.get("/api/v1/treaties/hanoi-convention/declarations.csv").content
    plan = plan_declarations(text, signed)
    assert plan.ok and [row.ref for row in plan.already_there] == ["aze-63"]


def test_the_actions_file_still_refuses_a_declaration_pointing_to_its_own_import(signed):
    from ratifications.importing import plan_import

    plan = plan_import("participant,action,date\nAzerbaijan,reservation,2025-10-25\n", signed)
    assert "import it with the declarations (import_declarations)" in str(next(iter(plan.errors)))
