import csv
import datetime as dt
import io
import json
import re
import shutil

import pytest
from django.core.management import CommandError, call_command

from ratifications.management.commands.load_defaults import FIXTURES
from ratifications.models import Action, Treaty
from states.models import Participant
from tests.test_shipped_data import ROWS, STATUS_FILE

# Lines of the status file: its header, then a line a row (no value spans two).
STATUS_LINES = len(STATUS_FILE.read_text(encoding="utf-8").splitlines())


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_load_defaults_loads_participants_the_convention_and_its_verified_status(db):
    output = run("load_defaults")
    assert "participants.json: 198 added" in output
    assert f"hanoi_status.csv: {len(ROWS)} actions added" in output
    assert Participant.objects.count() == 198
    assert Participant.objects.get(iso3="EUU").members.count() == 27
    treaty = Treaty.objects.get(slug="hanoi-convention")
    assert (treaty.threshold, treaty.entry_into_force_days, treaty.signature_closes_on) == (
        40,
        90,
        dt.date(2026, 12, 31),
    )
    assert Action.objects.verified().for_treaty(treaty).count() == len(ROWS)


def test_running_load_defaults_again_changes_nothing(defaults):
    before = list(Action.objects.values_list("pk", "updated_at"))
    output = run("load_defaults")
    assert "participants.json: 0 added, 0 updated, 198 unchanged" in output
    assert "treaties.json: 0 added, 0 updated, 1 unchanged" in output
    assert f"hanoi_status.csv: 0 actions added, 0 updated, {len(ROWS)} unchanged" in output
    assert list(Action.objects.values_list("pk", "updated_at")) == before


def test_load_defaults_brings_a_changed_row_back_in_line_with_the_fixture(defaults):
    Participant.objects.filter(iso3="VNM").update(name="Vietnam (edited)")
    assert "1 updated" in run("load_defaults")
    assert Participant.objects.get(iso3="VNM").name == "Viet Nam"


def test_every_shipped_action_has_a_source(defaults):
    assert not Action.objects.filter(source="").exists()


def shipped_status() -> list[dict[str, str]]:
    with (FIXTURES / "hanoi_status.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_load_defaults_brings_a_changed_source_in_line_with_the_fixture(defaults):
    viet_nam = Action.objects.get(participant__iso3="VNM")
    shipped = viet_nam.source
    Action.objects.filter(pk=viet_nam.pk).update(source="newshour.media; inferred", place="")
    output = run("load_defaults")
    assert "hanoi_status.csv: 0 actions added, 1 updated, 72 unchanged" in output
    viet_nam.refresh_from_db()
    assert (viet_nam.source, viet_nam.place) == (shipped, "Hanoi")
    assert viet_nam.history.first().history_change_reason == "brought in line with hanoi_status.csv"
    # Once in line, it stays as it is.
    before = list(Action.objects.values_list("pk", "updated_at"))
    assert "hanoi_status.csv: 0 actions added, 0 updated, 73 unchanged" in run("load_defaults")
    assert list(Action.objects.values_list("pk", "updated_at")) == before


def test_a_database_loaded_with_the_old_working_notes_gets_the_citations(db, fixtures_dir):
    path = fixtures_dir / "hanoi_status.csv"
    rows = shipped_status()
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            {**row, "source": f"working note {n}; inferred"} for n, row in enumerate(rows)
        )
    run("load_defaults", "--fixtures", str(fixtures_dir))
    assert "hanoi_status.csv: 0 actions added, 73 updated, 0 unchanged" in run("load_defaults")
    assert sorted(Action.objects.values_list("participant__name", "source")) == sorted(
        (row["participant"], row["source"]) for row in rows
    )


# A citation: who published it, what (a title or a document symbol), where.
PUBLISHERS = (
    "United Nations Treaty Collection",
    "Ministry of Foreign Affairs of the Netherlands",
    "VOV World (Voice of Vietnam)",
    "Trend News Agency",
    "Solicitors Journal",
    "ABC Color (EFE)",
    "Diario Versión Final",
    "Cybercory",
)


