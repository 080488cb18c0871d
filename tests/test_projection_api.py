"""The projection and what-if API (CONTRACT.md, "Added for the second round")."""

import datetime as dt

import pytest

from ratifications.models import Action, Revision
from ratifications.rules import ActionKind
from states.models import Kind, Participant
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory

PROJECTION_URL = "/api/v1/treaties/hanoi-convention/projection"
WHAT_IF_URL = "/api/v1/treaties/hanoi-convention/what-if"
STATUS_URL = "/api/v1/treaties/hanoi-convention/status"


def signatory_states(treaty) -> list[str]:
    """The States with a verified signature of the treaty, by code."""
    return list(
        Action.objects.verified()
        .for_treaty(treaty)
        .filter(kind=ActionKind.SIGNATURE)
        .exclude(participant__kind=Kind.REIO)
        .order_by("participant__iso3")
        .values_list("participant__iso3", flat=True)
    )


# The projection


def test_the_projection_of_the_hanoi_convention_follows_the_contract(client, empty_record):
    body = client.get(PROJECTION_URL, {"as_of": "2026-12-02"}).json()
    assert body["treaty"] == {
        "slug": "hanoi-convention",
        "name": "United Nations Convention against Cybercrime",
    }
    assert (body["as_of"], body["instruments_counted"], body["threshold"]) == ("2026-12-02", 0, 40)
    assert body["method"].startswith("For each comparable treaty")
    assert len(body["reference_treaties"]) == 14
    assert all(set(t) == {"key", "name"} for t in body["reference_treaties"])
    low, median, high = (body["threshold_date"][q] for q in ("low", "median", "high"))
    assert low <= median <= high
    assert body["threshold_date"] == {
        "low": "2027-07-22",
        "median": "2028-06-26",
        "high": "2029-04-16",
    }
    # Entry into force by its clauses: the ninetieth day after the threshold.
    assert body["entry_into_force"] == {
        "low": "2027-10-20",
        "median": "2028-09-24",
        "high": "2029-07-15",
    }
    assert body["interval"] == 0.5
    assert body["reason"] is None


def test_the_projection_without_as_of_is_today_in_new_york(client, defaults):
    body = client.get(PROJECTION_URL).json()
    assert body["as_of"] == defaults.status().status.as_of.isoformat()
    assert body["instruments_counted"] == defaults.status().status.instruments_counted


def test_a_treaty_past_its_threshold_gives_the_real_dates(client, db):
    treaty = TreatyFactory(slug="demo", threshold=2)
    for day in (dt.date(2026, 1, 5), dt.date(2026, 2, 1)):
        ActionFactory(
            treaty=treaty, participant=ParticipantFactory(), kind=ActionKind.ACCESSION, date=day
        )
    body = client.get("/api/v1/treaties/demo/projection", {"as_of": "2026-03-01"}).json()
    assert body["threshold_date"] == {
        "low": "2026-02-01",
        "median": "2026-02-01",
        "high": "2026-02-01",
    }
    assert body["entry_into_force"] == {
        "low": "2026-05-02",
        "median": "2026-05-02",
        "high": "2026-05-02",
    }
    assert body["interval"] is None and body["reason"] is None
    assert body["reference_treaties"] == []
    assert body["method"].startswith("The threshold is reached")


def test_a_treaty_slower_than_every_comparable_one_gets_no_dates_and_a_reason(client, empty_record):
    body = client.get(PROJECTION_URL, {"as_of": "2030-01-01"}).json()
    assert body["threshold_date"] is None and body["entry_into_force"] is None
    assert body["reason"].startswith("All 17 comparable treaties had reached their threshold")


def test_before_the_treaty_opens_the_projection_says_why_not(client, empty_record):
    body = client.get(PROJECTION_URL, {"as_of": "2025-01-01"}).json()
    assert body["threshold_date"] is None
    assert "not yet open for signature" in body["reason"]


