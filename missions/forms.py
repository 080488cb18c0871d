from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind


class SubmissionForm(forms.ModelForm):
    """A mission's submission; the rules engine checks it through Action.clean()."""

    # The version the person saw, so that saving over someone else's change fails.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "participant",
            "treaty",
            "kind",
            "date",
            "place",
            "notification",
            "source",
            "declarations",
            "declaration_articles",
        ]
        labels = {"kind": _("Action")}
        help_texts = {
            "declarations": _(
                "Made with this action, or, for the action “Declaration or reservation”, "
                "notified on their own."
            ),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "declarations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        # Django's own blank choice ("- Select an option -") has no translation yet.
        self.fields["kind"].choices = [("", _("Choose the action")), *ActionKind.choices]
        self.fields["participant"].empty_label = None
        self.fields["treaty"].empty_label = None
        if self.instance.pk is None:
            self.fields["treaty"].initial = (
                Treaty.objects.filter(slug=settings.DEFAULT_TREATY_SLUG).values_list(
                    "pk", flat=True
                )
            ).first()
        else:
            self.fields["version"].initial = self.instance.version

    def drop_errors_of_empty_fields(self):
        """While the person is still typing, a field left empty is not yet an error."""
        for name in list(self.errors):
            if name in self.fields and not self.data.get(self.add_prefix(name)):
                del self.errors[name]