@pytest.mark.parametrize("row", shipped_status(), ids=lambda row: row["participant"])
def test_every_shipped_source_is_a_citation_not_a_working_note(row):
    source = row["source"]
    publisher, *rest = source.split(", ")
    assert publisher in PUBLISHERS, f"{source!r} does not start with a known publisher"
    # A title or document symbol between the publisher and the address.
    assert len(rest) >= 2 and rest[0]
    assert re.fullmatch(r"https://[^\s,;]+", rest[-1]), f"{source!r} does not end with its URL"
    # Working notes: reasoning, caveats, lists of outlets.
    assert ";" not in source
    assert " / " not in source
    assert not re.search(r"inferred|count of|incl\.|verified|rows in", source, re.I)


def snapshot():
    """Everything load_defaults writes, to compare before and after a refused load."""
    return (
        list(Participant.objects.values_list("iso3", "name", "kind").order_by("iso3")),
        list(Treaty.objects.values_list("slug", "threshold").order_by("slug")),
        list(Action.objects.values_list("pk", "updated_at").order_by("pk")),
        Participant.history.count(),
    )


@pytest.fixture
def fixtures_dir(tmp_path):
    """A copy of the shipped fixtures, for a test to break."""
    directory = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, directory)
    return directory


def edit_participant(directory, code, **fields):
    path = directory / "participants.json"
    objects = json.loads(path.read_text(encoding="utf-8"))
    (item,) = [o for o in objects if o["fields"]["iso3"] == code]
    item["fields"].update(fields)
    path.write_text(json.dumps(objects, ensure_ascii=False), encoding="utf-8")


def test_load_defaults_reads_another_fixtures_directory(db, fixtures_dir):
    edit_participant(fixtures_dir, "VNM", aliases=["Vietnam", "Việt Nam"])
    assert "participants.json: 198 added" in run("load_defaults", "--fixtures", str(fixtures_dir))
    assert Participant.objects.get(iso3="VNM").aliases == ["Vietnam", "Việt Nam"]


def test_loaddata_loads_the_shipped_fixtures_into_an_empty_database_and_again(db):
    paths = [str(FIXTURES / "participants.json"), str(FIXTURES / "treaties.json")]
    for _ in range(2):
        call_command("loaddata", *paths, stdout=io.StringIO())
        assert Participant.objects.count() == 198
        assert Participant.objects.get(iso3="EUU").members.count() == 27
        assert Treaty.objects.get().slug == "hanoi-convention"
    assert "participants.json: 0 added, 0 updated, 198 unchanged" in run("load_defaults")


def test_loaddata_of_the_shipped_fixtures_over_load_defaults_changes_nothing(defaults):
    before = snapshot()[:3]
    call_command(
        "loaddata",
        str(FIXTURES / "participants.json"),
        str(FIXTURES / "treaties.json"),
        stdout=io.StringIO(),
    )
    assert snapshot()[:3] == before


@pytest.mark.parametrize("database", ["db", "defaults"], ids=["empty database", "full database"])
@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (
            lambda d: edit_participant(d, "VNM", iso3="vnm"),
            "participants.json, object 195 (Viet Nam) is not valid; nothing was loaded: new row "
            'for relation "states_participant" violates check constraint '
            '"participant_codes_upper_case"',
        ),
        (
            lambda d: edit_participant(d, "FRA", kind="empire"),
            "participants.json, object 64 (France) is not valid; nothing was loaded: Value "
            "'empire' is not a valid choice.",
        ),
        (
            lambda d: (d / "treaties.json").write_text('[{"model": "ratifications.treaty",'),
            "treaties.json is not valid; nothing was loaded:",
        ),
        (
            lambda d: (d / "hanoi_status.csv").open("a").write("Canada,signature,26/07/2026,,,,\n"),
            "hanoi_status.csv is not valid; nothing was loaded:\n"
            f"line {STATUS_LINES + 1}: bad date '26/07/2026': write YYYY-MM-DD.",
        ),
    ],
    ids=["constraint", "choice", "json", "status csv"],
)
def test_a_broken_fixture_leaves_the_database_as_it_was(
    db, request, fixtures_dir, database, breakage, message
):
    request.getfixturevalue(database)
    if database == "defaults":
        # A change the refused load would otherwise have undone.
        Participant.objects.filter(iso3="CHL").update(name="Chile (edited)")
    before = snapshot()
    breakage(fixtures_dir)
    with pytest.raises(CommandError) as refused:
        run("load_defaults", "--fixtures", str(fixtures_dir))
    assert str(refused.value).startswith(message)
    if "Viet Nam" in message:
        assert "participant_codes_upper_case" in str(refused.value)
    assert snapshot() == before
