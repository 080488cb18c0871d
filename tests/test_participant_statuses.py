"""A participant's page reads only part of each treaty's record
(`status.participant_statuses`): its rows must be those of the whole record's status,
whatever the histories."""

import datetime as dt
import random

import pytest

from ratifications import rules
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from ratifications.status import participant_statuses
from states.models import Participant
from tests.factories import ActionFactory, OrganizationFactory, ParticipantFactory, TreatyFactory

AS_OF = dt.date(2027, 6, 30)


def _history(rng: random.Random, start: dt.date) -> list[tuple[ActionKind, dt.date]]:
    """A signature, then instruments and denunciations in any order: some break the
    rules' sequence (a second instrument while one is in force), as a record may."""
    day = start + dt.timedelta(days=rng.randrange(60))
    history = []
    if rng.random() < 0.8:
        history.append((ActionKind.SIGNATURE, day))
    kinds = [ActionKind.RATIFICATION, ActionKind.ACCESSION, ActionKind.DENUNCIATION]
    for _ in range(rng.randrange(4)):
        day += dt.timedelta(days=rng.randrange(1, 200))
        history.append((rng.choice(kinds), day))
    return history


@pytest.fixture
def records(db) -> list[Treaty]:
    """Treaties of thresholds 2 to 6 (two of threshold 3) with twelve participants'
    random histories, an organization among them: some thresholds come after the day of
    the threshold-th instrument (a formal confirmation that does not count, a second
    instrument, a denunciation that took effect before)."""
    rng = random.Random(20261202)
    participants = [ParticipantFactory() for _ in range(11)] + [OrganizationFactory()]
    treaties = []
    for threshold in (2, 3, 3, 4, 6):
        treaty = TreatyFactory(
            threshold=threshold,
            adopted_on=dt.date(2020, 1, 1),
            signature_opens_on=dt.date(2020, 1, 1),
            signature_closes_on=dt.date(2022, 1, 1),
        )
        for participant in participants:
            for kind, day in _history(rng, dt.date(2020, 1, 1)):
                if participant.is_reio and kind == ActionKind.RATIFICATION:
                    kind = ActionKind.FORMAL_CONFIRMATION
                ActionFactory(treaty=treaty, participant=participant, kind=kind, date=day)
        treaties.append(treaty)
    return treaties


def test_each_participants_rows_are_those_of_the_whole_records_status(records):
    treaties = list(Treaty.objects.all())
    delayed = 0
    for participant in Participant.objects.all():
        actions = list(Action.objects.verified().for_participant(participant))
        rows = participant_statuses(participant, actions, treaties, AS_OF)
        for treaty in treaties:
            status = treaty.status(AS_OF).status
            assert rows.get(treaty.pk) == status.row(participant.iso3), (participant, treaty)
        delayed += sum(1 for treaty in treaties if _delayed(treaty))
    # The case the third query is for is among them (the first seed found it wrong).
    assert delayed


def _delayed(treaty: Treaty) -> bool:
    """Whether the threshold came after the day of the threshold-th instrument."""
    days = sorted(
        Action.objects.verified()
        .filter(treaty=treaty, kind__in=rules.INSTRUMENTS, date__lte=AS_OF)
        .values_list("date", flat=True)
    )
    reached = treaty.status(AS_OF).status.threshold_reached_on
    return len(days) >= treaty.threshold and reached != days[treaty.threshold - 1]


def test_three_queries_at_most_however_many_treaties_and_thresholds(
    records, django_assert_max_num_queries
):
    participant = Participant.objects.first()
    actions = list(Action.objects.verified().for_participant(participant))
    treaties = list(Treaty.objects.all())
    with django_assert_max_num_queries(3):
        participant_statuses(participant, actions, treaties, AS_OF)
