"""Declarations are records of their own: a file of actions refuses them, saying where they go."""

import pytest

from ratifications.importing import plan_import
from states.models import Participant
from tests.factories import ActionFactory


@pytest.mark.parametrize("kind", ["declaration", "Reservation", "notification"])
def test_a_declaration_row_is_refused_with_a_message_saying_where_it_goes(defaults, kind):
    plan = plan_import(f"participant,action,date\nViet Nam,{kind},2026-01-05\n", defaults)
    assert [str(e) for e in plan.errors] == [
        f"line 2: {kind!r} is not an action: import it with the declarations "
        "(import_declarations), whose file has a column for its text."
    ]


def test_a_file_listing_a_signature_after_the_same_days_ratification_imports(empty_record):
    ActionFactory(treaty=empty_record, participant=Participant.objects.get(iso3="CHL"))
    text = (
        "participant,action,date\n"
        "Chile,ratification,2026-02-01\n"
        "Canada,ratification,2026-02-01\n"
        "Canada,signature,2026-02-01\n"
    )
    plan = plan_import(text, empty_record)
    assert plan.ok, [str(e) for e in plan.errors]
    assert len(plan.new) == 3
