import functools
import re
import unicodedata

from django.conf import settings
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


@functools.lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """For sorting: no case, no accents, no hamza seats ("Égypte" sorts as "egypte").

    Cyrillic letters keep their marks: Й is a letter of its own, after И; only
    Ё sorts as the plain letter, as Russian dictionaries have it.
    """
    letters = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\u0401\u0451":  # Ё, ё
            char = "\u0435"
        elif not "\u0400" <= char <= "\u04ff":
            decomposed = unicodedata.normalize("NFKD", char)
            char = "".join(c for c in decomposed if not unicodedata.combining(c))
        letters.append(char)
    return "".join(letters).casefold()


# The other languages' names, by Django language code (English is `name`).
_NAME_LANGUAGES = [code for code, _label in settings.LANGUAGES if code != "en"]


class ParticipantQuerySet(models.QuerySet):
    def states(self):
        return self.exclude(kind=Kind.REIO)

    def search(self, text: str):
        """By any part of the name in any UN language or of an alias, or by an exact ISO code.

        "viet", "Vietnam", "Вьетнам", "越南" and "VN" all find Viet Nam, whatever
        the language of the page. Typographic apostrophes are read as the UN
        names write them ("Côte d'Ivoire").
        """
        text = re.sub(r"\s+", " ", text.translate(_APOSTROPHES)).strip()
        if not text:
            return self
        found = (
            models.Q(name__icontains=text)
            | models.Q(aliases__icontains=text)
            | models.Q(iso2__iexact=text)
            | models.Q(iso3__iexact=text)
        )
        for code in _NAME_LANGUAGES:
            # Each language's value, not the JSON text, which holds the keys ("es") too.
            found |= models.Q(**{f"names__{code}__icontains": text})
        return self.filter(found)

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
    name = models.CharField(_("name"), max_length=100, unique=True)
    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    m49 = models.PositiveSmallIntegerField(_("M49 code"), null=True, blank=True, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER_STATE
    )
    regional_group = models.CharField(
        _("regional group"), max_length=30, choices=RegionalGroup.choices, blank=True
    )
    # Türkiye also takes part in Asia-Pacific; the United States attends WEOG as
    # an observer. Counted in neither group's size, found by both filters.
    also_in_group = models.CharField(
        _("also in the group"), max_length=30, choices=RegionalGroup.choices, blank=True
    )
    # Other names users and files use ("Vietnam", "UK"): matched on import, never shown.
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    # The name in the other UN languages, by Django language code ("fr", "zh-hans"):
    # CLDR's, or the UN's own where they differ (scripts/build_participant_names.py).
    names = models.JSONField(_("names in the other languages"), default=dict, blank=True)
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="organizations",
        verbose_name=_("members"),
        help_text=_("For a regional economic integration organization: its member States."),
    )

    objects = ParticipantManager()
    history = HistoricalRecords(excluded_fields=["members"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
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
        return self.display_name

    def get_absolute_url(self):
        return reverse("ratifications:participant", args=[self.iso3])

    @property
    def display_name(self) -> str:
        """The name in the active language; the UN Treaty Collection's in English."""
        return self.names.get(get_language() or "", self.name)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Where the name sorts in the active language, as the UN's own lists in it sort.

        Case and accents aside ("Égypte" with the E's, not after "Zimbabwe");
        Arabic lists ignore the article (الأردن sorts at أ); the UN's Chinese
        lists of Member States follow the English order.
        """
        language = get_language()
        key = _folded(self.name if language == "zh-hans" else self.display_name)
        if language == "ar":
            key = key.removeprefix("ال")
        return (key, self.name)

    def is_named(self, text: str) -> bool:
        """Whether `text` is exactly one of its names, in any language, an alias or a code."""
        names = (self.name, *self.aliases, *self.names.values(), self.iso3, self.iso2)
        return match_key(text) in {match_key(name) for name in names}

    @property
    def is_reio(self) -> bool:
        return self.kind == Kind.REIO

    def natural_key(self):
        return (self.iso3,)
