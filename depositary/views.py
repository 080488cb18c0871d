"""The depositary workspace: the queue of submissions, verification, undo, direct entry, audit.

Each decision runs in one transaction on the submission's row, locked with
select_for_update(): of two people acting at once, the second waits, then finds
the submission already decided or changed and is told so (Action.Conflict).
Verifying, undoing, entering directly and importing also take the treaty's lock
(`lock_records`) before the rules are checked, so two conflicting decisions on one
treaty never both pass; the database constraints are the last guard (an
IntegrityError becomes a message too, never a double count).

Verifying and undoing are confirmed first, with what they change in public: a GET
of the same URL answers with the confirmation, as a <dialog> for htmx and as a page
without JavaScript; the POST decides.

Nothing is mailed from here: each decision, as the audit trail records it, becomes an
alert that the worker sends after the commit, to the mission's staff and to whoever
follows it (alerts/signals.py).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from accounts.models import is_depositary_staff
from depositary import untc
from depositary.forms import (
    AuditFilter,
    DismissForm,
    QueueFilter,
    RejectForm,
    StatusFileForm,
    TickedForm,
    UndoForm,
)
from depositary.models import (
    RECONCILED,
    Dismissal,
    Reconciliation,
    Refused,
    StoredDifference,
    recorded_since,
)
from ratifications import rules
from ratifications.audit import CHANGE_REASONS, audit_entries, audit_trail
from ratifications.forms import ActionForm
from ratifications.models import Action, Reviewed, Treaty, lock_records
from reports.forms import ReportForm
from reports.models import Report
from reports.views import form_page as report_form_page
from reports.views import save as save_report
from states.models import Participant

# The event the counters listen for (hx-trigger="statusChanged from:body").
STATUS_CHANGED = "statusChanged"
# The audit trail's entries that are the depositary's decisions, and how many the
# queue shows under it (the audit page has them all).
DECISIONS = ("verified", "rejected", "undone", "entered verified", "reconciled")
RECENT_DECISIONS = 10
AUDIT_PAGE_SIZE = 25


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


def _recent_decisions(model=Action) -> list[dict]:
    """The newest decisions, each with its action (or `model`'s record) as it is now, and
    whether it may be undone: only while that decision is the action's latest version."""
    records = list(
        model.history.filter(history_change_reason__in=DECISIONS)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:RECENT_DECISIONS]
    )
    actions = model.objects.select_related("participant").in_bulk({r.id for r in records})
    return [
        {
            "record": record,
            "action": action,
            "what": CHANGE_REASONS[record.history_change_reason],
            "why": record.undo_reason
            if record.history_change_reason == "undone"
            else record.rejection_reason,
            "undoable": action.undoable and action.version == record.version,
        }
        for record in records
        if (action := actions.get(record.id))
    ]


def _query(request) -> QueryDict:
    """The queue's filters, which its forms carry along in a `query` field."""
    source = request.GET if request.method == "GET" else request.POST
    return QueryDict(source.get("query", ""))


def _queue_url(query: QueryDict) -> str:
    url = reverse("depositary:queue")
    return f"{url}?{query.urlencode()}" if query else url


def _queue_context(request, params: QueryDict | None = None):
    params = _query(request) if params is None else params
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
        "decisions": _recent_decisions(),
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
    return render(request, template, _queue_context(request, request.GET))


@require_safe
@login_required
def counters(request):
    _depositary(request)
    return render(request, "depositary/queue.html#counters", {"counters": _counters()})


def _back_to_queue(request, changed: bool, status: int = 200):
    """The queue again: its fragment for htmx (with the counters told), else a redirect.

    A request that could not be understood (status 400) gets the queue page itself,
    with the message: nothing was done, so there is nothing to redirect after.
    """
    if request.htmx or status != 200:
        template = "depositary/queue.html#queue" if request.htmx else "depositary/queue.html"
        response = render(request, template, _queue_context(request), status=status)
        return trigger_client_event(response, STATUS_CHANGED) if changed else response
    return redirect(_queue_url(_query(request)))


