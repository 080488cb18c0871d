import uuid

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ratifications.models import Treaty


class UploadForm(forms.Form):
    treaty = forms.ModelChoiceField(
        Treaty.objects.all(), to_field_name="slug", empty_label=None, label=_("Treaty")
    )
    # An empty file is let through: the import says what it lacks, as the command does.
    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    # The kept upload this file corrects: it is forgotten once the new one is kept.
    replaces = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("UTF-8 CSV, %(limit)s at most.") % {
            "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)
        }

    def clean_replaces(self) -> uuid.UUID | None:
        # Not the person's to get wrong: a value that is no upload's replaces nothing.
        try:
            return uuid.UUID(self.cleaned_data["replaces"])
        except ValueError:
            return None

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if file.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; an upload may be %(limit)s at most. Split it into "
                    "smaller files, or have an administrator run the import_actions command."
                ),
                code="too_large",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            )
        return file
