from django import forms
from django.utils.translation import gettext_lazy as _

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