def _version(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decide(request, pk, version, decide, refused: str, model=Action) -> Reviewed | None:
    """Apply one decision to one locked submission (an action, or another `model`'s record);
    tell the user how it went.

    `refused` is the message when the rules refuse it, with %(action)s and %(problems)s.
    """
    try:
        with transaction.atomic():
            action = get_object_or_404(
                model.objects.select_for_update(of=("self",)).select_related(
                    "participant", "treaty", "submitted_by", "reviewed_by"
                ),
                pk=pk,
            )
            decide(action, version)
    except Reviewed.Conflict as conflict:
        messages.error(request, str(conflict))
    except ValidationError as error:
        messages.error(request, refused % {"action": action, "problems": " ".join(error.messages)})
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


# Confirmations


def _changes(treaties, *, adding=(), removing=None) -> list[dict]:
    """Each treaty's public counts today, and after verifying `adding` or undoing `removing`."""
    today = rules.today_in_new_york()
    changes = []
    for treaty in sorted(treaties, key=lambda t: (t.adopted_on, t.short_name)):
        verified = [
            (a.pk, a.as_act())
            for a in Action.objects.verified()
            .filter(treaty=treaty, date__lte=today)
            .select_related("participant")
        ]
        after = [act for pk, act in verified if removing is None or pk != removing.pk]
        after += [a.as_act() for a in adding if a.treaty_id == treaty.pk]
        changes.append(
            {
                "treaty": treaty,
                "before": rules.compute_status(treaty.clauses, [act for _, act in verified], today),
                "after": rules.compute_status(treaty.clauses, after, today),
            }
        )
    return changes


def _confirmation(request, context, status=200):
    """A decision to confirm: a <dialog> for htmx (static/js/workspace.js opens it), else a page."""
    query = _query(request)
    context = {"back_url": _queue_url(query), "query": query.urlencode(), **context}
    template = "depositary/confirm.html#dialog" if request.htmx else "depositary/confirm.html"
    return render(request, template, context, status=status)


def _to_verify(actions, seen: dict[int, int]) -> dict:
    """What the confirmation of a verification shows: each submission with what it changes."""
    impacts = {}
    for treaty in {a.treaty for a in actions}:
        impacts.update(treaty.impacts(a for a in actions if a.treaty_id == treaty.pk))
    return {
        "items": [
            {
                "action": a,
                "summary": impacts[a.pk].summary(),
                # Changed since the queue was drawn: what is confirmed is what is shown here.
                "changed": seen.get(a.pk) not in (None, a.version),
            }
            for a in actions
        ],
        "changes": _changes(
            sorted({a.treaty for a in actions}, key=lambda t: t.pk), adding=actions
        ),
        "ticked": [f"{a.pk}:{a.version}" for a in actions],
    }


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def verify(request, pk):
    _depositary(request)
    if request.method == "GET":
        action = get_object_or_404(
            Action.objects.select_related("participant", "treaty", "submitted_by", "reviewed_by"),
            pk=pk,
        )
        context = {"kind": "verify", "action": action}
        try:
            action.check_reviewable(None)
        except Action.Conflict as conflict:
            context["problems"] = [str(conflict)]
        else:
            context.update(_to_verify([action], {pk: _version(request.GET.get("version"))}))
        return _confirmation(request, context)
    action = _decide(
        request,
        pk,
        _version(request.POST.get("version")),
        lambda a, v: a.verify(request.user, seen_version=v),
        _("Not verified: %(action)s. %(problems)s"),
    )
    if action:
        messages.success(request, _("Verified: %(action)s.") % {"action": action})
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
        _("Not rejected: %(action)s. %(problems)s"),
    )
    if action:
        messages.success(request, _("Rejected: %(action)s.") % {"action": action})
    return _back_to_queue(request, changed=action is not None)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def verify_many(request):
    """Verify the ticked submissions, each on its own: one refused leaves the others verified.

    Every ticked value is understood first, or nothing is verified (400).
    """
    _depositary(request)
    form = TickedForm(request.GET if request.method == "GET" else request.POST)
    if not form.is_valid():
        problems = form.errors["selected"]
        missing = form.has_error("selected", "required")
        if request.method == "GET":
            return _confirmation(
                request, {"kind": "verify_many", "problems": problems}, 200 if missing else 400
            )
        messages.error(request, " ".join(problems))
        return _back_to_queue(request, changed=False, status=200 if missing else 400)
    ticked = dict(form.cleaned_data["selected"])
    if request.method == "GET":
        actions = list(
            Action.objects.pending()
            .filter(pk__in=ticked)
            .select_related("participant", "treaty", "submitted_by")
            .order_by("submitted_at", "pk")
        )
        context = {"kind": "verify_many", "gone": len(ticked) - len(actions)}
        if actions:
            context.update(_to_verify(actions, ticked))
        else:
            context["problems"] = [_("None of the ticked submissions is pending any more.")]
        return _confirmation(request, context)
    verified = []
    for pk, version in ticked.items():
        action = _decide(
            request,
            pk,
            version,
            lambda a, v: a.verify(request.user, seen_version=v),
            _("Not verified: %(action)s. %(problems)s"),
        )
        if action:
            verified.append(action)
    if verified:
        messages.success(
            request,
            _("Verified %(count)d: %(actions)s.")
            % {"count": len(verified), "actions": "; ".join(str(a) for a in verified)},
        )
    return _back_to_queue(request, changed=bool(verified))


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def undo(request, pk):
    """Undo a verification or a rejection: the submission is pending again, in the queue."""
    _depositary(request)
    if request.method == "GET":
        action = get_object_or_404(
            Action.objects.select_related("participant", "treaty", "submitted_by", "reviewed_by"),
            pk=pk,
        )
        context = {
            "kind": "undo",
            "action": action,
            "form": UndoForm(initial={"version": action.version}),
        }
        try:
            action.check_undoable(None)
        except Action.Conflict as conflict:
            context["problems"] = [str(conflict)]
        else:
            context["problems"] = action.undo_problems()
            if action.review == Action.Review.VERIFIED:
                context["changes"] = _changes([action.treaty], removing=action)
        return _confirmation(request, context)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("To undo a decision, say why."))
        return _back_to_queue(request, changed=False)
    action = _decide(
        request,
        pk,
        form.cleaned_data["version"],
        lambda a, v: a.undo(request.user, form.cleaned_data["reason"], seen_version=v),
        _("Not undone: %(action)s. %(problems)s"),
    )
    if action:
        messages.success(
            request, _("Undone: %(action)s is pending verification again.") % {"action": action}
        )
    # The counters follow: the public counts if it was verified, the pending count always.
    return _back_to_queue(request, changed=action is not None)


