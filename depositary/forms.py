import re

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from depositary import untc
from ratifications.audit import CHANGE_REASONS
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Participant


class QueueFilter(forms.Form):
    """The queue's filters; the URL always reflects them."""

    treaty = forms.ModelChoiceField(
        Treaty.objects.all(),
        required=False,
        to_field_name="slug",
        label=_("Treaty"),
        empty_label=_("All treaties"),
    )
    # Only those with something pending: a list of 198 helps nobody.
    participant = forms.ModelChoiceField(
        Participant.objects.filter(actions__review=Action.Review.PENDING).distinct(),
        required=False,
        to_field_name="iso3",
        label=_("Participant"),
        empty_label=_("All participants"),
    )
    kind = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All actions")), *ActionKind.choices], required=False
    )

    def apply(self, actions):
        if not self.is_valid():
            return actions
        data = self.cleaned_data
        if data["treaty"]:
            actions = actions.filter(treaty=data["treaty"])
        if data["participant"]:
            actions = actions.filter(participant=data["participant"])
        if data["kind"]:
            actions = actions.filter(kind=data["kind"])
        return actions


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class UndoForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is the decision undone?"),
        help_text=_("Kept in the audit trail and sent to the mission."),
        # The one thing to do on the confirmation: it is where the focus starts.
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
    )


# A ticked submission: its pk and the version the person saw. ASCII digits only:
# str.isdigit() and int() also take "²" or "٣", and must not get that far.
_TICKED = re.compile(r"([0-9]{1,18}):([0-9]{1,9})")


class TickedField(forms.Field):
    """The ticked submissions, each sent as `pk:version`: all understood, or an error."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick the submissions to verify first."),
        "invalid": _("%(value)r is not a ticked submission: nothing was verified."),
    }

    def to_python(self, values) -> list[tuple[int, int]]:
        ticked = {}
        for value in values or []:
            match = _TICKED.fullmatch(value)
            if not match:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": value}
                )
            ticked.setdefault(int(match[1]), int(match[2]))
        return list(ticked.items())


class TickedForm(forms.Form):
    selected = TickedField()


def _decisions():
    return [("", _("Any change")), *((key, capfirst(name)) for key, name in CHANGE_REASONS.items())]


class AuditFilter(forms.Form):
    """The audit trail's search; the URL always reflects it."""

    participant = forms.ModelChoiceField(
        Participant.objects.filter(actions__isnull=False).distinct(),
        required=False,
        to_field_name="iso3",
        label=_("Participant"),
        empty_label=_("All participants"),
    )
    treaty = forms.ModelChoiceField(
        Treaty.objects.all(),
        required=False,
        to_field_name="slug",
        label=_("Treaty"),
        empty_label=_("All treaties"),
    )
    person = forms.CharField(
        required=False,
        max_length=150,
        label=_("Person"),
        help_text=_("A username, or part of one"),
    )
    decision = forms.ChoiceField(required=False, label=_("What happened"), choices=_decisions)
    since = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end comes before the start."))
        return data

    def apply(self, records):
        """The historical actions that match, newest first; none while the search is wrong."""
        records = records.order_by("-history_date", "-history_id")
        if not self.is_bound:
            return records
        if not self.is_valid():
            return records.none()
        data = self.cleaned_data
        if data["participant"]:
            records = records.filter(participant=data["participant"])
        if data["treaty"]:
            records = records.filter(treaty=data["treaty"])
        if data["person"]:
            records = records.filter(history_user__username__icontains=data["person"])
        if data["decision"]:
            records = records.filter(history_change_reason=data["decision"])
        # New York days: `__date` is taken in the site's time zone.
        if data["since"]:
            records = records.filter(history_date__date__gte=data["since"])
        if data["until"]:
            records = records.filter(history_date__date__lte=data["until"])
        return records


class StatusFileForm(forms.Form):
    """A status file of the depositary, uploaded to check the record against."""

    treaty = forms.ModelChoiceField(
        Treaty.objects.all(), to_field_name="slug", empty_label=None, label=_("Treaty")
    )
    file = forms.FileField(
        label=_("Status file (XML)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "The XML view of the treaty's page in the UN Treaty Collection, %(limit)s at most."
        ) % {"limit": filesizeformat(settings.UNTC_MAX_BYTES)}

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > settings.UNTC_MAX_BYTES:
            raise forms.ValidationError(untc.too_large(file.size, settings.UNTC_MAX_BYTES))
        return file


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does it not matter?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the difference is dismissed.")},
    )
