from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from ratifications.models import Action, Treaty
from states.models import Participant


@require_safe
def participant(request, iso3):
    if iso3 != iso3.upper():
        return redirect("states:participant", iso3=iso3.upper(), permanent=True)
    participant = get_object_or_404(Participant, iso3=iso3)
    actions = (
        Action.objects.verified()
        .for_participant(participant)
        .select_related("treaty")
        .order_by("treaty__adopted_on", "date", "pk")
    )
    treaties = []
    for treaty in Treaty.objects.filter(actions__in=actions).distinct():
        result = treaty.status()
        row = next((r for p, r in result.rows() if p.pk == participant.pk), None)
        treaties.append(
            {
                "treaty": treaty,
                "row": row,
                "actions": [a for a in actions if a.treaty_id == treaty.pk],
            }
        )
    return render(
        request, "states/participant.html", {"participant": participant, "treaties": treaties}
    )