# Direct entry


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
        action = _save_verified(request, form, _("This action is already verified."))
        if action:
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


def _save_verified(request, form, already: str) -> Reviewed | None:
    """Save the form's record as verified by this user; None, with the rules' problems or
    `already` as the form's errors, when the rules refuse it or the database finds it
    verified already (someone else at the same moment)."""
    record = form.save(commit=False)
    record.submitted_by = record.reviewed_by = request.user
    record.reviewed_at = timezone.now()
    record._change_reason = "entered verified"
    try:
        with transaction.atomic():
            # Checked again under the treaty's lock, as a verification is: one made at the
            # same moment waits, and is then seen.
            lock_records(record.treaty)
            problems = record.rule_problems()
            if not problems:
                record.save()
    except IntegrityError:
        form.add_error(None, already)
        return None
    for problem in problems:
        form.add_error(problem.field or None, problem.message)
    return None if problems else record


@require_POST
@login_required
def validate(request):
    _depositary(request)
    form = _direct_entry_form(request.POST)
    form.is_valid()
    form.drop_errors_of_empty_fields()
    return render(request, "accounts/_action_form.html#validation", {"form": form})


# The audit trail


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


@require_safe
@login_required
def audit(request):
    """Every change to every action, newest first, searched and a page at a time."""
    _depositary(request)
    search = AuditFilter(request.GET or None)
    records = search.apply(Action.history.select_related("history_user", "participant", "treaty"))
    page = Paginator(records, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "depositary/audit.html",
        {"search": search, "page": page, "entries": audit_entries(page.object_list)},
        status=400 if search.errors else 200,
    )


# In step with the depositary: its status file, checked against the record


def _reconcile_url(treaty: Treaty) -> str:
    return f"{reverse('depositary:reconcile')}?{urlencode({'treaty': treaty.slug})}"


