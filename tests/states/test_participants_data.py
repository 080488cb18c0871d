"""The curated participants file: complete, with the right groups and real ISO codes."""

import json
from collections import Counter
from pathlib import Path

import pycountry
import pytest
from django.db import IntegrityError, transaction

from states.models import Kind, Participant, match_key

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "participants.json"
ROWS = [item["fields"] for item in json.loads(FIXTURE.read_text(encoding="utf-8"))]
BY_NAME = {row["name"]: row for row in ROWS}


def test_the_file_holds_the_193_member_states_the_four_other_states_and_the_eu():
    kinds = Counter(row["kind"] for row in ROWS)
    assert kinds == {"member_state": 193, "observer_state": 2, "non_member_state": 2, "reio": 1}
    assert {r["name"] for r in ROWS if r["kind"] == "observer_state"} == {
        "Holy See",
        "State of Palestine",
    }
    assert {r["name"] for r in ROWS if r["kind"] == "non_member_state"} == {"Cook Islands", "Niue"}


def test_regional_group_sizes_match_the_un_list():
    sizes = Counter(row["regional_group"] for row in ROWS if row["kind"] == "member_state")
    assert sizes == {
        "african": 54,
        "asia_pacific": 54,
        "eastern_european": 23,
        "latin_american_caribbean": 33,
        "weog": 28,
        "": 1,  # the United States attends WEOG as an observer
    }


@pytest.mark.parametrize(
    ("name", "group", "also"),
    [
        ("Türkiye", "weog", "asia_pacific"),
        ("United States of America", "", "weog"),
        ("Israel", "weog", ""),
        ("Kiribati", "asia_pacific", ""),
        ("Cyprus", "asia_pacific", ""),
        ("Holy See", "", ""),
        ("European Union", "", ""),
    ],
)
def test_the_special_cases_of_the_regional_groups(name, group, also):
    assert (BY_NAME[name]["regional_group"], BY_NAME[name]["also_in_group"]) == (group, also)


@pytest.mark.parametrize("row", [r for r in ROWS if r["kind"] != "reio"], ids=lambda r: r["iso3"])
def test_iso_codes_and_m49_agree_with_pycountry(row):
    country = pycountry.countries.get(alpha_3=row["iso3"])
    assert country is not None
    assert (country.alpha_2, int(country.numeric)) == (row["iso2"], row["m49"])


def test_the_eu_uses_its_reserved_codes_and_lists_its_27_member_states():
    eu = BY_NAME["European Union"]
    assert (eu["iso2"], eu["iso3"], eu["m49"]) == ("EU", "EUU", None)
    members = {code for (code,) in eu["members"]}
    assert len(members) == 27
    assert {"FRA", "DEU", "CZE", "HRV", "NLD"} <= members
    assert members <= {row["iso3"] for row in ROWS if row["kind"] == "member_state"}


def test_codes_and_names_are_unique():
    for field in ("name", "iso2", "iso3", "m49"):
        values = [row[field] for row in ROWS if row[field] is not None]
        assert len(values) == len(set(values)), field


def test_no_alias_matches_another_participant():
    owners: dict[str, str] = {}
    for row in ROWS:
        for key in {match_key(k) for k in (row["name"], row["iso3"], *row["aliases"])}:
            assert key not in owners, f"{key!r} matches {owners.get(key)} and {row['name']}"
            owners[key] = row["name"]


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Vietnam", "Viet Nam"),
        ("Turkey", "Türkiye"),
        ("Czechia", "Czech Republic"),
        ("UK", "United Kingdom of Great Britain and Northern Ireland"),
        ("USA", "United States of America"),
        ("DRC", "Democratic Republic of the Congo"),
        ("Ivory Coast", "Côte d'Ivoire"),
        ("Côte d’Ivoire", "Côte d'Ivoire"),
        ("Palestine", "State of Palestine"),
        ("Vatican", "Holy See"),
        ("Swaziland", "Eswatini"),
        ("Macedonia", "North Macedonia"),
        ("Cape Verde", "Cabo Verde"),
        ("East Timor", "Timor-Leste"),
        ("North Korea", "Democratic People's Republic of Korea"),
        ("South Korea", "Republic of Korea"),
    ],
)
def test_common_names_resolve_to_the_un_name(defaults, alias, name):
    assert Participant.objects.name_index()[match_key(alias)].name == name


def test_an_ambiguous_name_resolves_to_nothing(defaults):
    assert match_key("Korea") not in Participant.objects.name_index()


def test_every_name_in_the_shipped_status_file_is_a_un_name():
    status = (FIXTURE.parent / "hanoi_status.csv").read_text(encoding="utf-8").splitlines()[1:]
    names = {line.split(",")[0].strip('"') for line in status}
    assert names <= set(BY_NAME)


def test_the_database_refuses_lower_case_codes_and_groups_for_an_organization(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(name="Lower", iso2="xa", iso3="XAA")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            name="Org", iso2="XB", iso3="XBB", kind=Kind.REIO, regional_group="weog"
        )
