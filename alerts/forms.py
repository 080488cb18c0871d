from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts import webhooks
from alerts.models import TREATY_ONLY, Endpoint, Follow, Topic
from ratifications.models import Treaty
from states.models import Participant
from treatytrack.i18n import LANGUAGE_NAMES


class ParticipantChoice(forms.ModelChoiceField):
    def label_from_instance(self, participant):
        return participant.display_name


class FollowingForm(forms.ModelForm):
    """What to follow: a treaty, or one participant on it, and the topics."""

    treaty = forms.ModelChoiceField(
        Treaty.objects.all(), to_field_name="slug", label=_("Treaty"), empty_label=None
    )
    participant = ParticipantChoice(
        Participant.objects.all(),
        to_field_name="iso3",
        required=False,
        label=_("Participant"),
        empty_label=_("All participants: the treaty as a whole"),
    )
    topics = forms.MultipleChoiceField(
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Tell me of"),
        help_text=_("The threshold and the signature deadline concern the treaty as a whole."),
        error_messages={"required": _("Choose at least one thing to be told of.")},
    )

    class Meta:
        fields = ["treaty", "participant"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["treaty"].label_from_instance = lambda treaty: treaty.display_name
        # Sorted as the page's language sorts names.
        participants = sorted(Participant.objects.all(), key=lambda p: p.sort_key)
        self.fields["participant"].choices = [
            ("", self.fields["participant"].empty_label),
            *((p.iso3, p.display_name) for p in participants),
        ]
        if self.instance.pk:
            self.initial.setdefault("topics", [topic.value for topic in self.instance.topics])

    def clean(self):
        cleaned = super().clean()
        topics = {Topic(value) for value in cleaned.get("topics", [])}
        if cleaned.get("participant") and topics & set(TREATY_ONLY):
            self.add_error(
                "topics",
                gettext(
                    "The threshold, the signature deadline and the projection concern the "
                    "treaty as a whole: choose them without a participant."
                ),
            )
        return cleaned

    def save(self, commit=True):
        self.instance.topics = {Topic(value) for value in self.cleaned_data["topics"]}
        return super().save(commit)


class FollowForm(FollowingForm):
    class Meta(FollowingForm.Meta):
        model = Follow


class SubscribeForm(FollowForm):
    """The public form: an address, what it follows, the language of its mail."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to it first: nothing else comes until you follow it."),
    )
    language = forms.ChoiceField(
        choices=[(code, LANGUAGE_NAMES[code]) for code, _name in settings.LANGUAGES],
        label=_("Language of the mail"),
    )

    field_order = ["email", "treaty", "participant", "topics", "language"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        choices=[(code, LANGUAGE_NAMES[code]) for code, _name in settings.LANGUAGES],
        label=_("Language of the mail"),
    )


class AddressForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"))


class EndpointForm(FollowingForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Called with a POST of each event, in JSON, signed with the secret."),
    )

    class Meta(FollowingForm.Meta):
        model = Endpoint
        fields = ["url", "treaty", "participant"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.check(url, allow_private=settings.ALERTS_ALLOW_PRIVATE_WEBHOOKS)
        except webhooks.Refused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url