def _reconcile_context(treaty: Treaty, **extra) -> dict:
    """The treaty's newest check, each difference with what became of it, and the decisions."""
    check = Reconciliation.objects.filter(treaty=treaty).select_related("checked_by").first()
    differences = list(check.differences.select_related("participant")) if check else []
    dismissals = {
        d.key: d for d in Dismissal.objects.filter(treaty=treaty).select_related("dismissed_by")
    }
    recorded = recorded_since(treaty, differences)
    items = [
        {"difference": d, "dismissal": dismissals.get(d.key), "recorded": recorded.get(d.pk)}
        for d in differences
    ]
    accepted = (
        Action.history.filter(treaty=treaty, history_change_reason=RECONCILED)
        .select_related("history_user", "participant")
        .order_by("-history_date")[:RECENT_DECISIONS]
    )
    dismissed = (
        Dismissal.history.filter(treaty=treaty)
        .select_related("history_user", "participant")
        .order_by("-history_date")[:RECENT_DECISIONS]
    )
    for record in dismissed:
        # The dismissal as it was, naming its participant without a query of its own.
        record.dismissal = record.instance
        record.dismissal.participant = record.participant
    decisions = sorted(
        [*({"record": r, "accepted": True} for r in accepted), *({"record": r} for r in dismissed)],
        key=lambda d: d["record"].history_date,
        reverse=True,
    )[:RECENT_DECISIONS]
    return {
        "treaty": treaty,
        "treaties": Treaty.objects.all(),
        "check": check,
        "open": [i for i in items if not (i["dismissal"] or i["recorded"])],
        "settled": [i for i in items if i["dismissal"] or i["recorded"]],
        "decisions": decisions,
        "earlier": Reconciliation.objects.filter(treaty=treaty).select_related("checked_by")[
            1:RECENT_DECISIONS
        ],
        "form": StatusFileForm(initial={"treaty": treaty.slug}),
        "dismiss_form": DismissForm(),
        **extra,
    }


def _reconcile_page(request, treaty: Treaty, **extra):
    """The page, or for htmx its region: after a change, and with a file's problems."""
    template = "depositary/reconcile.html"
    if request.htmx:
        template += "#reconciliation"
    return render(request, template, _reconcile_context(treaty, **extra))


def _after_reconcile(request, treaty: Treaty):
    """Post/Redirect/Get, or for htmx the region again with the message."""
    return _reconcile_page(request, treaty) if request.htmx else redirect(_reconcile_url(treaty))


def _chosen_treaty(slug: str | None) -> Treaty:
    """The treaty asked for (404 if unknown); else the default one, or the first."""
    if slug:
        return get_object_or_404(Treaty, slug=slug)
    treaty = Treaty.objects.filter(slug=settings.DEFAULT_TREATY_SLUG).first()
    if treaty is None and (treaty := Treaty.objects.first()) is None:
        raise Http404
    return treaty


@vary_on_headers("HX-Request")
@require_safe
@login_required
def reconcile(request):
    _depositary(request)
    return _reconcile_page(request, _chosen_treaty(request.GET.get("treaty")))


def _check(request, treaty: Treaty, read, *, origin: str, source: str):
    """Read a status file (`read` gives its bytes) and check it; its problems in place."""
    try:
        file = untc.read(read(), max_bytes=settings.UNTC_MAX_BYTES)
        check = Reconciliation.objects.check_file(
            file, treaty, by=request.user, origin=origin, source=source
        )
    except untc.Unreadable as error:
        return _reconcile_page(request, treaty, problems=error.problems, source=source)
    except untc.FetchFailed as error:
        return _reconcile_page(request, treaty, problems=[str(error)], source=source)
    for warning in file.count_mismatches():
        messages.warning(request, warning)
    messages.success(
        request,
        ngettext(
            "Checked against %(source)s: %(count)d difference.",
            "Checked against %(source)s: %(count)d differences.",
            check.found,
        )
        % {"source": source, "count": check.found},
    )
    return _after_reconcile(request, treaty)


@vary_on_headers("HX-Request")
@require_POST
@login_required
def reconcile_upload(request):
    _depositary(request)
    form = StatusFileForm(request.POST, request.FILES)
    if not form.is_valid():
        treaty = form.cleaned_data.get("treaty") or _chosen_treaty(None)
        return _reconcile_page(request, treaty, form=form)
    file, treaty = form.cleaned_data["file"], form.cleaned_data["treaty"]
    return _check(request, treaty, file.read, origin=Reconciliation.Origin.UPLOAD, source=file.name)