def test_the_projection_is_in_english_whatever_the_readers_language(client, defaults):
    body = client.get(PROJECTION_URL, headers={"Accept-Language": "fr"}).json()
    assert body["method"].startswith("For each comparable treaty")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"as_of": "2026-13-01"}, "YYYY-MM-DD"),
        ({"asof": "2026-12-01"}, "Unknown parameter asof"),
        ({"deposit": "VNM:2026-12-01"}, "Unknown parameter deposit"),
    ],
)
def test_the_projection_answers_400_with_a_json_error(client, defaults, query, message):
    response = client.get(PROJECTION_URL, query)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_projection_answers_404_in_json_for_an_unknown_treaty(client, db):
    response = client.get("/api/v1/treaties/no-such-treaty/projection")
    assert response.status_code == 404
    assert response.json() == {"error": "No treaty 'no-such-treaty'."}


def test_the_projection_refuses_post(client, defaults):
    assert client.post(PROJECTION_URL).status_code == 405


def test_the_projection_answers_304_until_an_action_is_verified(client, defaults):
    etag = client.get(PROJECTION_URL)["ETag"]
    assert client.get(PROJECTION_URL, headers={"If-None-Match": etag}).status_code == 304
    ActionFactory(treaty=defaults, participant=ParticipantFactory())
    assert client.get(PROJECTION_URL, headers={"If-None-Match": etag}).status_code == 200


# What if


def test_forty_signatory_states_on_one_day_reach_the_threshold_that_day(client, defaults):
    forty = signatory_states(defaults)[:40]
    response = client.get(WHAT_IF_URL, {"deposit": [f"{code}:2027-03-01" for code in forty]})
    assert response.status_code == 200
    body = response.json()
    assert (body["instruments_counted"], body["remaining"]) == (40, 0)
    assert body["threshold_reached_on"] == "2027-03-01"
    assert body["entry_into_force"] == "2027-05-30"
    rows = {row["iso3"]: row for row in body["participants"]}
    assert all(rows[code]["consent_type"] == "ratification" for code in forty)
    assert all(rows[code]["entry_into_force"] == "2027-05-30" for code in forty)


