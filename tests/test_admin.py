from ratifications.models import Action
from tests.factories import UserFactory


def test_the_admin_refuses_an_action_that_breaks_a_rule(client, viet_nam_signed):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    viet_nam = viet_nam_signed.actions.get(participant__iso3="VNM").participant
    response = client.post(
        "/admin/ratifications/action/add/",
        {
            "treaty": viet_nam_signed.pk,
            "participant": viet_nam.pk,
            "kind": "signature",
            "date": "2026-01-10",
            "review": "verified",
            "submitted_at_0": "2026-01-10",
            "submitted_at_1": "10:00:00",
            "rejection_reason": "",
        },
    )
    assert response.status_code == 200
    assert "already signed" in response.content.decode()
    assert Action.objects.filter(participant=viet_nam).count() == 1


def test_imported_actions_are_in_the_audit_trail(defaults):
    action = Action.objects.verified().for_treaty(defaults).latest("date")
    (record,) = action.history.all()
    assert (record.history_type, record.history_change_reason) == ("+", "import")
    assert record.date == action.date
