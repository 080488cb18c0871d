"""The depositary workspace: the queue of submissions, verification, direct entry.

Each decision runs in one transaction on the submission's row, locked with
select_for_update(): of two people acting at once, the second waits, then finds
the submission already decided or changed and is told so (Action.Conflict). The
database constraints stop the rest (two different submissions of one fact): an
IntegrityError there becomes a message too, never a double count.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from accounts.models import is_depositary_staff, mission_staff_emails
from depositary.forms import QueueFilter, RejectForm
from ratifications.audit import audit_trail
from ratifications.forms import ActionForm
from ratifications.models import Action, Treaty
from states.models import Participant

# The event the counters listen for (hx-trigger="statusChanged from:body").
STATUS_CHANGED = "statusChanged"


def _depositary(request):
    if not is_depositary_staff(request.user):
        raise PermissionDenied(_("This is the depositary's workspace."))


def _counters():
    """Each treaty's counts as the public sees them, and its pending submissions."""
    pending = dict(
        Action.objects.pending().values_list("treaty").annotate(n=Count("pk")).order_by()
    )
    return [
        {"treaty": treaty, "status": treaty.status().status, "pending": pending.get(treaty.pk, 0)}
        for treaty in Treaty.objects.all()
    ]


def _queue_context(request):
    # After a decision the filters come back in the form's `query` field.
    params = request.GET if request.method == "GET" else QueryDict(request.POST.get("query", ""))
    filters = QueueFilter(params or None)
    pending = list(
        filters.apply(Action.objects.pending())
        .select_related("participant", "treaty", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    impacts = {}
    for treaty in {a.treaty for a in pending}:
        impacts.update(treaty.impacts(a for a in pending if a.treaty_id == treaty.pk))
    return {
        "filters": filters,
        "queue": [(a, impacts[a.pk]) for a in pending],
        "counters": _counters(),
        "query": params.urlencode(),
    }


@vary_on_headers("HX-Request")
@require_safe
@login_required
def queue(request):
    _depositary(request)
    template = "depositary/queue.html"
    if request.htmx and not request.htmx.boosted:
        template += "#queue"
    return render(request, template, _queue_context(request))


@require_safe
@login_required
def counters(request):
    _depositary(request)
    return render(request, "depositary/queue.html#counters", {"counters": _counters()})


def _back_to_queue(request, changed: bool):
    """The queue again: its fragment for htmx (with the counters told), else a redirect."""
    if request.htmx:
        response = render(request, "depositary/queue.html#queue", _queue_context(request))
        return trigger_client_event(response, STATUS_CHANGED) if changed else response
    url = reverse("depositary:queue")
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return redirect(f"{url}?{query}" if query else url)


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decide(request, pk, version, decide) -> Action | None:
    """Apply one decision to one locked submission; tell the user how it went."""
    try:
        with transaction.atomic():
            action = get_object_or_404(
                Action.objects.select_for_update(of=("self",)).select_related(
                    "participant", "treaty", "submitted_by", "reviewed_by"
                ),
                pk=pk,
            )
            decide(action, version)
    except Action.Conflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(
            request,
            _("Not verified: %(action)s. %(problems)s")
            % {"action": action, "problems": " ".join(error.messages)},
        )
    except IntegrityError:
        messages.error(
            request,
            _(
                "Not verified: %(action)s. The same fact was verified by someone else at the "
                "same moment; it is counted once."
            )
            % {"action": action},
        )
    else:
        return action
    return None


def _tell_mission(request, action):
    """Email the participant's mission; the workspace shows the same news.

    In the site's default language: the mission's staff may read another
    language than the depositary's who decided, and no account records one.
    """
    recipients = set(mission_staff_emails(action.participant))
    if action.submitted_by and action.submitted_by.email:
        recipients.add(action.submitted_by.email)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send_decision(request, action, sorted(recipients))


def _send_decision(request, action, recipients):
    if action.review == Action.Review.VERIFIED:
        subject = _("Verified: %(action)s") % {"action": action}
        body = _("The depositary verified %(action)s. It now counts in the public status.")
    else:
        subject = _("Rejected: %(action)s") % {"action": action}
        body = _("The depositary rejected %(action)s, for this reason:\n\n%(reason)s")
    body = body % {"action": action, "reason": action.rejection_reason}
    body += "\n\n" + _("Your submissions: %(url)s") % {
        "url": request.build_absolute_uri(reverse("missions:workspace")),
    }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@require_POST
@login_required
def verify(request, pk):
    _depositary(request)
    action = _decide(
        request,
        pk,
        _version(request.POST.get("version")),
        lambda a, v: a.verify(request.user, seen_version=v),
    )
    if action:
        messages.success(request, _("Verified: %(action)s.") % {"action": action})
        _tell_mission(request, action)
    return _back_to_queue(request, changed=action is not None)


@require_POST
@login_required
def reject(request, pk):
    _depositary(request)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("To reject a submission, say why."))
        return _back_to_queue(request, changed=False)
    action = _decide(
        request,
        pk,
        form.cleaned_data["version"],
        lambda a, v: a.reject(request.user, form.cleaned_data["reason"], seen_version=v),
    )
    if action:
        messages.success(request, _("Rejected: %(action)s.") % {"action": action})
        _tell_mission(request, action)
    return _back_to_queue(request, changed=action is not None)


@require_POST
@login_required
def verify_many(request):
    """Verify the ticked submissions, each on its own: one refused leaves the others verified."""
    _depositary(request)
    verified = []
    for value in request.POST.getlist("selected"):
        pk, _sep, version = value.partition(":")
        if not pk.isdigit():
            continue
        action = _decide(
            request, int(pk), _version(version), lambda a, v: a.verify(request.user, seen_version=v)
        )
        if action:
            verified.append(action)
            _tell_mission(request, action)
    if verified:
        messages.success(
            request,
            _("Verified %(count)d: %(actions)s.")
            % {"count": len(verified), "actions": "; ".join(str(a) for a in verified)},
        )
    elif not request.POST.getlist("selected"):
        messages.error(request, _("Tick the submissions to verify first."))
    return _back_to_queue(request, changed=bool(verified))


def _direct_entry_form(data):
    """A verified action entered by the depositary itself, for any participant."""
    return ActionForm(data, participants=Participant.objects.all(), verified=True)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def enter(request):
    """Record a verified action directly, as the depositary knows it."""
    _depositary(request)
    form = _direct_entry_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.submitted_by = action.reviewed_by = request.user
        action.reviewed_at = timezone.now()
        action._change_reason = "entered verified"
        try:
            with transaction.atomic():
                action.save()
        except IntegrityError:
            form.add_error(None, _("This action is already verified."))
        else:
            messages.success(request, _("Recorded as verified: %(action)s.") % {"action": action})
            url = reverse("depositary:queue")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = {
        "form": form,
        "form_url": reverse("depositary:enter"),
        "validate_url": reverse("depositary:validate"),
        "cancel_url": reverse("depositary:queue"),
        "submit_label": _("Record as verified"),
    }
    if request.htmx:
        return render(request, "accounts/_action_form.html#action-form", context)
    return render(request, "depositary/enter.html", context)


@require_POST
@login_required
def validate(request):
    _depositary(request)
    form = _direct_entry_form(request.POST)
    form.is_valid()
    form.drop_errors_of_empty_fields()
    return render(request, "accounts/_action_form.html#validation", {"form": form})


@require_safe
@login_required
def history(request, pk):
    _depositary(request)
    action = get_object_or_404(Action.objects.select_related("participant", "treaty"), pk=pk)
    return render(
        request,
        "depositary/history.html",
        {
            "title": str(action),
            "action": action,
            "entries": audit_trail(action.history.select_related("history_user")),
        },
    )


@require_safe
@login_required
def participant_history(request, iso3):
    _depositary(request)
    participant = get_object_or_404(Participant, iso3=iso3)
    records = Action.history.filter(participant_id=participant.pk).select_related("history_user")
    return render(
        request,
        "depositary/history.html",
        {
            "title": participant.display_name,
            "participant": participant,
            "entries": audit_trail(records),
        },
    )
