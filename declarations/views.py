"""Declarations, reservations and notifications in public: the treaty's page by article and
the open data. Verified records only, and never a notification's contact details: every
query here starts from `Declaration.objects.public()`, which leaves them out.

The missions' and the depositary's pages are in `declarations/workspaces.py`.
"""

import datetime as dt
from collections import defaultdict

from django.db import models
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from declarations.articles import Article
from declarations.importing import export_rows, exported
from declarations.models import CONTACT_FIELDS, Declaration
from declarations.rules import Kind
from ratifications.forms import parse_date
from ratifications.importing import write_csv
from ratifications.models import Treaty
from ratifications.rules import today_in_new_york
from ratifications.views import _api_error, open_data
from treatytrack.caching import public


def _shown(treaty: Treaty, day: dt.date, article: int | None = None):
    """The treaty's verified records made by the end of `day` (those concerning `article`,
    and the objections to them), each with `withdrawn_on`. One query."""
    records = (
        Declaration.objects.public()
        .for_treaty(treaty)
        .filter(date__lte=day)
        .with_withdrawal()
        .select_related("participant", "answers__participant")
        .defer(*(f"answers__{name}" for name in CONTACT_FIELDS))
    )
    if article is not None:
        cited = Declaration.objects.under_article(article).values("pk")
        records = records.filter(models.Q(pk__in=cited) | models.Q(answers__in=cited))
    return records.order_by("date", "participant__name", "pk").fetch_mode(models.FETCH_RAISE)


@public(params=("as_of",))
@require_safe
def by_article(request, slug, article: int | None = None):
    """Which participants declared, reserved or notified what under each article, as it
    stood at the end of a day (`as_of`, default today): withdrawn ones apart."""
    treaty = get_object_or_404(Treaty, slug=slug)
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return render(request, "ratifications/bad_request.html", {"message": str(exc)}, status=400)
    if as_of and as_of < treaty.adopted_on:
        message = _("as_of: the treaty was adopted on %(day)s; there is no record before.") % {
            "day": date_format(treaty.adopted_on, "DATE_FORMAT")
        }
        return render(request, "ratifications/bad_request.html", {"message": message}, status=400)
    today = today_in_new_york()
    day = as_of or today
    records = list(_shown(treaty, day, article))
    objections = defaultdict(list)
    for record in records:
        if record.withdrawn_on and record.withdrawn_on > day:
            record.withdrawn_on = None  # not yet, on the day shown
        if record.kind == Kind.OBJECTION:
            objections[record.answers_id].append(record)
    sections: dict[int | None, dict] = {}
    for record in records:
        if record.kind in (Kind.OBJECTION, Kind.WITHDRAWAL):
            continue  # shown with what they answer
        record.objections = objections.get(record.pk, [])
        cited = sorted({a.article for a in record.provisions_cited}) or [None]
        for number in cited:
            if article is not None and number != article:
                continue
            section = sections.setdefault(number, {"article": number, "standing": [], "gone": []})
            section["gone" if record.withdrawn_on else "standing"].append(record)
    ordered = sorted(sections.values(), key=lambda s: (s["article"] is None, s["article"] or 0))
    context = {
        "treaty": treaty,
        "article": article,
        "sections": ordered,
        "articles": [s["article"] for s in ordered if s["article"] is not None],
        "as_of": as_of,
        "today": today,
        "future": as_of is not None and as_of > today,
    }
    return render(request, "declarations/by_article.html", context)


@open_data()
def declarations_csv(request, treaty):
    """Every verified record of the treaty, in the import format (docs/open-data.md)."""
    if request.GET:
        return _api_error(
            f"Unknown parameter {', '.join(sorted(request.GET))}; this file takes none.", 400
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{treaty.slug}-declarations.csv"'
    write_csv(response, export_rows(exported(treaty).fetch_mode(models.FETCH_RAISE)))
    return response


@open_data("as_of", "article")
def declarations_json(request, treaty):
    """The verified records made by `as_of` (default: all, as of today), or those under one
    `article`, each saying whether it stands on that day."""
    unknown = sorted(set(request.GET) - {"as_of", "article"})
    if unknown:
        return _api_error(
            f"Unknown parameter {', '.join(unknown)}; the parameters are as_of and article.", 400
        )
    try:
        as_of = parse_date(request.GET.get("as_of", ""))
    except ValueError as exc:
        return _api_error(str(exc), 400)
    article = request.GET.get("article", "")
    if article and not (article.isascii() and article.isdigit() and 0 < int(article) < 1000):
        return _api_error(f"article must be an article's number, not {article!r}.", 400)
    day = as_of or today_in_new_york()
    records = list(_shown(treaty, day, int(article) if article else None))
    document = {
        "treaty": {"slug": treaty.slug, "name": treaty.short_name},
        "as_of": day.isoformat(),
        "article": int(article) if article else None,
        "declarations": [_as_json(request, record, day) for record in records],
    }
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


def _as_json(request, record: Declaration, day: dt.date) -> dict:
    withdrawn_on = (
        record.withdrawn_on if record.withdrawn_on and record.withdrawn_on <= day else None
    )
    return {
        "ref": record.ref,
        "participant": {"name": record.participant.name, "iso3": record.participant.iso3},
        "kind": record.kind,
        "made": record.made,
        "date": record.date.isoformat(),
        "articles": [_article(article) for article in record.provisions_cited],
        "answers": record.answers.ref if record.answers_id else None,
        "subject": record.subject or None,
        "authority": record.authority,
        "language": record.language or None,
        "text": record.text,
        "text_english": record.text_english,
        "text_available": bool(record.text),
        "notification": record.notification,
        "source": record.source,
        "note": record.note,
        "withdrawn_on": withdrawn_on.isoformat() if withdrawn_on else None,
        "in_effect": record.kind != Kind.WITHDRAWAL and withdrawn_on is None,
        "url": request.build_absolute_uri(record.get_absolute_url()),
    }


def _article(article: Article) -> dict:
    return {
        "label": str(article),
        "article": article.article,
        "paragraph": article.paragraph or None,
        "subparagraph": article.subparagraph or None,
    }