@vary_on_headers("HX-Request")
@require_POST
@login_required
def reconcile_fetch(request):
    """Fetch the treaty's status file from the depositary now, and check it."""
    _depositary(request)
    treaty = get_object_or_404(Treaty, slug=request.POST.get("treaty", ""))
    if not treaty.status_file_url:
        messages.error(request, _("This treaty has no status file address to fetch."))
        return _after_reconcile(request, treaty)
    return _check(
        request,
        treaty,
        lambda: untc.fetch(
            treaty.status_file_url,
            timeout=settings.UNTC_FETCH_TIMEOUT,
            max_bytes=settings.UNTC_MAX_BYTES,
        ),
        origin=Reconciliation.Origin.FETCH,
        source=treaty.status_file_url,
    )


def _difference(pk) -> StoredDifference:
    """A difference of a treaty's newest check (an older check's are gone: 404)."""
    return get_object_or_404(
        StoredDifference.objects.select_related("reconciliation__treaty", "participant"), pk=pk
    )


@vary_on_headers("HX-Request")
@require_POST
@login_required
def accept_difference(request, pk):
    """Record what the depositary's file has and the record lacks, as a verified action."""
    _depositary(request)
    difference = _difference(pk)
    check = difference.reconciliation
    if not difference.can_be_recorded:
        messages.error(request, _("Only an action in effect that is missing here is recorded."))
    elif Dismissal.objects.filter(treaty=check.treaty, key=difference.key).exists():
        messages.error(request, _("This difference was dismissed: it is not recorded."))
    else:
        try:
            added = check.record_missing([difference], by=request.user)
        except Refused as error:
            messages.error(
                request,
                _("Not recorded: %(difference)s %(problems)s")
                % {"difference": difference.describe(), "problems": " ".join(error.problems)},
            )
        else:
            message = (
                _("Recorded as verified: %(difference)s")
                if added
                else _("Already recorded: %(difference)s")
            )
            messages.success(request, message % {"difference": difference.describe()})
    return _after_reconcile(request, check.treaty)


@vary_on_headers("HX-Request")
@require_POST
@login_required
def dismiss_difference(request, pk):
    """Judge a difference not to matter, with the reason: it stays dismissed in later checks."""
    _depositary(request)
    difference = _difference(pk)
    treaty = difference.reconciliation.treaty
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return _after_reconcile(request, treaty)
    try:
        with transaction.atomic():
            Dismissal.of(difference, by=request.user, reason=form.cleaned_data["reason"])
    except IntegrityError:
        messages.info(request, _("This difference was dismissed already."))
    else:
        messages.success(
            request, _("Dismissed: %(difference)s") % {"difference": difference.describe()}
        )
    return _after_reconcile(request, treaty)


# Reports: what governments and the press report before the depositary records it


@require_safe
@login_required
def reports(request):
    """Every report: those the record does not yet have first, then those it now has."""
    _depositary(request)
    found = Report.objects.select_related("participant", "treaty", "reported_by").with_recorded()
    return render(
        request,
        "depositary/reports.html",
        {
            "outstanding": [r for r in found if r.recorded is None],
            "recorded": [r for r in found if r.recorded is not None],
        },
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def new_report(request):
    """The depositary records a report of any participant."""
    _depositary(request)
    form = ReportForm(request.POST or None, participants=Participant.objects.all())
    if request.method == "POST" and form.is_valid():
        report = save_report(request, form)
        messages.success(request, _("Reported: %(report)s.") % {"report": report})
        url = reverse("depositary:reports")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return report_form_page(
        request,
        {
            "form": form,
            "form_url": reverse("depositary:new_report"),
            "cancel_url": reverse("depositary:reports"),
            "workspace": _("Depositary workspace"),
        },
    )


@require_POST
@login_required
def withdraw_report(request, pk):
    """Take a report off the public pages; its history keeps it, and who withdrew it."""
    _depositary(request)
    report = get_object_or_404(Report.objects.select_related("participant"), pk=pk)
    report.delete()
    messages.success(request, _("Withdrawn: %(report)s.") % {"report": report})
    return redirect("depositary:reports")
