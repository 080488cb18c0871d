"""Reports in the open data (docs/open-data.md), and the report form both workspaces use."""

import csv

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from ratifications.views import open_data
from reports.models import Report, as_csv_rows


def _no_parameters(request) -> JsonResponse | None:
    if request.GET:
        return JsonResponse(
            {"error": f"Unknown parameter {', '.join(sorted(request.GET))}; this file takes none."},
            status=400,
        )
    return None


def _reports(treaty) -> list[Report]:
    """Every report of the treaty, by participant and date, each with the action that
    records it: two queries."""
    return (
        Report.objects.for_treaty(treaty)
        .select_related("participant")
        .order_by("participant__name", "date", "pk")
        .with_recorded()
    )


@open_data()
def reports_csv(request, treaty):
    """The reports as CSV: never counted, apart from the verified actions' file."""
    if refused := _no_parameters(request):
        return refused
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{treaty.slug}-reports.csv"'
    csv.writer(response, lineterminator="\n").writerows(as_csv_rows(_reports(treaty)))
    return response


@open_data()
def reports_json(request, treaty):
    if refused := _no_parameters(request):
        return refused
    reports = [
        {
            "participant": report.participant.name,
            "iso3": report.participant.iso3,
            "kind": report.kind,
            "date": report.date.isoformat(),
            "articles": report.articles,
            "summary": report.summary,
            "confidence": report.confidence,
            "source": report.source,
            "recorded": {"action": report.recorded.kind, "date": report.recorded.date.isoformat()}
            if report.recorded
            else None,
        }
        for report in _reports(treaty)
    ]
    return JsonResponse(
        {"treaty": treaty.slug, "reports": reports}, json_dumps_params={"ensure_ascii": False}
    )


def form_page(request, context: dict):
    """The report form: its page, or for htmx the form alone (with its errors)."""
    if request.htmx:
        return render(request, "reports/_report_form.html#report-form", context)
    return render(request, "reports/new.html", context)


def save(request, form) -> Report:
    report = form.save(commit=False)
    report.reported_by = request.user
    report._change_reason = "reported"
    report.save()
    return report
