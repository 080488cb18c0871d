"""The public dashboard and the open data of a treaty.

Every view looks the treaty up with its fingerprint in one query, answers 304
when the client's copy is current (`conditional.respond`), and otherwise
computes the status once, with `treaty.status()`, for everything it shows.
"""

import csv
import datetime as dt
import json
from collections import defaultdict

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from ratifications import charts, ics, rules
from ratifications.conditional import (
    Fingerprint,
    Validators,
    participant_with_fingerprint_of_all,
    respond,
    treaty_with_fingerprint,
    with_changes,
    with_fingerprint,
)
from ratifications.feeds import ParticipantFeed, TreatyFeed
from ratifications.forms import DashboardForm, parse_date
from ratifications.importing import export_rows
from ratifications.models import Action, Treaty
from ratifications.rules import today_in_new_york
from ratifications.status import TreatyStatus, statuses
from ratifications.worldmap import world_map
from states.models import Participant
from treatytrack.i18n import in_english

DASHBOARD = "ratifications/dashboard.html"


def _treaty_or_404(slug) -> Treaty:
    treaty = treaty_with_fingerprint(slug)
    if treaty is None:
        raise Http404(f"No treaty {slug!r}.")
    return treaty


@require_safe
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def home(request):
    return _dashboard(request, _treaty_or_404(settings.DEFAULT_TREATY_SLUG))


@require_safe
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def dashboard(request, slug):
    return _dashboard(request, _treaty_or_404(slug))


def _dashboard(request, treaty):
    # What htmx asks for: the counters when they poll, otherwise the table.
    # Restoring history (back button) needs the whole page.
    fragment = None
    if request.htmx and not request.htmx.history_restore_request:
        fragment = "counters" if request.htmx.target == "counters" else "participants"
    validators = Validators(Fingerprint.of(treaty), per_user=True)
    # The query is checked only when the page is rendered: a response kept under
    # its ETag (which holds the query) was rendered from a valid one.
    return respond(
        request,
        validators,
        lambda: _render_dashboard(
            request, treaty, DashboardForm(request.GET), fragment, validators
        ),
        variant=fragment or "page",
    )


def _render_dashboard(request, treaty, form, fragment, validators):
    if not form.is_valid():
        return render(
            request,
            "ratifications/bad_request.html",
            {"message": form.error_message()},
            status=400,
        )
    filters = form.cleaned_data
    as_of, today = filters["as_of"], today_in_new_york()
    result = treaty.status(as_of)
    context = {
        "treaty": treaty,
        "result": result,
        "status": result.status,
        "as_of": as_of,
        "form": form,
        "filters": form.filters(),
        # The same table today, and this day with no filter.
        "today_url": _with_query(request.path, form.filters()),
        "clear_url": _with_query(request.path, {"as_of": as_of.isoformat()} if as_of else {}),
        "organizations": [(p, row) for p, row in result.rows() if row.reio],
        "fragment": fragment,
    }
    # Only a status that can still change is polled: today's, or a day to come.
    if as_of is None or as_of >= today:
        poll_url = _with_query(request.path, {"as_of": as_of.isoformat()} if as_of else {})
        # The poll carries the counters' own ETag, so that the server's 304
        # reaches htmx (a browser-cache revalidation would turn it into a 200
        # and the region would be replaced, and announced, every minute).
        etag = validators.etag(request, variant="counters", path=poll_url)
        context |= {"poll_url": poll_url, "poll_headers": json.dumps({"If-None-Match": etag})}
    if fragment != "counters":
        everyone, context["rows"] = _participant_rows(
            treaty, result, filters, everyone=fragment is None
        )
        context["filtered"] = any(filters[name] for name in ("q", "group", "status"))
    if fragment is None:
        context["embed_url"] = request.build_absolute_uri(
            reverse("ratifications:embed", args=[treaty.slug])
        )
        # The pictures draw on what is already here: no query of their own.
        context["world_map"] = world_map(everyone)
        context["timeline"] = _timeline(treaty, result.status)
    template = f"{DASHBOARD}#{fragment}" if fragment else DASHBOARD
    return render(request, template, context)


