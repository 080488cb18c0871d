import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ratifications.management.commands import import_actions
from ratifications.models import Action
from ratifications.rules import ActionKind, today_in_new_york
from states.models import Participant
from tests.factories import ActionFactory


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_treaty_status_prints_the_progress_as_of_a_date(viet_nam_signed):
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="MLI"),
        date=dt.date(2025, 10, 26),
    )
    output = run("treaty_status", "hanoi-convention", "--as-of", "2025-10-25")
    assert "As of 2025-10-25 (New York)" in output
    assert "Signatories: 1" in output
    assert "Instruments counted: 0 of 40 (40 more needed)" in output


def test_treaty_status_json_is_exactly_the_status_api(defaults):
    printed = json.loads(
        run("treaty_status", "hanoi-convention", "--as-of", "2025-10-26", "--json")
    )
    served = Client().get("/api/v1/treaties/hanoi-convention/status?as_of=2025-10-26").json()
    assert printed == served


def test_treaty_status_defaults_to_today_in_new_york(defaults):
    printed = json.loads(run("treaty_status", "hanoi-convention", "--json"))
    assert printed["as_of"] == today_in_new_york().isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("treaty_status", "no-such-treaty"), "No treaty 'no-such-treaty'"),
        (("treaty_status", "hanoi-convention", "--as-of", "25/10/2025"), "YYYY-MM-DD"),
    ],
)
def test_treaty_status_refuses_bad_arguments_plainly(defaults, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_export_then_import_into_an_empty_database_gives_the_same_status(defaults, tmp_path):
    Action.objects.create(
        treaty=defaults,
        participant=defaults.actions.first().participant,
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 3, 2),
        review=Action.Review.VERIFIED,
        reviewed_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC),
        notification="C.N.1.2026.TREATIES-XVIII.16",
        source="Depositary notification",
    )
    before = defaults.status().as_json()
    count = Action.objects.verified().for_treaty(defaults).count()
    path = tmp_path / "actions.csv"
    written = run("export_actions", "--treaty", "hanoi-convention", str(path))
    assert f"{count} actions written" in written

    Action.objects.all().delete()
    assert f"{count} added, 0 already there" in run(
        "import_actions", str(path), "--treaty", "hanoi-convention"
    )
    assert defaults.status().as_json() == before
    assert f"0 added, {count} already there" in run(
        "import_actions", str(path), "--treaty", "hanoi-convention"
    )


def test_import_dry_run_checks_and_writes_nothing(viet_nam_signed, tmp_path):
    path = tmp_path / "canada.csv"
    path.write_text(
        "participant,action,date,source\nCAN,signature,2026-07-15,Press release\n"
        "Viet Nam,signature,2025-10-25,\n",
        encoding="utf-8",
    )
    output = run("import_actions", str(path), "--treaty", "hanoi-convention", "--dry-run")
    assert output == (
        "Dry run: 1 to add, 1 already there; nothing written.\n  to add: signature 1\n"
    )
    assert not Action.objects.filter(participant__iso3="CAN").exists()


def test_import_refuses_an_unknown_treaty_naming_the_known_ones(defaults, tmp_path):
    with pytest.raises(CommandError, match=r"No treaty 'hanoi' \(known: hanoi-convention\)"):
        run("import_actions", str(tmp_path / "any.csv"), "--treaty", "hanoi")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def import_with_progress(path, stderr):
    # Made as manage.py makes it, so that stderr has its terminal style (errors in red).
    command = import_actions.Command(stderr=stderr, force_color=True)
    call_command(command, str(path), "--treaty", "hanoi-convention", stdout=io.StringIO())
    return stderr.getvalue()


@pytest.fixture
def long_file(tmp_path, monkeypatch):
    """A file the command counts as long: any file, once the threshold is lowered."""
    monkeypatch.setattr(import_actions, "PROGRESS_FROM_BYTES", 10)
    path = tmp_path / "long.csv"
    path.write_text("participant,action,date\nCAN,signature,2026-07-15\n", encoding="utf-8")
    return path


def test_a_long_import_draws_a_progress_bar_on_a_terminal(empty_record, long_file):
    drawn = import_with_progress(long_file, Terminal())
    assert f"\rChecking [{'#' * 30}] 100%\n" in drawn
    assert f"\rWriting  [{'#' * 30}] 100%\n" in drawn
    assert "\x1b[" not in drawn


def test_no_progress_bar_is_drawn_into_a_file_or_pipe(empty_record, long_file):
    assert import_with_progress(long_file, io.StringIO()) == ""


def test_no_progress_bar_is_drawn_for_a_short_file(empty_record, long_file, monkeypatch):
    monkeypatch.setattr(import_actions, "PROGRESS_FROM_BYTES", 10_000)
    assert import_with_progress(long_file, Terminal()) == ""


def test_export_refuses_a_path_it_cannot_write(defaults, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run("export_actions", "--treaty", "hanoi-convention", str(tmp_path / "no" / "such.csv"))


def test_the_migrations_describe_the_models_as_they_are(db):
    # A model changed without its migration (a field's choices, an index) would leave
    # the database, or the next `makemigrations`, out of step.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
