import datetime as dt
import io

import pytest
from django.core.management import call_command

from ratifications.models import Action, Treaty
from states.models import Participant


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_load_defaults_loads_participants_the_convention_and_its_73_signatures(db):
    output = run("load_defaults")
    assert "participants.json: 198 added" in output
    assert "hanoi_status.csv: 73 actions added" in output
    assert Participant.objects.count() == 198
    assert Participant.objects.get(iso3="EUU").members.count() == 27
    treaty = Treaty.objects.get(slug="hanoi-convention")
    assert (treaty.threshold, treaty.entry_into_force_days, treaty.signature_closes_on) == (
        40,
        90,
        dt.date(2026, 12, 31),
    )
    assert Action.objects.verified().for_treaty(treaty).count() == 73


def test_running_load_defaults_again_changes_nothing(defaults):
    before = list(Action.objects.values_list("pk", "updated_at"))
    output = run("load_defaults")
    assert "participants.json: 0 added, 0 updated, 198 unchanged" in output
    assert "treaties.json: 0 added, 0 updated, 1 unchanged" in output
    assert "hanoi_status.csv: 0 actions added, 73 already there" in output
    assert list(Action.objects.values_list("pk", "updated_at")) == before


def test_load_defaults_brings_a_changed_row_back_in_line_with_the_fixture(defaults):
    Participant.objects.filter(iso3="VNM").update(name="Vietnam (edited)")
    assert "1 updated" in run("load_defaults")
    assert Participant.objects.get(iso3="VNM").name == "Viet Nam"


@pytest.mark.parametrize(
    ("as_of", "signatories"),
    [("2025-10-24", 0), ("2025-10-25", 69), ("2025-10-26", 72), ("2025-11-19", 73), (None, 73)],
)
def test_the_real_status_has_the_hanoi_ceremony_then_mauritius(defaults, as_of, signatories):
    status = defaults.status(dt.date.fromisoformat(as_of) if as_of else None).status
    assert status.signatories == signatories
    assert (status.instruments_counted, status.remaining) == (0, 40)


def test_every_shipped_action_has_a_source(defaults):
    assert not Action.objects.filter(source="").exists()
