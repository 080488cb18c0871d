from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from imports.forms import UploadForm
from imports.models import Upload
from ratifications.importing import ImportFailed, ImportPlan, plan_import

# Rows listed in a preview; the counts are always complete.
PREVIEW_ROWS = 500


def _require_importer(request) -> None:
    """Depositary staff and administrators: whoever may import actions in bulk.

    Signed in without that permission is a 403: the page exists, but not for them.
    """
    if not request.user.has_perm("ratifications.import_actions"):
        raise PermissionDenied


def _own_upload(request, token) -> Upload:
    """One's own uploads only: another importer's token is a 404."""
    return get_object_or_404(
        Upload.objects.select_related("treaty"), token=token, uploaded_by=request.user
    )


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def upload(request):
    """Choose a file and check it. Checked, it is kept, errors or not, at an address of its
    own (its preview), which it is shown at."""
    _require_importer(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"treaty": settings.DEFAULT_TREATY_SLUG},
    )
    if request.method == "POST" and form.is_valid():
        file, treaty = form.cleaned_data["file"], form.cleaned_data["treaty"]
        data = file.read()
        plan = plan_import(data, treaty, change=True)
        Upload.objects.stale().delete()
        if form.cleaned_data["replaces"]:
            # The file this one corrects; an import already made stays on record.
            Upload.objects.filter(
                token=form.cleaned_data["replaces"],
                uploaded_by=request.user,
                imported_at__isnull=True,
            ).delete()
        upload = Upload.objects.create(
            treaty=treaty, uploaded_by=request.user, filename=file.name, data=data
        )
        if request.htmx:
            response = render(
                request, "imports/preview.html#import", _preview_context(upload, plan)
            )
            return push_url(response, upload.get_absolute_url())
        return redirect(upload)
    context = {"form": form, "max_bytes": settings.IMPORT_MAX_UPLOAD_BYTES}
    template = "imports/upload.html#import" if request.htmx else "imports/upload.html"
    return render(request, template, context)


def _preview_context(upload: Upload, plan: ImportPlan | None = None, **extra) -> dict:
    if plan is None and upload.imported_at is None:
        plan = upload.plan(change=True)
    context = {"upload": upload, "plan": plan, **extra}
    if plan is None:
        return context
    if not plan.ok:
        # A corrected file replaces this one, into the same treaty unless changed.
        form = UploadForm(initial={"treaty": upload.treaty.slug, "replaces": upload.token})
        # One entry a line: its messages, then its values as the file has them.
        errors = []
        for line, group in groupby(plan.errors_with_rows(), key=attrgetter("line")):
            found = list(group)
            errors.append((line, [error.message for error in found], found[0].cells))
        context.update(errors=errors, form=form)
        return context
    new_rows, already_rows = plan.preview(PREVIEW_ROWS)
    new, already_there = plan.new, plan.already_there
    context.update(
        new=new,
        already_there=already_there,
        new_rows=new_rows,
        already_rows=already_rows,
        more_new=max(0, len(new) - PREVIEW_ROWS),
        more_already=max(0, len(already_there) - PREVIEW_ROWS),
    )
    return context


@login_required
@require_safe
@vary_on_headers("HX-Request")
def preview(request, token):
    """The kept file, checked again against the records as they are now."""
    _require_importer(request)
    upload = _own_upload(request, token)
    template = "imports/preview.html#import" if request.htmx else "imports/preview.html"
    return render(request, template, _preview_context(upload))


@login_required
@require_POST
def confirm(request, token):
    _require_importer(request)
    upload = _own_upload(request, token)
    try:
        # What the preview was made against; a missing or garbled one cannot match.
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = None
    try:
        upload.confirm(request.user, revision)
    except ImportFailed:
        # Told to preview again, with the new preview in front of them.
        context = _preview_context(upload, upload.plan(change=True), changed=True)
        return render(request, "imports/preview.html", context, status=409)
    return redirect(upload)
