"""Accounts: signing in and out, passwords, throttling, roles, and the demo accounts."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import is_depositary_staff, missions_of
from tests.factories import DepositaryStaffFactory, MissionStaffFactory, ParticipantFactory

PASSWORD = "correct horse battery staple"  # the factories' password
ROOT = Path(__file__).resolve().parents[1]


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_mission_staff_sign_in_to_their_workspace(client, db):
    MissionStaffFactory(username="hanoi")
    response = sign_in(client, "hanoi")
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/mission/"


def test_depositary_staff_sign_in_to_the_queue(client, db):
    DepositaryStaffFactory(username="reviewer")
    response = sign_in(client, "reviewer", follow=True)
    assert response.redirect_chain[-1][0] == "/depositary/"


def test_a_wrong_password_is_refused_on_the_page(client, db):
    MissionStaffFactory(username="hanoi")
    response = sign_in(client, "hanoi", "wrong")
    assert response.status_code == 200
    assertContains(response, "Please enter a correct username and password")


def test_too_many_failures_lock_that_user_from_that_address(client, db, settings):
    MissionStaffFactory(username="hanoi")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "hanoi", "wrong")
    response = sign_in(client, "hanoi")  # even the right password, for a while
    assert response.status_code == 429
    assertContains(response, "Too many failed sign-ins", status_code=429)
    assertContains(response, "Try again in 15 minutes.", status_code=429)
    # Keyed on username and address together: the user elsewhere is not locked out.
    assert sign_in(client, "hanoi", REMOTE_ADDR="203.0.113.9").status_code == 302


def test_signing_out_is_a_post(client, db):
    client.force_login(MissionStaffFactory())
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"
    assert client.get("/mission/").status_code == 302


def test_a_password_reset_link_arrives_by_email(client, db):
    MissionStaffFactory(username="hanoi", email="hanoi@example.org")
    response = client.post("/accounts/password_reset/", {"email": "hanoi@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    assert message.to == ["hanoi@example.org"]
    assert message.subject == "Treatytrack: choose a new password"
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assertContains(response, "Choose a new password")
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    assert sign_in(client, "hanoi", "a new long passphrase").status_code == 302


def reset(client, email, address="192.0.2.1"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


def test_password_reset_links_are_limited_for_each_email_address(client, db, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    MissionStaffFactory(email="hanoi@example.org")
    # From anywhere: nobody floods a person's mailbox by changing address.
    for address in ("192.0.2.1", "192.0.2.2"):
        assert reset(client, "hanoi@example.org", address).status_code == 302
    response = reset(client, "Hanoi@Example.org", "192.0.2.3")
    assertContains(response, "Too many password-reset requests", status_code=429)
    assertContains(response, "try again in 60 minutes", status_code=429)
    assert len(mail.outbox) == 2
    # Another address's links are not held up.
    MissionStaffFactory(email="geneva@example.org")
    assert reset(client, "geneva@example.org", "192.0.2.4").status_code == 302
    assert len(mail.outbox) == 3


def test_password_reset_requests_are_limited_for_each_client(client, db, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    # Addresses with or without an account count alike: the answer says nothing of either.
    for n in range(2):
        assert reset(client, f"someone{n}@example.org").status_code == 302
    assert reset(client, "someone2@example.org").status_code == 429
    assert reset(client, "someone2@example.org", "192.0.2.9").status_code == 302


def test_a_user_changes_their_password(client, db):
    user = MissionStaffFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response["Location"] == "/accounts/password_change/done/"
    user.refresh_from_db()
    assert user.check_password("another long passphrase")


def test_the_header_offers_sign_in_and_keeps_public_pages_free_of_tokens(client, db):
    response = client.get("/accounts/login/")
    assertContains(response, 'href="/accounts/login/">Sign in</a>')
    assertNotContains(response, "hx-headers")


def test_the_header_links_to_the_users_workspaces_and_signs_out(client, db):
    client.force_login(MissionStaffFactory(username="hanoi"))
    response = client.get("/accounts/password_change/")
    assertContains(response, '<a href="/mission/">Mission</a>')
    assertNotContains(response, '<a href="/depositary/">Depositary</a>')
    assertContains(response, '<form method="post" action="/accounts/logout/">')


def test_the_migration_makes_the_depositary_group_with_its_permissions(db):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Depositary staff")
    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "import_actions",
        "verify_action",
    ]


def test_demo_accounts_give_every_role_in_development(db, settings):
    settings.DEBUG = True
    ParticipantFactory(iso3="VNM", name="Viet Nam")
    ParticipantFactory(iso3="EUU", name="European Union")
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    call_command("create_demo_accounts", stdout=io.StringIO())  # again: nothing doubles
    users = {u.username: u for u in get_user_model().objects.all()}
    assert sorted(users) == ["admin", "depositary", "mission-eu", "mission-vnm"]
    assert [p.iso3 for p in missions_of(users["mission-vnm"])] == ["VNM"]
    assert is_depositary_staff(users["depositary"])
    assert not is_depositary_staff(users["mission-vnm"])
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["depositary"].check_password("treatytrack-demo")
    assert "Password for each: treatytrack-demo" in out.getvalue()


def test_demo_accounts_are_refused_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("create_demo_accounts")
    assert not get_user_model().objects.exists()


def test_production_settings_never_create_demo_accounts():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="treatytrack.example.org",
        EMAIL_URL="smtp://mail.example.org:587?tls=1",
        DATABASE_URL="sqlite:///:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "create_demo_accounts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Demo accounts are for local development only" in result.stderr


def test_administrators_link_users_to_missions_in_the_admin(client, db):
    from tests.factories import UserFactory

    staff = MissionStaffFactory(missions=[ParticipantFactory(name="Viet Nam")])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(f"/admin/auth/user/{staff.pk}/change/")
    assertContains(response, "Missions (the participants this user submits for)")
    assertContains(response, "Viet Nam")
