"""Declarations in the workspaces: missions submit, edit, withdraw; the depositary verifies,
rejects, undoes, or records one directly. The same workflow as actions (docs/workflow.md),
with the depositary's helpers (`depositary.views`): one locked row a decision, the mission
told by mail, the audit trail kept.

Every view checks who asks first: a mission's staff reach only their own participants'
records (another's is a 404), the depositary's views need depositary staff (403).
These pages show the contact details of notifications: they are never public.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from declarations.forms import DeclarationForm
from declarations.models import Declaration
from depositary.forms import RejectForm, UndoForm
from depositary.views import (
    _decide,
    _depositary,
    _recent_decisions,
    _save_verified,
    _version,
)
from missions.views import _participant_list, _participants, _posted_version
from ratifications.audit import audit_trail
from states.models import Participant

# What the audit trail shows of each version of a declaration, in this order.
AUDITED_FIELDS = (
    "review",
    "kind",
    "made",
    "date",
    "articles",
    "answers",
    "language",
    "text",
    "text_english",
    "subject",
    "authority",
    "contact_name",
    "contact_telephone",
    "contact_email",
    "notification",
    "source",
    "note",
    "rejection_reason",
    "undo_reason",
)


def _form_page(request, form, *, record=None, depositary=False):
    """The form: its fragment for htmx, else its page."""
    if depositary:
        urls = reverse("declarations:enter"), reverse("declarations:validate_entry")
        cancel, label = reverse("declarations:queue"), _("Record as verified")
    elif record is None:
        urls = reverse("declarations:submit"), reverse("declarations:validate")
        cancel, label = reverse("declarations:mission"), _("Submit for verification")
    else:
        urls = (
            reverse("declarations:edit", args=[record.pk]),
            reverse("declarations:validate_edit", args=[record.pk]),
        )
        cancel, label = reverse("declarations:mission"), _("Save changes")
    context = {
        "form": form,
        "record": record,
        "depositary": depositary,
        "form_url": urls[0],
        "validate_url": urls[1],
        "cancel_url": cancel,
        "submit_label": label,
    }
    if request.htmx:
        return render(request, "accounts/_action_form.html#action-form", context)
    return render(request, "declarations/form.html", context)


def _done(request, message, url_name):
    """After a change: Post/Redirect/Get, or for htmx a redirect done by htmx."""
    messages.success(request, message)
    url = reverse(url_name)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _history(records):
    return audit_trail(records.select_related("history_user", "answers"), AUDITED_FIELDS)


# The mission's pages


def _own(user, pk, *, lock=False) -> Declaration:
    """One of the user's participants' records; another's is a 404."""
    records = Declaration.objects.for_mission_staff(user)
    if lock:
        records = records.select_for_update(of=("self",))
    return get_object_or_404(records.select_related("participant", "treaty"), pk=pk)


@require_safe
@login_required
def mission(request):
    """The mission's declarations, reservations and notifications, and its submissions."""
    participants = _participant_list(request.user)
    records = (
        Declaration.objects.filter(participant__in=participants)
        .with_withdrawal()
        .select_related("participant", "treaty", "answers__participant")
        .order_by("participant__name", "treaty__adopted_on", "date", "pk")
    )
    return render(
        request,
        "declarations/mission.html",
        {"participants": participants, "records": records, "contacts": True},
    )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def submit(request):
    participants = _participants(request.user)
    form = DeclarationForm(request.POST or None, participants=participants)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.submitted_by = request.user
        record._change_reason = "submitted"
        record.save()
        return _done(
            request,
            _("Submitted: %(record)s. The depositary will verify it.") % {"record": record},
            "declarations:mission",
        )
    return _form_page(request, form)


@require_POST
@login_required
def validate(request, pk=None):
    """The form again with the rules' verdict, while the person types; saves nothing."""
    participants = _participants(request.user)
    record = _own(request.user, pk) if pk else None
    form = DeclarationForm(request.POST, participants=participants, instance=record)
    form.is_valid()
    form.drop_errors_of_empty_fields()
    return render(request, "accounts/_action_form.html#validation", {"form": form})


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def edit(request, pk):
    participants = _participants(request.user)
    if request.method == "GET":
        record = _own(request.user, pk)
        if record.review != Declaration.Review.PENDING:
            messages.info(request, _("Only a pending submission can be edited."))
            return redirect("declarations:mission_history", pk=record.pk)
        form = DeclarationForm(participants=participants, instance=record)
        return _form_page(request, form, record=record)
    with transaction.atomic():
        record = _own(request.user, pk, lock=True)
        form = DeclarationForm(request.POST, participants=participants, instance=record)
        try:
            record.check_reviewable(_posted_version(request))
        except Declaration.Conflict as conflict:
            messages.error(request, str(conflict))
            url = reverse("declarations:mission_history", args=[record.pk])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        if form.is_valid():
            form.instance.record_change(request.user, "edited")
            return _done(
                request, _("Saved: %(record)s.") % {"record": form.instance}, "declarations:mission"
            )
    return _form_page(request, form, record=record)


