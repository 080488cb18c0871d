from collections import defaultdict

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from ratifications import rules
from ratifications.conditional import (
    Fingerprint,
    Validators,
    participant_with_fingerprint_of_all,
    respond,
    with_changes,
    with_fingerprint,
)
from ratifications.feeds import ParticipantFeed
from ratifications.models import Action, Treaty, statuses
from states.models import Participant
from treatytrack.i18n import in_english


@require_safe
def participant(request, iso3):
    if iso3 != iso3.upper():
        return redirect("states:participant", iso3=iso3.upper(), permanent=True)
    participant = participant_with_fingerprint_of_all(iso3)
    if participant is None:
        raise Http404(f"No participant {iso3!r}.")
    validators = Validators(Fingerprint.of(participant), per_user=True)
    return respond(request, validators, lambda: _render_participant(request, participant))


def _render_participant(request, participant):
    """Every treaty, with this participant's actions and status on it.

    Two queries (the treaties with their fingerprints, its verified actions)
    when the statuses of the treaties it acted on are cached, as the dashboards
    cache them; one more, for those treaties' verified actions, when they are not.
    """
    treaties = list(with_changes(Treaty.objects.all()).fetch_mode(models.FETCH_RAISE))
    by_treaty = defaultdict(list)
    for action in (
        Action.objects.verified().for_participant(participant).fetch_mode(models.FETCH_RAISE)
    ):
        by_treaty[action.treaty_id].append(action)
    today = rules.today_in_new_york()
    found = statuses([treaty for treaty in treaties if by_treaty[treaty.pk]], today)
    items = []
    for treaty in treaties:
        row = None
        if treaty.pk in found:
            row = next(
                p for p in found[treaty.pk].status.participants if p.participant == participant.iso3
            )
        items.append({"treaty": treaty, "row": row, "actions": by_treaty[treaty.pk]})
    context = {"participant": participant, "treaties": items, "today": today}
    return render(request, "states/participant.html", context)


@require_safe
@in_english
def participant_feed(request, iso3):
    if iso3 != iso3.upper():
        return redirect("states:feed", iso3=iso3.upper(), permanent=True)
    participant = get_object_or_404(with_fingerprint(Participant.objects.all()), iso3=iso3)
    return respond(
        request,
        Validators(Fingerprint.of(participant), daily=False),
        lambda: ParticipantFeed()(request, participant),
    )
