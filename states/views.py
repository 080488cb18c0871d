from collections import defaultdict

from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from ratifications import rules
from ratifications.conditional import Fingerprint, Validators, respond, with_fingerprint
from ratifications.feeds import ParticipantFeed
from ratifications.models import Action, Treaty
from states.models import Participant
from treatytrack.i18n import in_english


@require_safe
def participant(request, iso3):
    if iso3 != iso3.upper():
        return redirect("states:participant", iso3=iso3.upper(), permanent=True)
    participant = get_object_or_404(Participant, iso3=iso3)
    # Its status on a treaty depends on every other participant's actions there.
    validators = Validators(Fingerprint.of_all_actions(participant), per_user=True)
    return respond(request, validators, lambda: _render_participant(request, participant))


def _render_participant(request, participant):
    """Every treaty, with this participant's actions and status on it: two queries in all."""
    treaties = list(Treaty.objects.fetch_mode(models.FETCH_RAISE))
    # The verified actions of every treaty it acted on, for their status and its history.
    actions = (
        Action.objects.verified()
        .filter(treaty__in=Action.objects.verified().for_participant(participant).values("treaty"))
        .select_related("participant")
        .fetch_mode(models.FETCH_RAISE)
    )
    by_treaty = defaultdict(list)
    for action in actions:
        by_treaty[action.treaty_id].append(action)
    today = rules.today_in_new_york()
    items = []
    for treaty in treaties:
        own = [a for a in by_treaty[treaty.pk] if a.participant_id == participant.pk]
        row = None
        if own:
            status = rules.compute_status(
                treaty.clauses, (a.as_act() for a in by_treaty[treaty.pk]), today
            )
            row = next(p for p in status.participants if p.participant == participant.iso3)
        items.append({"treaty": treaty, "row": row, "actions": own})
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
