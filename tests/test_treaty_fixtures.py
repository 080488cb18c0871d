"""A treaty or protocol is added with data alone, as the README shows."""

import datetime as dt
import io
import json
import re
from pathlib import Path

from django.core.management import call_command

from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Participant

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- treaty-fixture-example -->\n```json\n(.*?)```", text, re.S)
    assert match, "the README lost its treaty fixture example"
    return match.group(1)


def test_the_readme_protocol_example_loads_with_loaddata_and_gets_a_status(defaults, tmp_path):
    path = tmp_path / "protocol.json"
    path.write_text(readme_example(), encoding="utf-8")
    call_command("loaddata", str(path), stdout=io.StringIO())

    protocol = Treaty.objects.get(slug="hanoi-convention-first-protocol")
    assert protocol.parent == defaults
    assert protocol.status(dt.date(2028, 1, 1)).status.remaining == 40
    # Loading it again changes nothing: natural keys find the same row.
    call_command("loaddata", str(path), stdout=io.StringIO())
    assert Treaty.objects.filter(slug="hanoi-convention-first-protocol").count() == 1


def test_every_field_of_a_treaty_is_documented_in_the_readme():
    fields = json.loads(readme_example())[0]["fields"]
    documented = README.read_text(encoding="utf-8")
    assert {f.name for f in Treaty._meta.concrete_fields if f.name != "id"} == set(fields)
    for name in fields:
        assert f"`{name}`" in documented, name


def test_a_protocol_instrument_needs_the_parent_treaty(viet_nam_signed, tmp_path):
    path = tmp_path / "protocol.json"
    path.write_text(
        readme_example()
        .replace('"2027-12-01"', '"2025-01-01"')
        .replace('"2028-03-01"', '"2025-02-01"'),
        encoding="utf-8",
    )
    call_command("loaddata", str(path), stdout=io.StringIO())
    protocol = Treaty.objects.get(slug="hanoi-convention-first-protocol")
    viet_nam = Participant.objects.get(iso3="VNM")
    accession = Action(
        treaty=protocol, participant=viet_nam, kind=ActionKind.ACCESSION, date=dt.date(2025, 11, 1)
    )
    problems = [p.message for p in accession.rule_problems()]
    assert any("party to the parent treaty" in m for m in problems)