def _with_query(path, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _participant_rows(
    treaty, result: TreatyStatus, filters, *, everyone: bool = False
) -> tuple[list[tuple], list[tuple]]:
    """Every participant (when `everyone`, for the map), and those the filters keep.

    Each comes with its status row (None: no verified action). One query: the
    participants, each with its newest depositary notification and whether it
    made declarations, up to the day shown; when `everyone` and a search or a
    group narrows the table, with whether it matches them.
    """
    actions = Action.objects.verified().filter(
        treaty=treaty, participant=OuterRef("pk"), date__lte=result.status.as_of
    )
    matching = Participant.objects.search(filters["q"])
    if filters["group"]:
        matching = matching.in_group(filters["group"])
    narrowed = bool(filters["q"] or filters["group"])
    participants = Participant.objects.all() if everyone and narrowed else matching
    participants = participants.annotate(
        notification=Subquery(
            actions.exclude(notification="").order_by("-date", "-pk").values("notification")[:1]
        ),
        has_declarations=Exists(actions.exclude(declarations="")),
    )
    if everyone and narrowed:
        participants = participants.annotate(listed=Exists(matching.filter(pk=OuterRef("pk"))))
    by_iso3 = {row.participant: row for row in result.status.participants}
    pairs = [
        (participant, by_iso3.get(participant.iso3))
        for participant in participants.fetch_mode(models.FETCH_RAISE)
    ]
    rows = [(p, row) for p, row in pairs if getattr(p, "listed", True)]
    if filters["status"]:
        rows = [(p, row) for p, row in rows if filters["status"].matches(row)]
    # In Python, even by name: names sort as they read in the page's language.
    rows.sort(key=lambda pair: filters["sort"].key(*pair))
    return pairs, rows


def _timeline(treaty, status: rules.Status) -> charts.Timeline:
    return charts.timeline(
        status.timeline,
        start=treaty.signature_opens_on or treaty.adopted_on,
        as_of=status.as_of,
        threshold=status.threshold,
        entry_into_force=status.entry_into_force,
    )


def _api_error(message, status):
    return JsonResponse({"error": message}, status=status)


@require_safe
@in_english
def status_api(request, slug):
    unknown = sorted(set(request.GET) - {"as_of"})
    if unknown:
        return _api_error(f"Unknown parameter {', '.join(unknown)}; the only one is as_of.", 400)
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return _api_error(str(exc), 400)
    treaty = treaty_with_fingerprint(slug)
    if treaty is None:
        return _api_error(f"No treaty {slug!r}.", 404)
    return respond(
        request,
        Validators(Fingerprint.of(treaty)),
        lambda: JsonResponse(
            treaty.status(as_of).as_json(), json_dumps_params={"ensure_ascii": False}
        ),
    )


@require_safe
@in_english
def actions_csv(request, slug):
    """The verified actions in the import format (CONTRACT.md), as `export_actions` writes them."""
    if request.GET:
        return _api_error(
            f"Unknown parameter {', '.join(sorted(request.GET))}; this file takes none.", 400
        )
    treaty = treaty_with_fingerprint(slug)
    if treaty is None:
        return _api_error(f"No treaty {slug!r}.", 404)

    def write():
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

    # The whole history: it does not move with the date.
    return respond(request, Validators(Fingerprint.of(treaty), daily=False), write)


@require_safe
@in_english
def feed(request, slug):
    treaty = _treaty_or_404(slug)
    return respond(
        request,
        Validators(Fingerprint.of(treaty), daily=False),
        lambda: TreatyFeed()(request, treaty),
    )


@require_safe
@in_english
def calendar(request, slug):
    treaty = _treaty_or_404(slug)

    def write():
        result = treaty.status()
        text = ics.calendar(
            treaty.short_name,
            ics.key_dates(result, request.get_host()),
            # When the data last changed, so that an unchanged calendar is byte-identical.
            stamp=treaty.changed_at
            or dt.datetime.combine(treaty.adopted_on, dt.time(), tzinfo=dt.UTC),
            url=request.build_absolute_uri(treaty.get_absolute_url()),
        )
        response = HttpResponse(text, content_type=ics.CONTENT_TYPE)
        response["Content-Disposition"] = f'inline; filename="{treaty.slug}.ics"'
        return response

    return respond(request, Validators(Fingerprint.of(treaty)), write)


@require_safe
@xframe_options_exempt
@csp_override({**settings.SECURE_CSP, "frame-ancestors": ["*"]})
def embed(request, slug):
    """The countdown card other sites put in an iframe: any site may frame it, and only it."""
    treaty = _treaty_or_404(slug)

    def write():
        result = treaty.status()
        context = {
            "treaty": treaty,
            "result": result,
            "status": result.status,
            "dashboard_url": request.build_absolute_uri(treaty.get_absolute_url()),
        }
        return render(request, "ratifications/embed.html", context)

    return respond(request, Validators(Fingerprint.of(treaty)), write)


@require_safe
def participant(request, iso3):
    if iso3 != iso3.upper():
        return redirect("ratifications:participant", iso3=iso3.upper(), permanent=True)
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
    return render(request, "ratifications/participant.html", context)


@require_safe
@in_english
def participant_feed(request, iso3):
    if iso3 != iso3.upper():
        return redirect("ratifications:participant_feed", iso3=iso3.upper(), permanent=True)
    participant = get_object_or_404(with_fingerprint(Participant.objects.all()), iso3=iso3)
    return respond(
        request,
        Validators(Fingerprint.of(participant), daily=False),
        lambda: ParticipantFeed()(request, participant),
    )
