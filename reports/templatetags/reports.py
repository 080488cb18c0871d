from collections import defaultdict

from django import template
from django.db import models

from reports.models import Report

register = template.Library()


@register.simple_tag
def reports_on(participant, treaty, actions) -> dict:
    """A participant's reports on a treaty, split into those the depositary has not recorded
    and those it has since (each with `recorded`, found among `actions`: the participant's
    verified actions on the treaty, which the page has already).

    One query for every treaty of the page: the participant's reports are read once and
    kept on it, an object of this request.
    """
    found = vars(participant).get("_reports_by_treaty")
    if found is None:
        found = defaultdict(list)
        rows = Report.objects.for_participant(participant).order_by("date", "pk")
        for report in rows.fetch_mode(models.FETCH_RAISE):
            report.participant = participant
            found[report.treaty_id].append(report)
        vars(participant)["_reports_by_treaty"] = found
    reports = found.get(treaty.pk, [])
    for report in reports:
        report.recorded = report.recorded_by(actions)
    return {
        "reported": [r for r in reports if r.recorded is None],
        "recorded": [r for r in reports if r.recorded is not None],
    }
