from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ratifications.models import Treaty
from reports.models import Report


class ReportForm(forms.ModelForm):
    """A report as the workspaces enter it: a mission's of its own State's steps, or the
    depositary's of any participant's. `participants` are those the person may report for."""

    class Meta:
        model = Report
        fields = [
            "participant",
            "treaty",
            "kind",
            "date",
            "summary",
            "articles",
            "source",
            "confidence",
        ]
        help_texts = {
            "summary": _("What happened, in a sentence or two. Shown on the public page."),
            "confidence": _("An official national source, or the press."),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.fields["participant"].empty_label = (
            _("Choose the participant") if participants.count() > 1 else None
        )
        self.fields["kind"].choices = [("", _("Choose what is reported")), *Report.Kind.choices]
        self.fields["treaty"].empty_label = None
        self.fields["treaty"].initial = (
            Treaty.objects.filter(slug=settings.DEFAULT_TREATY_SLUG)
            .values_list("pk", flat=True)
            .first()
        )
        for name, field in self.fields.items():
            # Each field's errors and help are read with it (templates/reports/_report_form.html).
            described_by = [f"report-errors-{name}"]
            if field.help_text:
                described_by.append(f"{self[name].auto_id}_helptext")
            field.widget.attrs.setdefault("aria-describedby", " ".join(described_by))
            if field.required:
                field.widget.attrs["aria-required"] = "true"
