from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from declarations.models import Declaration
from declarations.rules import ANSWERABLE, Kind, Made, Subject
from ratifications.forms import WorkspaceForm


class AnsweredField(forms.ModelChoiceField):
    """The reservation or declaration an objection or a withdrawal answers, by its label."""

    def label_from_instance(self, record):
        label = str(record)
        if record.articles:
            label += " (" + gettext("articles %(articles)s") % {"articles": record.articles} + ")"
        return f"{label} · {record.treaty.display_name}"


class DeclarationForm(WorkspaceForm):
    """A declaration, reservation, objection, withdrawal or notification as the workspaces
    enter it: a mission's submission, or the depositary's own verified record. Its rules
    are the model's (`Declaration.clean`)."""

    answers = AnsweredField(
        queryset=Declaration.objects.none(),
        required=False,
        label=_("Answers"),
        help_text=_("For an objection or a withdrawal: the reservation or declaration."),
    )

    class Meta:
        model = Declaration
        fields = [
            "participant",
            "treaty",
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
        ]
        labels = {"made": _("Made")}
        help_texts = {
            # Examples are said to be examples: never shown as if they were a value.
            "notification": _(
                "The depositary notification, if issued, e.g. C.N.123.2026.TREATIES-XVIII.16"
            ),
            "source": _("Where the fact comes from, e.g. the note verbale of the mission."),
            "note": _("Shown with it on its public page and in the open data."),
            "subject": _("For a notification: what it notifies."),
            "contact_name": _(
                "For a notification. Contact details are shown only to signed-in mission and "
                "depositary staff, never in public."
            ),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
            "text_english": forms.Textarea(attrs={"rows": 4, "dir": "ltr", "lang": "en"}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "contact_telephone": forms.TextInput(attrs={"type": "tel", "dir": "ltr"}),
            "articles": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        answerable = Declaration.objects.verified().filter(kind__in=ANSWERABLE)
        if self.instance.pk:
            answerable = answerable.exclude(pk=self.instance.pk)
        self.fields["answers"].queryset = answerable.select_related("participant", "treaty")
        self.fields["answers"].empty_label = _("Nothing: not an objection nor a withdrawal")
        # Django's own blank choice ("- Select an option -") has no translation yet.
        self.fields["kind"].choices = [("", _("Choose the kind")), *Kind.choices]
        self.fields["made"].choices = [("", _("Choose when it was made")), *Made.choices]
        self.fields["subject"].choices = [("", _("Not a notification")), *Subject.choices]
        self.fields["language"].choices = [
            ("", _("No text yet")),
            *self.fields["language"].choices[1:],
        ]
