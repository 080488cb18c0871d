import datetime as dt
import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ratifications.models import Treaty
from ratifications.rules import today_in_new_york

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadParameter(ValueError):
    pass


def _as_of(request) -> dt.date | None:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None
    try:
        if _DATE.fullmatch(raw):
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise BadParameter(f"as_of must be a date written YYYY-MM-DD, not {raw!r}.")


@require_safe
def home(request):
    return _dashboard(request, get_object_or_404(Treaty, slug=settings.DEFAULT_TREATY_SLUG))


@require_safe
def dashboard(request, slug):
    return _dashboard(request, get_object_or_404(Treaty, slug=slug))


def _dashboard(request, treaty):
    try:
        as_of = _as_of(request)
    except BadParameter as exc:
        return render(request, "ratifications/bad_request.html", {"message": str(exc)}, status=400)
    result = treaty.status(as_of)
    context = {
        "treaty": treaty,
        "result": result,
        "status": result.status,
        "rows": result.rows(),
        "today": today_in_new_york(),
        "time_travel": as_of is not None,
    }
    return render(request, "ratifications/dashboard.html", context)


@require_safe
def status_api(request, slug):
    unknown = sorted(set(request.GET) - {"as_of"})
    if unknown:
        return JsonResponse(
            {"error": f"Unknown parameter {', '.join(unknown)}; the only one is as_of."}, status=400
        )
    try:
        as_of = _as_of(request)
    except BadParameter as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    try:
        treaty = Treaty.objects.get(slug=slug)
    except Treaty.DoesNotExist:
        return JsonResponse({"error": f"No treaty {slug!r}."}, status=404)
    return JsonResponse(treaty.status(as_of).as_json(), json_dumps_params={"ensure_ascii": False})
