import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from ratifications.models import Action
from ratifications.rules import ActionKind
from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory

STATUS_URL = "/api/v1/treaties/hanoi-convention/status"


def test_status_api_answers_with_the_contract_fields(client, viet_nam_signed):
    body = client.get(STATUS_URL, {"as_of": "2025-10-25"}).json()
    assert body["treaty"]["slug"] == "hanoi-convention"
    assert (body["treaty"]["threshold"], body["treaty"]["entry_into_force_days"]) == (40, 90)
    assert body["as_of"] == "2025-10-25"
    assert (body["signatories"], body["instruments_counted"], body["remaining"]) == (1, 0, 40)
    assert body["threshold_reached_on"] is None
    assert body["entry_into_force"] is None
    assert body["in_force"] is False
    assert body["days_until_entry_into_force"] is None
    assert body["participants"] == [
        {
            "name": "Viet Nam",
            "iso3": "VNM",
            "signature": "2025-10-25",
            "consent": None,
            "consent_type": None,
            "counts_toward_threshold": False,
            "not_counted_reason": "no_instrument",
            "entry_into_force": None,
            "denunciation_received": None,
            "denunciation_effective": None,
        }
    ]


def test_status_api_counts_a_verified_instrument_but_not_a_pending_one(client, db):
    treaty = TreatyFactory(slug="demo")
    signed = ParticipantFactory()
    ActionFactory(treaty=treaty, participant=signed)
    ActionFactory(
        treaty=treaty, participant=signed, kind=ActionKind.RATIFICATION, date=dt.date(2026, 2, 1)
    )
    other = ParticipantFactory()
    ActionFactory(
        treaty=treaty,
        participant=other,
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 2, 1),
        review=Action.Review.PENDING,
    )
    body = client.get("/api/v1/treaties/demo/status").json()
    assert (body["instruments_counted"], body["remaining"], body["signatories"]) == (1, 39, 1)
    assert [p["iso3"] for p in body["participants"]] == [signed.iso3]
    assert body["participants"][0]["consent_type"] == "ratification"


@pytest.mark.parametrize(
    "as_of", ["yesterday", "2025-13-01", "25-10-2025", "2025-10-25T00:00", "20251025"]
)
def test_status_api_answers_400_with_a_json_error_for_a_bad_date(client, defaults, as_of):
    response = client.get(STATUS_URL, {"as_of": as_of})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.json()["error"]


def test_status_api_answers_400_for_an_unknown_parameter(client, defaults):
    response = client.get(STATUS_URL, {"asof": "2025-10-25"})
    assert response.status_code == 400
    assert "asof" in response.json()["error"]


def test_status_api_answers_404_with_a_json_error_for_an_unknown_treaty(client, db):
    response = client.get("/api/v1/treaties/no-such-treaty/status")
    assert response.status_code == 404
    assert response.json() == {"error": "No treaty 'no-such-treaty'."}


def test_status_api_refuses_post(client, defaults):
    assert client.post(STATUS_URL).status_code == 405


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_status_api_has_validators_and_answers_304_when_nothing_changed(client, defaults):
    response = client.get(STATUS_URL, {"as_of": "2025-10-25"})
    assert response["ETag"] and response["Last-Modified"]
    again = client.get(
        STATUS_URL, {"as_of": "2025-10-25"}, headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    other_day = client.get(
        STATUS_URL, {"as_of": "2025-10-26"}, headers={"If-None-Match": response["ETag"]}
    )
    assert other_day.status_code == 200


def test_status_api_answers_200_again_once_an_action_is_verified(client, defaults):
    etag = client.get(STATUS_URL)["ETag"]
    ActionFactory(treaty=defaults, participant=ParticipantFactory())
    assert client.get(STATUS_URL, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("url", [STATUS_URL, "/api/v1/treaties/hanoi-convention/actions.csv"])
def test_the_open_data_says_in_json_when_the_database_does_not_answer(client, db, url):
    refused = OperationalError("connection to server at 127.0.0.1, port 5432 failed")
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=refused):
        response = client.get(url)
    assert response.status_code == 503
    assert "database" in response.json()["error"]
    assert response["Cache-Control"] == "private, no-store"


def test_a_treaty_named_with_other_than_slug_characters_is_a_json_404(client, db):
    for slug in ("no%20such", "%00", "ça"):
        response = client.get(f"/api/v1/treaties/{slug}/status")
        assert response.status_code == 404
        assert response.json()["error"].startswith("No treaty")