def test_thirty_nine_states_and_the_european_union_give_no_threshold(client, defaults):
    deposits = [f"{code}:2027-03-01" for code in signatory_states(defaults)[:39]]
    response = client.get(WHAT_IF_URL, {"deposit": [*deposits, "EUU:2027-03-01"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["instruments_counted"], body["remaining"]) == (39, 1)
    assert body["threshold_reached_on"] is None and body["entry_into_force"] is None
    union = next(row for row in body["participants"] if row["iso3"] == "EUU")
    assert union["consent"] == "2027-03-01"
    assert (union["counts_toward_threshold"], union["not_counted_reason"]) == (False, "reio")


def test_the_what_if_has_the_status_apis_fields_and_saves_nothing(client, defaults):
    actions, revision = Action.objects.count(), Revision.current().number
    status = client.get(STATUS_URL).json()
    body = client.get(WHAT_IF_URL, {"deposit": "VNM:2027-01-15"}).json()
    assert set(body) == set(status)
    assert set(body["participants"][0]) == set(status["participants"][0])
    assert body["as_of"] == "2027-01-15"
    assert (Action.objects.count(), Revision.current().number) == (actions, revision)


def test_a_signatory_ratifies_and_any_other_state_accedes(client, viet_nam_signed):
    body = client.get(WHAT_IF_URL, {"deposit": ["VNM:2027-01-15", "CAN:2027-01-20"]}).json()
    rows = {row["iso3"]: row for row in body["participants"]}
    assert rows["VNM"]["consent_type"] == "ratification"
    assert (rows["CAN"]["consent_type"], rows["CAN"]["signature"]) == ("accession", None)
    assert body["instruments_counted"] == 2


def test_a_state_that_signed_after_the_deposit_date_accedes_on_that_date(client, viet_nam_signed):
    body = client.get(WHAT_IF_URL, {"deposit": "VNM:2025-10-01"}).json()
    assert (
        next(r for r in body["participants"] if r["iso3"] == "VNM")["consent_type"] == "accession"
    )


def test_the_what_if_is_seen_from_the_given_day(client, viet_nam_signed):
    body = client.get(WHAT_IF_URL, {"deposit": "VNM:2026-01-15", "as_of": "2026-06-01"}).json()
    assert (body["as_of"], body["instruments_counted"], body["parties"]) == ("2026-06-01", 1, 1)


@pytest.mark.parametrize(
    ("deposits", "named", "problem"),
    [
        # A second instrument of the same State, in the scenario itself.
        (["VNM:2027-01-15", "VNM:2027-02-01"], "VNM:2027-02-01", "already a party"),
        # The European Union before any member State has deposited.
        (["EUU:2027-01-15"], "EUU:2027-01-15", "only after at least one of its member States"),
        # Before the treaty existed.
        (["VNM:2024-01-01"], "VNM:2024-01-01", "before the treaty was adopted"),
        (["ZZZ:2027-01-15"], "ZZZ:2027-01-15", "No participant has the code ZZZ"),
    ],
)
def test_a_deposit_the_rules_refuse_answers_400_naming_it(
    client, viet_nam_signed, deposits, named, problem
):
    ActionFactory(treaty=viet_nam_signed, participant=Participant.objects.get(iso3="EUU"))
    response = client.get(WHAT_IF_URL, {"deposit": deposits})
    assert response.status_code == 400
    body = response.json()
    assert f"The deposit {named} is refused" in body["error"]
    assert problem in body["error"]
    assert [r["deposit"] for r in body["refused"]] == [named]


def test_the_european_union_may_deposit_after_one_of_its_member_states(client, viet_nam_signed):
    response = client.get(WHAT_IF_URL, {"deposit": ["EUU:2027-01-15", "FRA:2027-01-15"]})
    assert response.status_code == 200
    assert response.json()["instruments_counted"] == 1


def test_a_verified_party_cannot_deposit_again(client, viet_nam_signed):
    ActionFactory(
        treaty=viet_nam_signed,
        participant=Participant.objects.get(iso3="VNM"),
        kind=ActionKind.RATIFICATION,
        date=dt.date(2026, 6, 1),
    )
    response = client.get(WHAT_IF_URL, {"deposit": "VNM:2027-01-15"})
    assert response.status_code == 400
    assert "already a party by ratification of 1 June 2026" in response.json()["error"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"deposit": "VNM-2027-01-15"}, "A deposit is written ISO3:YYYY-MM-DD"),
        ({"deposit": "VNM:2027-02-30"}, "not 'VNM:2027-02-30'"),
        ({"deposit": "VNM:2027-01-15", "as_of": "2027-01-01"}, "after the day the status"),
        ({"deposit": "VNM:2027-01-15", "as_of": "soon"}, "YYYY-MM-DD"),
        ({"deposits": "VNM:2027-01-15"}, "Unknown parameter deposits"),
    ],
)
def test_the_what_if_answers_400_with_a_json_error_for_bad_input(
    client, viet_nam_signed, query, message
):
    response = client.get(WHAT_IF_URL, query)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_what_if_refuses_too_many_deposits(client, viet_nam_signed):
    response = client.get(WHAT_IF_URL, {"deposit": ["VNM:2027-01-15"] * 251})
    assert response.status_code == 400
    assert "At most 250 deposits" in response.json()["error"]


def test_the_what_if_answers_404_in_json_for_an_unknown_treaty(client, db):
    response = client.get("/api/v1/treaties/nope/what-if", {"deposit": "VNM:2027-01-15"})
    assert response.status_code == 404
    assert "error" in response.json()


def test_each_scenario_is_its_own_answer_in_the_cache(client, viet_nam_signed):
    one = client.get(WHAT_IF_URL, {"deposit": ["VNM:2027-01-15"]}).json()
    two = client.get(WHAT_IF_URL, {"deposit": ["VNM:2027-01-15", "CAN:2027-01-16"]}).json()
    assert (one["instruments_counted"], two["instruments_counted"]) == (1, 2)


def test_a_protocols_deposit_needs_the_participant_to_be_a_party_to_the_convention(client, db):
    convention = TreatyFactory(slug="convention")
    protocol = TreatyFactory(slug="protocol", parent=convention)
    party, outsider = ParticipantFactory(), ParticipantFactory()
    ActionFactory(
        treaty=convention, participant=party, kind=ActionKind.ACCESSION, date=dt.date(2026, 3, 1)
    )
    url = "/api/v1/treaties/protocol/what-if"
    accepted = client.get(url, {"deposit": f"{party.iso3}:2027-01-15"})
    assert accepted.status_code == 200
    assert accepted.json()["instruments_counted"] == 1
    refused = client.get(url, {"deposit": f"{outsider.iso3}:2027-01-15"})
    assert refused.status_code == 400
    assert "must already be a party to the parent treaty" in refused.json()["error"]
    assert protocol.actions.count() == 0