@require_POST
@login_required
def withdraw(request, pk):
    _participants(request.user)
    with transaction.atomic():
        record = _own(request.user, pk, lock=True)
        try:
            record.withdraw(request.user, seen_version=_posted_version(request))
        except Declaration.Conflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, _("Withdrawn: %(record)s.") % {"record": record})
    return redirect("declarations:mission")


@require_safe
@login_required
def mission_history(request, pk):
    _participants(request.user)
    record = _own(request.user, pk)
    return render(
        request,
        "declarations/history.html",
        {"record": record, "entries": _history(record.history), "depositary": False},
    )


# The depositary's pages


@require_safe
@login_required
def queue(request):
    """The submissions to verify, oldest first, and the recent decisions."""
    _depositary(request)
    pending = (
        Declaration.objects.pending()
        .select_related("participant", "treaty", "submitted_by", "answers__participant")
        .order_by("submitted_at", "pk")
    )
    context = {"queue": pending, "decisions": _recent_decisions(Declaration), "contacts": True}
    return render(request, "declarations/queue.html", context)


def _decided(request, pk, version, decide, refused, done):
    record = _decide(request, pk, version, decide, refused, model=Declaration)
    if record:
        # Its mission is mailed by the worker (alerts/signals.py).
        messages.success(request, done % {"record": record})
    return redirect("declarations:queue")


@require_http_methods(["GET", "POST"])
@login_required
def verify(request, pk):
    """GET: the confirmation, with what verifying makes public. POST: verify."""
    _depositary(request)
    if request.method == "GET":
        record = get_object_or_404(
            Declaration.objects.select_related("participant", "treaty", "answers__participant"),
            pk=pk,
        )
        problems = []
        try:
            record.check_reviewable(None)
        except Declaration.Conflict as conflict:
            problems = [str(conflict)]
        else:
            problems = [problem.message for problem in record.rule_problems()]
        context = {"kind": "verify", "record": record, "problems": problems, "contacts": True}
        return render(request, "declarations/confirm.html", context)
    return _decided(
        request,
        pk,
        _version(request.POST.get("version")),
        lambda record, version: record.verify(request.user, seen_version=version),
        _("Not verified: %(action)s. %(problems)s"),
        _("Verified: %(record)s. It is now public."),
    )


@require_POST
@login_required
def reject(request, pk):
    _depositary(request)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("To reject a submission, say why."))
        return redirect("declarations:queue")
    return _decided(
        request,
        pk,
        form.cleaned_data["version"],
        lambda record, version: record.reject(
            request.user, form.cleaned_data["reason"], seen_version=version
        ),
        _("Not rejected: %(action)s. %(problems)s"),
        _("Rejected: %(record)s."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def undo(request, pk):
    """GET: the confirmation, with the reason to give. POST: back to the queue, pending."""
    _depositary(request)
    if request.method == "GET":
        record = get_object_or_404(
            Declaration.objects.select_related("participant", "treaty", "answers__participant"),
            pk=pk,
        )
        try:
            record.check_undoable(None)
        except Declaration.Conflict as conflict:
            problems = [str(conflict)]
        else:
            problems = record.undo_problems()
        context = {
            "kind": "undo",
            "record": record,
            "problems": problems,
            "form": UndoForm(initial={"version": record.version}),
            "contacts": True,
        }
        return render(request, "declarations/confirm.html", context)
    form = UndoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("To undo a decision, say why."))
        return redirect("declarations:queue")
    return _decided(
        request,
        pk,
        form.cleaned_data["version"],
        lambda record, version: record.undo(
            request.user, form.cleaned_data["reason"], seen_version=version
        ),
        _("Not undone: %(action)s. %(problems)s"),
        _("Undone: %(record)s is pending verification again."),
    )


def _entry_form(data):
    """A verified record entered by the depositary itself, for any participant."""
    return DeclarationForm(data, participants=Participant.objects.all(), verified=True)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@login_required
def enter(request):
    """Record a verified declaration directly, as the depositary knows it."""
    _depositary(request)
    form = _entry_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = _save_verified(request, form, _("This is already verified."))
        if record:
            return _done(
                request,
                _("Recorded as verified: %(record)s.") % {"record": record},
                "declarations:queue",
            )
    return _form_page(request, form, depositary=True)


@require_POST
@login_required
def validate_entry(request):
    _depositary(request)
    form = _entry_form(request.POST)
    form.is_valid()
    form.drop_errors_of_empty_fields()
    return render(request, "accounts/_action_form.html#validation", {"form": form})


@require_safe
@login_required
def history(request, pk):
    _depositary(request)
    record = get_object_or_404(Declaration.objects.select_related("participant", "treaty"), pk=pk)
    return render(
        request,
        "declarations/history.html",
        {"record": record, "entries": _history(record.history), "depositary": True},
    )
