"""The public pages and open data: a treaty's dashboard, a participant's page, the API and feeds.

Each is `@public` (treatytrack/caching.py): the cache middleware answers conditional
requests and anonymous readers' repeat requests before the view runs; the view itself
computes the status once, with `treaty.status()`, for everything it shows.
"""

import csv
import datetime as dt
import functools
import json
from collections import defaultdict

from django.conf import settings
from django.core.validators import slug_re
from django.db import DatabaseError, models
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from declarations.models import Declaration, on_participant_page, sees_contact_details
from ratifications import charts, ics, rules
from ratifications.feeds import ParticipantFeed, TreatyFeed
from ratifications.forms import DashboardForm, Declared, StatusFilter, parse_date
from ratifications.importing import export_rows
from ratifications.models import Action, Treaty
from ratifications.projection import timeline_overlay
from ratifications.rules import today_in_new_york
from ratifications.status import TreatyStatus, participant_statuses
from ratifications.table import Row, actions_html, rows_html
from ratifications.worldmap import world_map
from reports.models import participant_reports, reported_not_deposited
from states.models import Participant
from treatytrack.caching import SHARED_POLICY, etag_for, public
from treatytrack.i18n import in_english

DASHBOARD = "ratifications/dashboard.html"


def _fragment(request) -> str:
    """What htmx asks the dashboard for: the counters when they poll, the answer of the find
    box, otherwise the table ("" for the whole page, also to restore history)."""
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx or request.headers.get("HX-History-Restore-Request") == "true":
        return ""
    target = request.headers.get("HX-Target")
    return target if target in ("counters", "answer") else "participants"


dashboard_page = public(
    params=("as_of", "find", "q", "group", "status", "sort", "declared", "article"),
    vary=("HX-Request", "HX-Target", "HX-History-Restore-Request"),
    variant=_fragment,
)


@dashboard_page
@require_safe
def home(request):
    return dashboard(request, settings.DEFAULT_TREATY_SLUG)


@dashboard_page
@require_safe
def dashboard(request, slug):
    treaty = get_object_or_404(Treaty.objects.with_depositary_check(), slug=slug)
    form = DashboardForm(request.GET, treaty=treaty)
    if not form.is_valid():
        return render(
            request, "ratifications/bad_request.html", {"message": form.error_message()}, status=400
        )
    return _render_dashboard(request, treaty, form, _fragment(request))


def _render_dashboard(request, treaty, form, fragment):
    """The dashboard, or the fragment htmx asks for. Six queries in all: the treaty (with
    its last check against the depositary), its verified actions (the status), the reports
    not yet deposited (two), and every participant (the table, the map, the find box)."""
    filters = form.cleaned_data
    as_of, today = filters["as_of"], today_in_new_york()
    result = treaty.status(as_of)
    status = result.status
    # Reports are news of today: a day past, or to come, shows the record alone.
    reported = reported_not_deposited(treaty) if as_of in (None, today) else set()
    context = {
        "treaty": treaty,
        "result": result,
        "status": status,
        "as_of": as_of,
        "future": as_of is not None and as_of > today,
        "today": today,
        "form": form,
        "filters": form.filters(),
        "fragment": fragment,
        "reported": len(reported),
        "reported_url": _with_query(request.path, {"status": StatusFilter.REPORTED}),
        # The same view today, and this day with no filter.
        "today_url": _with_query(request.path, form.filters()),
        "clear_url": _with_query(request.path, {"as_of": as_of.isoformat()} if as_of else {}),
    }
    # Only a status that can still change is polled: today's, or a day to come.
    if as_of is None or as_of >= today:
        query = {"as_of": as_of.isoformat()} if as_of else {}
        # The poll carries the counters' own ETag, so that the server's 304
        # reaches htmx (a browser-cache revalidation would turn it into a 200
        # and the region would be replaced, and announced, every minute).
        etag = etag_for(request, variant="counters", query={k: [v] for k, v in query.items()})
        context |= {
            "poll_url": _with_query(request.path, query),
            "poll_headers": json.dumps({"If-None-Match": etag}),
        }
    if fragment == "counters":
        return render(request, f"{DASHBOARD}#counters", context)
    participants = _participants(filters)
    by_code = {row.participant: row for row in status.participants}
    url = _participant_url()
    rows = [
        Row(
            participant,
            by_code.get(participant.iso3),
            url(participant.iso3),
            result.notifications.get(participant.iso3, ""),
            participant.iso3 in result.declared,
            participant.pk in reported,
        )
        for participant in participants
    ]
    context |= _answer(filters["find"], rows)
    if fragment == "answer":
        return render(request, f"{DASHBOARD}#answer", context)
    shown = [row for row in rows if getattr(row.participant, "listed", True)]
    chosen = filters["status"] or StatusFilter.ACTED
    shown = [row for row in shown if chosen.matches(row.status, reported=row.reported)]
    shown = _declaring(treaty, as_of or today, filters, shown)
    # In Python, even by name: names sort as they read in the page's language.
    shown.sort(key=lambda row: filters["sort"].key(row.participant, row.status))
    context |= {
        "rows": shown,
        "everyone": len(rows),
        "filtered": bool(
            filters["q"]
            or filters["group"]
            or filters["status"]
            or filters["declared"]
            or filters["article"]
        ),
        "show_all_url": _with_query(request.path, {**form.filters(), "status": StatusFilter.ALL}),
    }
    context["table_rows"] = rows_html(shown, treaty.slug)
    if fragment == "participants":
        return render(request, f"{DASHBOARD}#participants", context)
    context |= {
        "organizations": [row for row in rows if row.participant.is_reio],
        "embed_url": request.build_absolute_uri(reverse("ratifications:embed", args=[treaty.slug])),
        # The pictures draw on what is already here: no query of their own.
        "world_map": world_map([(row.participant, row.status) for row in rows], url),
        "timeline": _timeline(treaty, result),
    }
    return render(request, DASHBOARD, context)


