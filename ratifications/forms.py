import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind, ParticipantStatus
from states.models import RegionalGroup

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(raw: str) -> dt.date | None:
    """A strict YYYY-MM-DD (as <input type="date"> sends it), or None when blank."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        if _DATE.fullmatch(raw):
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise ValueError(
        gettext("as_of must be a date written YYYY-MM-DD, not %(value)s.") % {"value": repr(raw)}
    )


class StatusFilter(models.TextChoices):
    # The default: everyone the treaty's record names.
    ACTED = "", _("Signatories and Parties")
    ALL = "all", _("All participants")
    SIGNED = "signed", _("Signed, no instrument yet")
    PARTY = "party", _("Parties")
    COUNTS = "counts", _("Counted toward the threshold")
    NOT_SIGNED = "not_signed", _("Not signed (no action)")
    REPORTED = "reported", _("Reported, not yet deposited")

    def matches(self, row: ParticipantStatus | None, *, reported: bool = False) -> bool:
        """`row` is None for a participant with no verified action; `reported`, whether a
        step toward its instrument is reported that the depositary has not recorded."""
        if self == StatusFilter.ALL:
            return True
        if self == StatusFilter.REPORTED:
            return reported
        if self == StatusFilter.NOT_SIGNED:
            return row is None
        if row is None:
            return False
        if self == StatusFilter.SIGNED:
            return row.signature is not None and row.consent is None
        if self == StatusFilter.PARTY:
            return row.party
        if self == StatusFilter.COUNTS:
            return row.counts_toward_threshold
        return True


class Declared(models.TextChoices):
    ANY_RECORD = "", _("Any")
    RESERVATIONS = "reservations", _("Has reservations")
    ANY = "any", _("Has declarations, reservations or notifications")


class Sort(models.TextChoices):
    NAME = "name", _("Name")
    SIGNATURE = "signature", _("Signature date")
    INSTRUMENT = "instrument", _("Instrument date")

    def key(self, participant, row: ParticipantStatus | None) -> tuple:
        """Earliest first; participants without that date last, by name.

        Names sort as they read in the active language (`Participant.sort_key`).
        """
        if self == Sort.NAME:
            return participant.sort_key
        day = getattr(row, "signature" if self == Sort.SIGNATURE else "consent", None)
        return (day is None, day or dt.date.min, *participant.sort_key)


def _one_of(choices) -> dict:
    values = ", ".join(value for value, _label in choices if value)
    return {"invalid_choice": format_lazy("{} {}", _("%(value)r is not one of:"), values)}


class DashboardForm(forms.Form):
    """The dashboard's query string: the day shown, and the participants table's filters.

    A value the form does not offer answers 400 with the reason (a link to an
    old or mistyped view should say so, not quietly show another one); a
    parameter it does not know (utm_source...) is ignored.
    """

    as_of = forms.CharField(required=False, label=_("Show the status as it stood on"))
    find = forms.CharField(
        required=False,
        max_length=100,
        label=_("Has it signed? Find a participant"),
        help_text=_("A name in any UN language, another spelling or an ISO code"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "dir": "auto"}),
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label=_("Search"),
        help_text=_("A name, another spelling or an ISO code"),
        # dir="auto": a name typed in Latin letters reads left to right on an Arabic page.
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "dir": "auto"}),
    )
    group = forms.ChoiceField(
        required=False,
        label=_("Regional group"),
        choices=[("", _("All groups")), *RegionalGroup.choices],
        error_messages=_one_of(RegionalGroup.choices),
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=StatusFilter.choices,
        error_messages=_one_of(StatusFilter.choices),
    )
    sort = forms.ChoiceField(
        required=False,
        label=_("Sort by"),
        choices=Sort.choices,
        error_messages=_one_of(Sort.choices),
    )
    # What participants declared or reserved (declarations/), as of the day shown.
    declared = forms.ChoiceField(
        required=False,
        label=_("Declarations"),
        choices=Declared.choices,
        error_messages=_one_of(Declared.choices),
    )
    article = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=999,
        label=_("Under article"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, treaty, **kwargs):
        # Labels sit above their fields: no colon.
        super().__init__(*args, label_suffix="", **kwargs)
        self.treaty = treaty

    def clean_as_of(self) -> dt.date | None:
        try:
            day = parse_date(self.cleaned_data["as_of"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if day and day < self.treaty.adopted_on:
            raise ValidationError(
                gettext("as_of: the treaty was adopted on %(day)s; there is no status before.")
                % {"day": date_format(self.treaty.adopted_on, "DATE_FORMAT")}
            )
        return day

    def clean_sort(self) -> Sort:
        return Sort(self.cleaned_data["sort"] or Sort.NAME)

    def clean_status(self) -> StatusFilter:
        return StatusFilter(self.cleaned_data["status"])

    def clean_declared(self) -> Declared:
        return Declared(self.cleaned_data["declared"])

    def error_message(self) -> str:
        """Every problem, each naming its parameter, each a sentence."""
        sentences = (
            f"{name}: {message}" if name != "as_of" else message
            for name, messages in self.errors.items()
            for message in messages
        )
        # Chinese ends its sentences with "。": no full stop after it.
        return " ".join(s if s.endswith((".", "。")) else f"{s}." for s in sentences)

    def filters(self) -> dict[str, str]:
        """The table's filters as given, to carry them through the as_of form."""
        return {
            name: self.data[name]
            for name in ("find", "q", "group", "status", "sort", "declared", "article")
            if self.data.get(name)
        }


