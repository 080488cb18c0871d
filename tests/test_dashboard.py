import pytest

from tests.factories import ActionFactory, ParticipantFactory, TreatyFactory


def test_home_shows_the_hanoi_convention_progress_and_signatories(client, defaults):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "United Nations Convention against Cybercrime" in page
    assert '<progress value="0" max="40"' in page
    assert "40 more needed." in page
    assert "Viet Nam" in page
    assert "Data as of 19 November 2025" in page


def test_the_dashboard_of_a_treaty_is_at_its_slug(client, defaults):
    assert client.get("/treaties/hanoi-convention/").status_code == 200
    assert client.get("/treaties/no-such-treaty/").status_code == 404


def test_the_dashboard_shows_the_days_left_to_sign_on_new_york_dates(client, defaults):
    page = client.get("/", {"as_of": "2026-11-28"}).content.decode()
    assert "33</span> days left" in page
    assert "Signature closes on 31 December 2026" in page


def test_the_dashboard_as_of_the_first_day_in_hanoi_shows_69_signatories(client, defaults):
    page = client.get("/", {"as_of": "2025-10-25"}).content.decode()
    assert '<span class="num">69</span>' in page
    assert "Showing the status as it stood at the end of 25 October 2025" in page


def test_the_dashboard_answers_400_for_a_bad_date(client, defaults):
    response = client.get("/", {"as_of": "tomorrow"})
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_the_dashboard_sets_a_strict_content_security_policy(client, defaults):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("extra_actions", [0, 10])
def test_the_dashboard_query_count_does_not_grow_with_the_data(
    client, db, django_assert_num_queries, extra_actions
):
    treaty = TreatyFactory(slug="hanoi-convention")
    for participant in ParticipantFactory.create_batch(1 + extra_actions * 5):
        ActionFactory(treaty=treaty, participant=participant)
    with django_assert_num_queries(2):
        # 1. the treaty; 2. its verified actions with their participants.
        client.get("/")
