"""The mission workspace: a mission's staff submit their participants' actions.

Every view starts from `request.user`: the rows it reaches are those of the
participants whose mission the user works for, so another mission's work is a
404, never a 403 that would tell it exists.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import missions_of
from ratifications.audit import audit_trail
from ratifications.forms import ActionForm
from ratifications.models import Action, Treaty
from reports.forms import ReportForm
from reports.models import Report
from reports.views import form_page as report_form_page
from reports.views import save as save_report

# How long a depositary's decision stays in the workspace's news.
NEWS_DAYS = 30


def _participants(user):
    """The user's participants; refuses users who work for no mission."""
    participants = missions_of(user)
    if not participants.exists():
        raise PermissionDenied(_("Your account is not linked to a mission."))
    return participants


def _participant_list(user):
    """The same, as a list: one query where the view needs the rows anyway."""
    participants = list(missions_of(user))
    if not participants:
        raise PermissionDenied(_("Your account is not linked to a mission."))
    return participants


def _submission(user, pk, *, lock=False):
    actions = Action.objects.for_mission_staff(user)
    if lock:
        actions = actions.select_for_update(of=("self",))
    return get_object_or_404(actions.select_related("participant", "treaty"), pk=pk)


def _workspace_context(user):
    participants = _participant_list(user)
    actions = list(
        Action.objects.filter(participant__in=participants)
        .select_related("participant", "treaty", "reviewed_by")
        .order_by("treaty__adopted_on", "date", "pk")
    )
    treaties = list(Treaty.objects.all())
    records = [
        {
            "participant": participant,
            "treaties": [
                {
                    "treaty": treaty,
                    "actions": [
                        a
                        for a in actions
                        if a.participant_id == participant.pk
                        and a.treaty_id == treaty.pk
                        and a.review in (Action.Review.VERIFIED, Action.Review.PENDING)
                    ],
                }
                for treaty in treaties
            ],
        }
        for participant in participants
    ]
    submissions = sorted(
        (a for a in actions if a.submitted_by_id is not None),
        key=lambda a: a.submitted_at,
        reverse=True,
    )
    since = timezone.now() - dt.timedelta(days=NEWS_DAYS)
    news = [
        a
        for a in submissions
        if a.reviewed_at and a.reviewed_at >= since and a.review != Action.Review.WITHDRAWN
    ]
    return {
        "participants": participants,
        "reports": Report.objects.filter(participant__in=participants)
        .select_related("participant", "treaty")
        .order_by("-date", "-pk")
        .with_recorded(actions),
        "records": records,
        "submissions": submissions,
        "news": sorted(news, key=lambda a: a.reviewed_at, reverse=True),
    }


@require_safe
@login_required
def workspace(request):
    return render(request, "missions/workspace.html", _workspace_context(request.user))


def _done(request, message):
    """After a change: Post/Redirect/Get, or for htmx a redirect done by htmx."""
    messages.success(request, message)
    url = reverse("missions:workspace")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _form_page(request, form, action=None):
    if action is None:
        urls = reverse("missions:submit"), reverse("missions:validate")
        submit_label = _("Submit for verification")
    else:
        urls = (
            reverse("missions:edit", args=[action.pk]),
            reverse("missions:validate_edit", args=[action.pk]),
        )
        submit_label = _("Save changes")
    context = {
        "form": form,
        "action": action,
        "form_url": urls[0],
        "validate_url": urls[1],
        "cancel_url": reverse("missions:workspace"),
        "submit_label": submit_label,
    }
    if request.htmx:
        return render(request, "accounts/_action_form.html#action-form", context)
    return render(request, "missions/submission.html", context)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def submit(request):
    participants = _participants(request.user)
    if request.method == "POST":
        form = ActionForm(request.POST, participants=participants)
        if form.is_valid():
            action = form.save(commit=False)
            action.submitted_by = request.user
            action._change_reason = "submitted"
            action.save()
            return _done(
                request,
                _("Submitted: %(action)s. The depositary will verify it.") % {"action": action},
            )
        return _form_page(request, form)
    return _form_page(request, ActionForm(participants=participants))


@require_POST
@login_required
def validate(request, pk=None):
    """The form again with the rules engine's verdict, while the person types; saves nothing."""
    participants = _participants(request.user)
    action = _submission(request.user, pk) if pk else None
    form = ActionForm(request.POST, participants=participants, instance=action)
    form.is_valid()
    form.drop_errors_of_empty_fields()
    return render(request, "accounts/_action_form.html#validation", {"form": form})


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def edit(request, pk):
    participants = _participants(request.user)
    if request.method == "GET":
        action = _submission(request.user, pk)
        if action.review != Action.Review.PENDING:
            messages.info(request, _("Only a pending submission can be edited."))
            return redirect("missions:history", pk=action.pk)
        return _form_page(request, ActionForm(participants=participants, instance=action), action)
    with transaction.atomic():
        action = _submission(request.user, pk, lock=True)
        form = ActionForm(request.POST, participants=participants, instance=action)
        try:
            action.check_reviewable(_posted_version(request))
        except Action.Conflict as conflict:
            # The one who lost the race: the page shows the current state.
            messages.error(request, str(conflict))
            return _done_after_conflict(request, action)
        if form.is_valid():
            form.instance.record_change(request.user, "edited")
            return _done(request, _("Saved: %(action)s.") % {"action": form.instance})
    return _form_page(request, form, action)


def _posted_version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _done_after_conflict(request, action):
    url = reverse("missions:history", args=[action.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@login_required
def withdraw(request, pk):
    _participants(request.user)
    with transaction.atomic():
        action = _submission(request.user, pk, lock=True)
        try:
            action.withdraw(request.user, seen_version=_posted_version(request))
        except Action.Conflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("Withdrawn: %(action)s.") % {"action": action})
    if request.htmx:
        return render(
            request,
            "missions/workspace.html#submissions",
            _workspace_context(request.user),
        )
    return redirect("missions:workspace")


@require_safe
@login_required
def history(request, pk):
    _participants(request.user)
    action = _submission(request.user, pk)
    records = action.history.select_related("history_user")
    return render(
        request,
        "missions/history.html",
        {"title": str(action), "action": action, "entries": audit_trail(records)},
    )


@require_safe
@login_required
def participant_history(request, iso3):
    participant = get_object_or_404(_participants(request.user), iso3=iso3)
    records = Action.history.filter(participant_id=participant.pk).select_related("history_user")
    return render(
        request,
        "missions/history.html",
        {
            "title": participant.display_name,
            "participant": participant,
            "entries": audit_trail(records),
        },
    )


# Reports of the mission's own steps, shown apart from the verified record


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def report(request):
    participants = _participants(request.user)
    form = ReportForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        saved = save_report(request, form)
        return _done(
            request,
            _(
                "Reported: %(report)s. It is shown on the public page with its source, and "
                "never counts."
            )
            % {"report": saved},
        )
    return report_form_page(
        request,
        {
            "form": form,
            "form_url": reverse("missions:report"),
            "cancel_url": reverse("missions:workspace"),
            "workspace": _("Mission workspace"),
        },
    )


@require_POST
@login_required
def withdraw_report(request, pk):
    """Take one of the mission's reports off the public pages; its history keeps it."""
    participants = _participants(request.user)
    found = get_object_or_404(
        Report.objects.filter(participant__in=participants).select_related("participant"), pk=pk
    )
    found.delete()
    return _done(request, _("Withdrawn: %(report)s.") % {"report": found})
