"""The projection and the what-if: their API, the method page and the what-if page.

Public like the rest (`@public`, treatytrack/caching.py); beside ratifications/views.py
rather than in it. The projection is `TreatyStatus.projection` (ratifications/
projection.py), the what-if `whatif.scenario` (ratifications/whatif.py): nothing here
computes a date, and nothing is saved.
"""

from urllib.parse import urlencode

from django.db import models
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from django_htmx.http import push_url

from ratifications import projection as projections
from ratifications.forms import WhatIfForm, parse_date
from ratifications.models import Treaty
from ratifications.rules import today_in_new_york
from ratifications.views import open_data
from ratifications.whatif import MAX_DEPOSITS, Deposit, scenario
from states.models import Participant
from treatytrack.caching import public


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _unknown(request, known: tuple[str, ...]) -> JsonResponse | None:
    unknown = sorted(set(request.GET) - set(known))
    if unknown:
        return _error(
            f"Unknown parameter {', '.join(unknown)}; this address takes {', '.join(known)}."
        )
    return None


@open_data("as_of")
def projection_api(request, treaty):
    if refused := _unknown(request, ("as_of",)):
        return refused
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return _error(str(exc))
    document = {"treaty": {"slug": treaty.slug, "name": treaty.short_name}}
    document |= treaty.status(as_of).projection.as_json()
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@open_data("as_of", "deposit")
def what_if_api(request, treaty):
    if refused := _unknown(request, ("deposit", "as_of")):
        return refused
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
        deposits = [Deposit.parse(raw) for raw in request.GET.getlist("deposit")]
    except ValueError as exc:
        return _error(str(exc))
    if len(deposits) > MAX_DEPOSITS:
        return _error(f"At most {MAX_DEPOSITS} deposits, not {len(deposits)}.")
    codes = {deposit.iso3 for deposit in deposits}
    participants = {p.iso3: p for p in Participant.objects.filter(iso3__in=codes)}
    result = scenario(treaty, deposits, participants, as_of)
    if result.refused:
        return JsonResponse(
            {
                "error": " ".join(refusal.message for refusal in result.refused),
                "refused": [
                    {"deposit": str(refusal.deposit), "problems": list(refusal.problems)}
                    for refusal in result.refused
                ],
            },
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(result.result.as_json(), json_dumps_params={"ensure_ascii": False})


# The pages


@public(params=("as_of",))
@require_safe
def method(request, slug):
    """How the projection is made, with the data, the alternatives and the back-test."""
    treaty = get_object_or_404(Treaty, slug=slug)
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return render(request, "ratifications/bad_request.html", {"message": str(exc)}, status=400)
    result = treaty.status(as_of)
    status = result.status
    chosen = result.projection
    alternatives = [
        {
            "kind": kind,
            "projection": projections.project(
                treaty.clauses,
                status.instruments_counted,
                status.as_of,
                threshold_reached_on=status.threshold_reached_on,
                reference=treaty.untc_reference,
                kind=kind,
            ),
            "backtest": projections.backtest(kind),
            "chosen": kind == projections.DEFAULT_CLASS,
        }
        for kind in projections.ReferenceClass
    ]
    backtest = projections.backtest()
    context = {
        "treaty": treaty,
        "result": result,
        "status": status,
        "as_of": as_of,
        "projection": chosen,
        "alternatives": alternatives,
        "backtest": backtest,
        "backtest_rows": _backtest_rows(backtest),
        "months": projections.BACKTEST_MONTHS,
        "reference": projections.reference_treaties(),
        "used": {peer.key for peer in chosen.candidates},
        "interval_percent": round(projections.INTERVAL * 100),
        "minimum_peers": projections.MINIMUM_PEERS,
    }
    return render(request, "ratifications/projection.html", context)


def _backtest_rows(backtest: projections.BackTest) -> list[dict]:
    """One row per reference treaty: its trial (or None: already reached) at each age."""
    trials = {(trial.treaty.key, trial.months): trial for trial in backtest.trials}
    reached = {(treaty.key, months) for treaty, months in backtest.already_reached}
    return [
        {
            "treaty": treaty,
            "cells": [
                {
                    "months": months,
                    "trial": trials.get((treaty.key, months)),
                    "reached": (treaty.key, months) in reached,
                }
                for months in projections.BACKTEST_MONTHS
            ],
        }
        for treaty in projections.comparable()
    ]


def _what_if_variant(request) -> str:
    """ "scenario" for htmx (the form and its result), "" for the page. From the headers:
    the cache middleware asks before django-htmx's has run."""
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx or request.headers.get("HX-History-Restore-Request") == "true":
        return ""
    return "scenario"


def _scenario_url(path: str, deposits: list[Deposit]) -> str:
    """The page holding this scenario: its deposits in the order given, nothing else."""
    if not deposits:
        return path
    return f"{path}?{urlencode([('deposit', str(d)) for d in deposits], safe=':')}"


@public(
    # Not "remove": a form control of that name would hide the form's own remove().
    params=("deposit", "who", "on", "without"),
    vary=("HX-Request", "HX-History-Restore-Request"),
    variant=_what_if_variant,
)
@require_safe
def what_if(request, slug):
    """Hypothetical deposits, added one by one or a group at a time; the scenario is the
    URL. Adding or removing answers with the new scenario's address: a redirect without
    JavaScript, the fragment and its address (HX-Push-Url) with htmx."""
    treaty = get_object_or_404(Treaty, slug=slug)
    today = today_in_new_york()
    participants = list(
        Participant.objects.only(
            "name", "names", "iso3", "kind", "regional_group", "also_in_group"
        ).fetch_mode(models.FETCH_RAISE)
    )
    by_code = {participant.iso3: participant for participant in participants}
    deposits, malformed = [], []
    for raw in request.GET.getlist("deposit")[:MAX_DEPOSITS]:
        try:
            deposits.append(Deposit.parse(raw))
        except ValueError as exc:
            malformed.append(str(exc))
    current = scenario(treaty, deposits, by_code)
    adding = "without" not in request.GET and ("who" in request.GET or "on" in request.GET)
    form = WhatIfForm(
        request.GET if adding else None,
        treaty=treaty,
        participants=participants,
        # The day of the last deposit, for the next: a scenario is often one day's batch.
        day=deposits[-1].date if deposits else today,
    )
    changed = None
    if "without" in request.GET:
        # One deposit, as the URL writes it: the participant's others stay.
        changed = [deposit for deposit in deposits if str(deposit) != request.GET["without"]]
    elif adding and form.is_valid():
        day, group = form.cleaned_data["on"], form.group()
        if group is None:
            new = [Deposit(form.cleaned_data["who"], day)]
            tried = scenario(treaty, deposits + new, by_code)
            problems = [" ".join(r.problems) for r in tried.refused if r.deposit in new]
            if problems:
                form.add_error("who", problems)
            else:
                changed = deposits + new
        elif chosen := _signatories(current, participants, group):
            changed = deposits + [Deposit(participant.iso3, day) for participant in chosen]
        else:
            form.add_error("who", gettext("Every such signatory has deposited already."))
    if changed is not None:
        url = _scenario_url(request.path, changed)
        if not _what_if_variant(request):
            return redirect(url)
        current = scenario(treaty, changed, by_code)
        # The language switcher's links lead back to the new scenario, not to the change.
        request.META["QUERY_STRING"] = url.partition("?")[2]
    context = {
        "treaty": treaty,
        "scenario": current,
        "status": current.result.status,
        "verified": current.verified.status,
        "rows": current.rows(),
        "form": form,
        "malformed": malformed,
        "today": today,
        "fragment": _what_if_variant(request),
        # As given, refused ones too: the page names them and each can be removed.
        "kept": changed if changed is not None else deposits,
    }
    if context["fragment"]:
        response = render(request, "ratifications/what_if.html#scenario", context)
        if changed is not None:
            push_url(response, url)
        return response
    return render(request, "ratifications/what_if.html", context)


def _signatories(current, participants, group: str) -> list[Participant]:
    """The signatories (of a regional group, or all) with no instrument, verified or in
    the scenario, in the order of their names; organizations after the States."""
    rows = {row.participant: row for row in current.result.status.participants}
    chosen = [
        participant
        for participant in participants
        if (row := rows.get(participant.iso3))
        and row.signature
        and row.consent is None
        and (not group or group in (participant.regional_group, participant.also_in_group))
    ]
    return sorted(chosen, key=lambda p: (p.is_reio, p.name))
