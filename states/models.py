import re

from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    MEMBER_STATE = "member_state", _("UN Member State")
    OBSERVER_STATE = "observer_state", _("Observer State")
    NON_MEMBER_STATE = "non_member_state", _("Non-member State")
    REIO = "reio", _("Regional economic integration organization")


class RegionalGroup(models.TextChoices):
    AFRICAN = "african", _("African States")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific States")
    EASTERN_EUROPEAN = "eastern_european", _("Eastern European States")
    LATIN_AMERICAN_CARIBBEAN = "latin_american_caribbean", _("Latin American and Caribbean States")
    WEOG = "weog", _("Western European and other States")


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def match_key(text: str) -> str:
    """How names are compared on import: case, apostrophe style and spacing don't matter."""
    return re.sub(r"\s+", " ", text.translate(_APOSTROPHES)).strip().casefold()


class ParticipantQuerySet(models.QuerySet):
    def states(self):
        return self.exclude(kind=Kind.REIO)

    def search(self, text: str):
        """By any part of the name or an alias, or by an exact ISO code: "viet", "Vietnam", "VN".

        Typographic apostrophes are read as the UN names write them ("Côte d'Ivoire").
        """
        text = re.sub(r"\s+", " ", text.translate(_APOSTROPHES)).strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(aliases__icontains=text)
            | models.Q(iso2__iexact=text)
            | models.Q(iso3__iexact=text)
        )

    def in_group(self, group: str):
        """Members of a group, and those who also take part in it (Türkiye, the US)."""
        return self.filter(models.Q(regional_group=group) | models.Q(also_in_group=group))

    def name_index(self) -> dict[str, "Participant"]:
        """Every participant under its alpha-3 code, UN name and aliases, by `match_key`.

        Names are matched exactly (after `match_key`), never guessed: "Korea"
        matches nothing.
        """
        index = {}
        for participant in self:
            for key in (participant.iso3, participant.name, *participant.aliases):
                index[match_key(key)] = participant
        return index


class ParticipantManager(models.Manager.from_queryset(ParticipantQuerySet)):
    def get_by_natural_key(self, iso3):
        return self.get(iso3=iso3)


class Participant(models.Model):
    """A State or organization that can sign and join treaties open to "all States"."""

    # The UN Treaty Collection's name: "Viet Nam", "Türkiye", "Czech Republic".
    name = models.CharField(max_length=100, unique=True)
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    m49 = models.PositiveSmallIntegerField("M49 code", null=True, blank=True, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MEMBER_STATE)
    regional_group = models.CharField(max_length=30, choices=RegionalGroup.choices, blank=True)
    # Türkiye also takes part in Asia-Pacific; the United States attends WEOG as
    # an observer. Counted in neither group's size, found by both filters.
    also_in_group = models.CharField(max_length=30, choices=RegionalGroup.choices, blank=True)
    # Other names users and files use ("Vietnam", "UK"): matched on import, never shown.
    aliases = models.JSONField(default=list, blank=True)
    # The name in the other UN languages, by Django language code ("fr", "zh-hans"):
    # CLDR's, or the UN's own where they differ (scripts/build_participant_names.py).
    names = models.JSONField(default=dict, blank=True)
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="organizations",
        help_text=_("For a regional economic integration organization: its member States."),
    )

    objects = ParticipantManager()
    history = HistoricalRecords(excluded_fields=["members"])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2=Upper("iso2")) & models.Q(iso3=Upper("iso3")),
                name="participant_codes_upper_case",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="participant_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(regional_group__in=["", *RegionalGroup.values])
                & models.Q(also_in_group__in=["", *RegionalGroup.values]),
                name="participant_group_valid",
            ),
            # Regional groups are groups of States.
            models.CheckConstraint(
                condition=~models.Q(kind=Kind.REIO) | models.Q(regional_group="", also_in_group=""),
                name="participant_reio_has_no_group",
            ),
            models.CheckConstraint(
                condition=models.Q(also_in_group="")
                | ~models.Q(also_in_group=models.F("regional_group")),
                name="participant_second_group_differs",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("states:participant", args=[self.iso3])

    @property
    def display_name(self) -> str:
        """The name in the active language; the UN Treaty Collection's in English."""
        return self.names.get(get_language() or "", self.name)

    @property
    def is_reio(self) -> bool:
        return self.kind == Kind.REIO

    def natural_key(self):
        return (self.iso3,)
