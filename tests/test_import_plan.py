"""What a plan makes of a file, how it is written, and what it costs in queries."""

import datetime as dt

import pytest

from ratifications.importing import ImportFailed, RecordsChanged, plan_import
from ratifications.models import Action, Revision
from ratifications.rules import ActionKind
from states.models import Participant
from tests.factories import ActionFactory, SubmissionFactory, TreatyFactory, UserFactory

HEADER = "participant,action,date,place,notification,note,source\n"


def csv_text(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


def signatures_and_ratifications(states: int) -> str:
    """Two valid rows for each of the first `states` States: a signature and a ratification."""
    rows = []
    for state in Participant.objects.states().order_by("name")[:states]:
        rows.append(f"{state.iso3},signature,2025-10-25,Hanoi,,,Test")
        rows.append(f"{state.iso3},ratification,2026-03-02,New York,C.N.1.2026,,Test")
    return csv_text(*rows)


@pytest.fixture
def treaty(defaults):
    """A treaty with the Hanoi Convention's clauses and no action yet; the real participants."""
    return TreatyFactory()


@pytest.mark.parametrize("states", [10, 100])
def test_checking_a_file_takes_four_queries_whatever_its_length(
    treaty, django_assert_num_queries, states
):
    text = signatures_and_ratifications(states)
    # The record's revision; the participants (names, codes, aliases); the
    # organizations' member States; the treaty's verified actions.
    with django_assert_num_queries(4):
        plan = plan_import(text, treaty)
    assert (len(plan.new), list(plan.errors)) == (2 * states, [])


@pytest.mark.parametrize(("states", "batches"), [(10, 2), (100, 20)])
def test_writing_takes_two_queries_a_batch(treaty, django_assert_num_queries, states, batches):
    plan = plan_import(signatures_and_ratifications(states), treaty)
    # The savepoint and its release; the treaty locked; the revision advanced if
    # it is still the plan's, and the app's processes told (NOTIFY); for each batch
    # of 10 rows, the actions and their history.
    with django_assert_num_queries(5 + 2 * batches):
        assert plan.apply(batch_size=10) == 2 * states
    assert Action.objects.verified().for_treaty(treaty).count() == 2 * states


def test_an_import_is_in_the_audit_trail_with_who_made_it(treaty):
    user = UserFactory()
    plan_import(csv_text("Canada,signature,2025-10-25,Hanoi,,A note,Press release"), treaty).apply(
        user
    )
    action = Action.objects.get(treaty=treaty)
    (entry,) = action.history.all()
    assert (entry.history_type, entry.history_change_reason, entry.history_user) == (
        "+",
        "import",
        user,
    )
    copied = [f.attname for f in Action._meta.concrete_fields]
    assert [getattr(entry, name) for name in copied] == [getattr(action, name) for name in copied]
    assert (action.submitted_by, action.reviewed_by, action.review) == (user, user, "verified")


def test_a_plan_is_not_applied_once_the_records_changed(treaty):
    plan = plan_import(csv_text("Canada,signature,2025-10-25,,,,"), treaty)
    ActionFactory(treaty=treaty, participant=Participant.objects.get(iso3="MEX"))
    with pytest.raises(RecordsChanged, match="The records changed after the file was checked"):
        plan.apply()
    assert not Action.objects.filter(treaty=treaty, participant__iso3="CAN").exists()


def test_any_write_moves_the_revision_even_a_pending_submission_in_another_treaty(treaty):
    plan = plan_import(csv_text("Canada,signature,2025-10-25,,,,"), treaty)
    SubmissionFactory(participant=Participant.objects.get(iso3="MEX"))
    with pytest.raises(RecordsChanged, match="a mission's submission"):
        plan.apply()
    assert not Action.objects.filter(treaty=treaty).exists()


def test_a_plan_is_not_applied_against_another_preview(treaty):
    plan = plan_import(csv_text("Canada,signature,2025-10-25,,,,"), treaty)
    assert plan.revision == Revision.current().number
    with pytest.raises(RecordsChanged):
        plan.apply(expected_revision=plan.revision - 1)
    assert plan.apply(expected_revision=plan.revision) == 1


def test_an_import_advances_the_revision_once_and_only_when_it_writes(treaty):
    before = Revision.current().number
    plan_import(signatures_and_ratifications(3), treaty).apply(batch_size=2)
    assert Revision.current().number == before + 1
    # The same file again: nothing new, nothing written, the revision stays.
    assert plan_import(signatures_and_ratifications(3), treaty).apply() == 0
    assert Revision.current().number == before + 1


def test_a_file_edited_between_the_check_and_the_write_writes_nothing(treaty, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(csv_text("Canada,signature,2025-10-25,Hanoi,,,"), encoding="utf-8")
    plan = plan_import(path, treaty)
    path.write_text(csv_text("Canada,signature,2025-10-25,Paris,,,"), encoding="utf-8")
    with pytest.raises(ImportFailed, match="The file changed while it was being imported"):
        plan.apply()
    assert not Action.objects.filter(treaty=treaty).exists()


def test_a_plan_with_errors_cannot_be_applied(treaty):
    plan = plan_import(csv_text("Atlantis,signature,2025-10-25,,,,"), treaty)
    with pytest.raises(ValueError, match="errors"):
        plan.apply()


def test_text_bytes_and_a_path_are_read_alike(treaty, tmp_path):
    text = csv_text("Canada,signature,2025-10-25,Hanoi,,,", "Mexico,signature,2025-10-26,,,,")
    path = tmp_path / "actions.csv"
    path.write_bytes(text.encode())
    plans = [plan_import(source, treaty) for source in (text, text.encode(), path)]
    assert {tuple(plan.new) for plan in plans} == {tuple(plans[0].new)}
    assert len(plans[0].new) == 2


def test_rows_are_listed_in_file_order_with_what_the_check_made_of_them(viet_nam_signed):
    plan = plan_import(
        csv_text(
            "Mexico,signature,2026-07-16,,,,",
            "Viet Nam,signature,2025-10-25,Hanoi,,,",
            "Canada,signature,2026-07-15,,,,",
        ),
        viet_nam_signed,
    )
    assert [(row.line, row.participant.iso3, row.kind) for row in plan.new] == [
        (2, "MEX", ActionKind.SIGNATURE),
        (4, "CAN", ActionKind.SIGNATURE),
    ]
    assert plan.new[1].date == dt.date(2026, 7, 15)
    assert plan.new[-1] == plan.new[1:][0]
    assert [row.participant.name for row in plan.already_there] == ["Viet Nam"]


def test_a_file_may_list_an_action_before_what_it_depends_on(treaty):
    # The ratification before its signature; the European Union's formal
    # confirmation before the first instrument of a member State.
    plan = plan_import(
        csv_text(
            "Germany,ratification,2026-02-01,,,,",
            "European Union,formal_confirmation,2026-03-01,,,,",
            "European Union,signature,2025-10-26,,,,",
            "Germany,signature,2025-10-25,,,,",
        ),
        treaty,
    )
    assert list(plan.errors) == []
    assert len(plan.new) == 4


def test_an_organization_signs_only_after_a_member_state(treaty):
    plan = plan_import(csv_text("EUU,signature,2025-10-25,,,,"), treaty)
    assert [str(error) for error in plan.errors] == [
        "line 2: European Union: An organization may sign only after at least one of its "
        "member States has signed."
    ]


def test_a_rule_broken_by_two_rows_of_the_file_is_reported_on_the_later(treaty):
    plan = plan_import(
        csv_text("Canada,accession,2026-02-01,,,,", "Canada,accession,2026-05-01,,,,"), treaty
    )
    assert [error.line for error in plan.errors] == [3]
    assert "already a party by accession" in next(iter(plan.errors)).message


def test_a_protocol_instrument_needs_the_parent_treaty(treaty):
    protocol = TreatyFactory(parent=treaty)
    ActionFactory(
        treaty=treaty,
        participant=Participant.objects.get(iso3="NOR"),
        kind=ActionKind.ACCESSION,
        date=dt.date(2026, 1, 5),
    )
    plan = plan_import(
        csv_text("Norway,accession,2026-02-01,,,,", "Kenya,accession,2026-02-01,,,,"), protocol
    )
    assert [str(error) for error in plan.errors] == [
        "line 3: Kenya: To join a protocol, the participant must already be a party to the "
        "parent treaty on that date."
    ]


def test_a_denunciation_the_same_day_as_the_instrument_is_read_after_it(treaty):
    plan = plan_import(
        csv_text("Canada,denunciation,2026-02-01,,,,", "Canada,accession,2026-02-01,,,,"), treaty
    )
    assert list(plan.errors) == []
