"""The data migration that moves the declarations actions carried into records of their own
(declarations/migrations/0002_from_actions.py), run on a database as it stood before it."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from declarations.models import Declaration
from ratifications.models import Action, Revision

BEFORE = [("declarations", "0001_initial"), ("ratifications", "0008_action_instrument_dates")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_declarations_on_actions_become_records_with_their_review_and_history():
    old = migrate(BEFORE)
    try:
        treaty = old.get_model("ratifications", "Treaty").objects.create(
            slug="hanoi-convention",
            short_name="Hanoi Convention",
            title="Hanoi Convention",
            adopted_on=dt.date(2024, 12, 24),
            threshold=40,
            entry_into_force_days=90,
            later_entry_into_force_days=30,
        )
        participants = old.get_model("states", "Participant").objects
        viet_nam = participants.create(name="Viet Nam", iso2="VN", iso3="VNM", kind="member_state")
        france = participants.create(name="France", iso2="FR", iso3="FRA", kind="member_state")
        actions = old.get_model("ratifications", "Action").objects
        now = timezone.now()
        verified = {"review": "verified", "reviewed_at": now, "treaty": treaty}
        actions.create(
            participant=viet_nam,
            kind="signature",
            date=dt.date(2025, 10, 25),
            declarations="Upon signature, Viet Nam declares ...",
            declaration_articles="2, 63(3)",
            **verified,
        )
        actions.create(
            participant=viet_nam,
            kind="declaration",
            date=dt.date(2025, 12, 1),
            declarations="Later, Viet Nam declares ...",
            declaration_articles="article eleven",
            notification="C.N.9.2025.TREATIES-XVIII.16",
            note="Received by fax",
            **verified,
        )
        actions.create(
            participant=france,
            kind="declaration",
            date=dt.date(2025, 12, 2),
            declarations="A pending declaration",
            treaty=treaty,
            review="pending",
        )
        revision = Revision.current().number
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = {d.text: d for d in Declaration.objects.select_related("participant")}
    upon_signature = moved["Upon signature, Viet Nam declares ..."]
    assert (upon_signature.kind, upon_signature.made, upon_signature.review) == (
        "declaration",
        "signature",
        "verified",
    )
    assert upon_signature.articles == "2; 63(3)"
    assert list(upon_signature.provisions.values_list("article", "paragraph")) == [(2, 0), (63, 3)]
    later = moved["Later, Viet Nam declares ..."]
    assert (later.made, later.notification, later.articles) == (
        "later",
        "C.N.9.2025.TREATIES-XVIII.16",
        "",
    )
    # Articles that cannot be read are kept, in the note, never guessed.
    assert later.note == "Received by fax\nArticles as first recorded: article eleven"
    assert moved["A pending declaration"].review == "pending"
    assert [h.history_change_reason for h in later.history.all()] == ["moved from actions"]
    # The actions of the kind `declaration` are gone, their trail ending with where they went.
    assert list(Action.objects.values_list("kind", flat=True)) == ["signature"]
    gone = Action.history.filter(history_type="-").values_list("history_change_reason", flat=True)
    assert list(gone) == ["moved to declarations", "moved to declarations"]
    assert Revision.current().number > revision