class WorkspaceForm(forms.ModelForm):
    """A record as the workspaces enter it (`Reviewed`): a mission's submission, or the
    depositary's own verified record (`verified=True`), checked by the model's clean().

    `participants` are those the person may act for: a mission's own, or all of them.
    """

    # The version the person saw, so that saving over someone else's change fails.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, participants, verified: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        # One's own mission is chosen already; among all 198, nobody is.
        self.fields["participant"].empty_label = _("Choose the participant") if verified else None
        self.fields["treaty"].empty_label = None
        if verified:
            self.instance.review = self.instance.Review.VERIFIED
        for name, field in self.fields.items():
            if field.widget.is_hidden:
                continue
            # The error slot that the rules engine's verdict fills while one types
            # (accounts/_action_form.html) describes its input from the start.
            described_by = [f"errors-{name}"]
            if field.help_text:
                described_by.append(f"{self[name].auto_id}_helptext")
            field.widget.attrs.setdefault("aria-describedby", " ".join(described_by))
            if field.required:
                # A select with no blank choice gets no `required` attribute from Django.
                field.widget.attrs["aria-required"] = "true"
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


class WhatIfForm(forms.Form):
    """The what-if page's "add" form: who deposits (one participant, or the signatories
    that have not deposited, all or a regional group's), and on what day."""

    SIGNATORIES = "signatories"

    who = forms.ChoiceField(label=_("Who deposits"))
    on = forms.CharField(
        label=_("Deposit date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Any day, past or future: nothing is saved."),
    )

    def __init__(self, *args, treaty, participants, day: dt.date, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.treaty = treaty
        groups = [(self.SIGNATORIES, _("All signatories that have not deposited"))] + [
            (
                f"{self.SIGNATORIES}:{group}",
                format_lazy(_("Signatories of the {} group that have not deposited"), label),
            )
            for group, label in RegionalGroup.choices
        ]
        self.fields["who"].choices = [
            ("", _("Choose")),
            (_("Groups"), groups),
            (
                _("One participant"),
                [(p.iso3, p.display_name) for p in sorted(participants, key=lambda p: p.sort_key)],
            ),
        ]
        self.fields["on"].initial = day.isoformat()
        self.fields["on"].widget.attrs["min"] = treaty.adopted_on.isoformat()
        for name in self.fields:
            described_by = [f"errors-{name}"]
            if self.fields[name].help_text:
                described_by.append(f"{self[name].auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(described_by)

    def clean_on(self) -> dt.date:
        raw = self.cleaned_data["on"].strip()
        try:
            if _DATE.fullmatch(raw):
                day = dt.date.fromisoformat(raw)
            else:
                raise ValueError(raw)
        except ValueError:
            raise ValidationError(
                gettext("Write the date as YYYY-MM-DD, not %(value)s.") % {"value": repr(raw)}
            ) from None
        if day < self.treaty.adopted_on:
            raise ValidationError(
                gettext("The treaty was adopted on %(day)s: no instrument can come before.")
                % {"day": date_format(self.treaty.adopted_on, "DATE_FORMAT")}
            )
        return day

    def group(self) -> str | None:
        """For a group choice, the regional group ("" for all signatories); else None."""
        who = self.cleaned_data["who"]
        if who == self.SIGNATORIES:
            return ""
        if who.startswith(f"{self.SIGNATORIES}:"):
            return who.split(":", 1)[1]
        return None


class ActionForm(WorkspaceForm):
    """An action as the workspaces enter it: a mission's submission, or the depositary's own
    verified record (`verified=True`). The rules engine checks it through Action.clean():
    a submission against the verified and pending actions, a verified record against the
    verified ones only.
    """

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
            "note",
        ]
        labels = {"kind": _("Action")}
        help_texts = {
            # Examples are said to be examples: never shown as if they were a value.
            "place": _("e.g. New York"),
            "notification": _(
                "The depositary notification, if issued, e.g. C.N.123.2026.TREATIES-XVIII.16"
            ),
            "source": _("Where the fact comes from, e.g. the note verbale of the mission."),
            "note": _("Shown with the action on its public page and in the open data."),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's own blank choice ("- Select an option -") has no translation yet.
        self.fields["kind"].choices = [("", _("Choose the action")), *ActionKind.choices]