def _declaring(treaty, day, filters, rows: list[Row]) -> list[Row]:
    """The rows the declarations filters keep (declarations/): any record standing on the
    day is the table's own marker; reservations, or an article, cost one query."""
    declared, article = filters["declared"], filters["article"]
    if declared == Declared.ANY and article is None:
        return [row for row in rows if row.declared]
    if not declared and article is None:
        return rows
    declaring = Declaration.objects.declaring(
        treaty, day, reservations=declared == Declared.RESERVATIONS, article=article
    )
    return [row for row in rows if row.participant.pk in declaring]


def _with_query(path, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _participants(filters) -> list[Participant]:
    """Every participant, in one query; when a search or a group narrows the table, each
    with whether it is `listed`."""
    # What the table, the map and the find box show: its aliases only for the find box.
    participants = Participant.objects.only("name", "names", "iso2", "iso3", "kind", "m49")
    if filters["find"]:
        participants = participants.defer(None)
    if filters["q"] or filters["group"]:
        matching = Participant.objects.search(filters["q"])
        if filters["group"]:
            matching = matching.in_group(filters["group"])
        participants = participants.annotate(listed=Exists(matching.filter(pk=OuterRef("pk"))))
    return list(participants.fetch_mode(models.FETCH_RAISE))


def _participant_url():
    """A participant's page from its code, without reversing the URL for each of 198."""
    prefix = reverse("ratifications:participant", args=["AAA"]).removesuffix("AAA/")
    return lambda iso3: f"{prefix}{iso3}/"


def _answer(text: str, rows: list[Row]) -> dict:
    """The find box's answer: the participant it names, or those it might mean (a query)."""
    if not text:
        return {}
    found = set(Participant.objects.search(text).values_list("pk", flat=True))
    found = sorted(
        (row for row in rows if row.participant.pk in found),
        key=lambda row: row.participant.sort_key,
    )
    exact = [row for row in found if row.participant.is_named(text)]
    if len(exact) == 1 or len(found) == 1:
        return {"find": text, "answer": (exact or found)[0]}
    return {"find": text, "candidates": found[:12], "more": max(0, len(found) - 12)}


def _timeline(treaty, result: TreatyStatus) -> charts.Timeline:
    """The timeline of the status, and until the threshold is reached the projected entry
    into force as a band, with the comparable treaties' curves behind."""
    status = result.status
    overlay = timeline_overlay(result.projection, treaty.clauses)
    bands = []
    if overlay.entry_into_force:
        low, high = overlay.entry_into_force.low, overlay.entry_into_force.high
        bands.append(charts.Band(low, high, "projection"))
    return charts.timeline(
        status.timeline,
        start=treaty.signature_opens_on or treaty.adopted_on,
        as_of=status.as_of,
        today=today_in_new_york(),
        threshold=status.threshold,
        entry_into_force=status.entry_into_force,
        signature_closes=treaty.signature_closes_on,
        bands=bands,
        references=[curve.points for curve in overlay.curves],
    )


def _api_error(message, status):
    return JsonResponse({"error": message}, status=status)


def open_data(*params):
    """An open-data view of a treaty: public, in English, taking these query parameters.

    The view gets the treaty; an unknown one is a 404 and a database that does not
    answer a 503, in JSON like the rest of the API, whatever the slug holds.
    """

    def decorate(view):
        @public(params=params, refuse_unknown=True, translated=False, per_user=False)
        @require_safe
        @in_english
        @functools.wraps(view)
        def wrapped(request, slug):
            try:
                treaty = (
                    Treaty.objects.filter(slug=slug).first() if slug_re.fullmatch(slug) else None
                )
                if treaty is None:
                    return _api_error(f"No treaty {slug!r}.", 404)
                return view(request, treaty)
            except DatabaseError:
                return _api_error("The database does not answer; try again in a moment.", 503)

        return wrapped

    return decorate


@open_data("as_of")
def status_api(request, treaty):
    unknown = sorted(set(request.GET) - {"as_of"})
    if unknown:
        return _api_error(f"Unknown parameter {', '.join(unknown)}; the only one is as_of.", 400)
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return _api_error(str(exc), 400)
    return JsonResponse(treaty.status(as_of).as_json(), json_dumps_params={"ensure_ascii": False})


@open_data()
def actions_csv(request, treaty):
    """The verified actions in the import format (CONTRACT.md), as `export_actions` writes them."""
    if request.GET:
        return _api_error(
            f"Unknown parameter {', '.join(sorted(request.GET))}; this file takes none.", 400
        )
    actions = (
        Action.objects.verified()
        .for_treaty(treaty)
        .select_related("participant")
        .order_by("date", "participant__name", "kind")
        .fetch_mode(models.FETCH_RAISE)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{treaty.slug}-actions.csv"'
    csv.writer(response, lineterminator="\n").writerows(export_rows(actions))
    return response


@public(translated=False, per_user=False)
@require_safe
@in_english
def feed(request, slug):
    return TreatyFeed()(request, get_object_or_404(Treaty, slug=slug))


@public(translated=False, per_user=False)
@require_safe
@in_english
def calendar(request, slug):
    treaty = get_object_or_404(Treaty, slug=slug)
    result = treaty.status()
    text = ics.calendar(
        treaty.short_name,
        ics.key_dates(result, request.get_host()),
        # When the data last changed, so that an unchanged calendar is byte-identical.
        stamp=request.public[1].changed_at
        or dt.datetime.combine(treaty.adopted_on, dt.time(), tzinfo=dt.UTC),
        url=request.build_absolute_uri(treaty.get_absolute_url()),
    )
    response = HttpResponse(text, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{treaty.slug}.ics"'
    return response


@csp_override({**SHARED_POLICY, "frame-ancestors": ["*"]})
@public(per_user=False)
@require_safe
@xframe_options_exempt
def embed(request, slug):
    """The countdown card other sites put in an iframe: any site may frame it, and only it."""
    treaty = get_object_or_404(Treaty, slug=slug)
    result = treaty.status()
    context = {
        "treaty": treaty,
        "result": result,
        "status": result.status,
        "dashboard_url": request.build_absolute_uri(treaty.get_absolute_url()),
    }
    return render(request, "ratifications/embed.html", context)


@public()
@require_safe
def participant(request, iso3):
    if iso3 != iso3.upper():
        return redirect("ratifications:participant", iso3=iso3.upper(), permanent=True)
    participant = get_object_or_404(Participant, iso3=iso3)
    return _render_participant(request, participant)


def _render_participant(request, participant):
    """Every treaty, with this participant's actions, status and declarations on it.

    Five queries and those of `status.participant_statuses`: the treaties, its verified
    actions, its declarations, its reports. The contact details of its notifications only
    for signed-in staff, whose pages are never shared (`@public`: a signed-in reader's page
    is their own).
    """
    treaties = list(Treaty.objects.fetch_mode(models.FETCH_RAISE))
    actions = list(
        Action.objects.verified().for_participant(participant).fetch_mode(models.FETCH_RAISE)
    )
    today = rules.today_in_new_york()
    rows = participant_statuses(participant, actions, treaties, today)
    by_treaty = defaultdict(list)
    for action in actions:
        by_treaty[action.treaty_id].append(action)
    # Its declarations, reservations and notifications (declarations/): one query.
    contacts = sees_contact_details(request.user)
    declared = on_participant_page(participant, contacts=contacts)
    reports = participant_reports(participant, actions)
    items = [
        {
            "treaty": treaty,
            "row": rows.get(treaty.pk),
            "signature_phase": treaty.clauses.signature_phase(today),
            "actions": by_treaty[treaty.pk],
            "actions_html": actions_html(by_treaty[treaty.pk]),
            "declarations": declared.get(treaty.pk, []),
            "reports": reports.get(treaty.pk),
        }
        for treaty in treaties
    ]
    context = {"participant": participant, "treaties": items, "today": today, "contacts": contacts}
    return render(request, "ratifications/participant.html", context)


@public(translated=False, per_user=False)
@require_safe
@in_english
def participant_feed(request, iso3):
    if iso3 != iso3.upper():
        return redirect("ratifications:participant_feed", iso3=iso3.upper(), permanent=True)
    return ParticipantFeed()(request, get_object_or_404(Participant, iso3=iso3))
