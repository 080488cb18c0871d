"""Declarations, reservations, objections, withdrawals and notifications, by article.

Each is a record of its own, on the same workflow as actions (`Reviewed`: missions submit,
the depositary verifies, rejects or undoes, the audit trail keeps every version). Only
verified records are public, and a notification's contact details never are
(`DeclarationQuerySet.public`, `sees_contact_details`).
"""

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import is_depositary_staff, is_mission_staff
from declarations import rules
from declarations.articles import Article, canonical, parse
from declarations.rules import Kind, Made, Subject
from ratifications.models import (
    Action,
    Reviewed,
    ReviewedQuerySet,
    Revision,
    Treaty,
    lock_records,
)
from ratifications.rules import Problem, today_in_new_york
from states.models import Participant

# Shown only to signed-in mission and depositary staff: never in a public answer.
CONTACT_FIELDS = ("contact_name", "contact_telephone", "contact_email")


# The kinds that answer another record (`Kind.answers_another`).
ANSWERING = ["objection", "withdrawal"]


def sees_contact_details(user) -> bool:
    """Whether this user may read a notification's contact details."""
    return is_mission_staff(user) or is_depositary_staff(user)


def new_ref() -> str:
    return str(uuid.uuid4())


class Language(models.TextChoices):
    """The language a text was deposited in: one of the treaty's authentic languages."""

    ARABIC = "ar", _("Arabic")
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")


class DeclarationQuerySet(ReviewedQuerySet):
    def public(self):
        """Verified, without the contact details: what every public answer starts from.
        A template that tried to show them would raise (`fetch_mode(FETCH_RAISE)`)."""
        return self.verified().defer(*CONTACT_FIELDS)

    def with_withdrawal(self):
        """Each with `withdrawn_on`: the date of its verified withdrawal, or None."""
        withdrawals = Declaration.objects.verified().filter(
            kind=Kind.WITHDRAWAL, answers=models.OuterRef("pk")
        )
        return self.annotate(withdrawn_on=models.Subquery(withdrawals.values("date")[:1]))

    def in_effect(self, as_of: dt.date):
        """Made by the end of `as_of` and not withdrawn by then; withdrawals themselves aside."""
        withdrawn = Declaration.objects.verified().filter(
            kind=Kind.WITHDRAWAL, answers=models.OuterRef("pk"), date__lte=as_of
        )
        return (
            self.filter(date__lte=as_of)
            .exclude(kind=Kind.WITHDRAWAL)
            .exclude(models.Exists(withdrawn))
        )

    def declaring(
        self, treaty: Treaty, as_of: dt.date, *, reservations: bool = False, article=None
    ) -> set[int]:
        """The participants (pks) whose verified records of `treaty` stand on `as_of`: only
        reservations, or only those under `article`, when asked (the dashboard's filters)."""
        records = self.verified().for_treaty(treaty).in_effect(as_of)
        if reservations:
            records = records.filter(kind=Kind.RESERVATION)
        if article is not None:
            records = records.under_article(article)
        return set(records.values_list("participant", flat=True).distinct())

    def under_article(self, number: int):
        """Those that concern article `number`, or one of its paragraphs."""
        return self.filter(
            models.Exists(
                Provision.objects.filter(declaration=models.OuterRef("pk"), article=number)
            )
        )


class Declaration(Reviewed):
    """A declaration, reservation, objection, withdrawal or notification of one participant
    on one treaty, with the articles it concerns."""

    # Stable across exports and imports: what an objection or a withdrawal names in a file.
    ref = models.CharField(
        _("reference"),
        max_length=80,
        unique=True,
        default=new_ref,
        editable=False,
        help_text=_("Letters, digits, dots, hyphens and underscores."),
    )
    treaty = models.ForeignKey(
        Treaty, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("treaty")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("participant"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    made = models.CharField(_("made"), max_length=20, choices=Made.choices)
    date = models.DateField(
        _("date"),
        help_text=_(
            "Of the signature or the instrument it was made upon, or of receipt of its "
            "notification."
        ),
    )
    # In one spelling (`declarations.articles.canonical`); `Provision` rows repeat it as data.
    articles = models.CharField(
        _("articles concerned"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 7(2); 63(3). Separate them with semicolons."),
    )
    answers = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_by",
        verbose_name=_("answers"),
        help_text=_("For an objection or a withdrawal: the reservation or declaration."),
    )
    subject = models.CharField(
        _("what it notifies"), max_length=30, choices=Subject.choices, blank=True
    )
    authority = models.CharField(
        _("authority or office"),
        max_length=300,
        blank=True,
        help_text=_("For a notification: the authority designated. Public."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_telephone = models.CharField(_("contact telephone"), max_length=60, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    language = models.CharField(
        _("language of the text"), max_length=2, choices=Language.choices, blank=True
    )
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("As deposited. Leave it empty while the text is not available."),
    )
    text_english = models.TextField(
        _("English version"), blank=True, help_text=_("Where one exists.")
    )
    notification = models.CharField(
        _("depositary notification"),
        max_length=60,
        blank=True,
        help_text="C.N.123.2026.TREATIES-XVIII.16",
    )
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("Where the fact comes from.")
    )
    note = models.TextField(_("note"), blank=True)

    objects = DeclarationQuerySet.as_manager()
    # The audit trail: every create, edit, verification, rejection, withdrawal, undo.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("declaration, reservation or notification")
        verbose_name_plural = _("declarations, reservations and notifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="declaration_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(made__in=Made.values), name="declaration_made_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(review__in=Reviewed.Review.values),
                name="declaration_review_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ref__regex=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
                name="declaration_ref_spelling",
            ),
            # An objection or a withdrawal names what it answers; nothing else does.
            models.CheckConstraint(
                condition=models.Q(kind__in=["objection", "withdrawal"], answers__isnull=False)
                | (
                    ~models.Q(kind__in=["objection", "withdrawal"]) & models.Q(answers__isnull=True)
                ),
                name="declaration_answers_when_it_should",
            ),
            models.CheckConstraint(
                condition=~models.Q(answers=models.F("pk")), name="declaration_not_its_own_answer"
            ),
            # What it notifies, the authority and its contact details: notifications only.
            models.CheckConstraint(
                condition=models.Q(kind="notification", subject__in=Subject.values)
                | (
                    ~models.Q(kind="notification")
                    & models.Q(
                        subject="",
                        authority="",
                        contact_name="",
                        contact_telephone="",
                        contact_email="",
                    )
                ),
                name="declaration_notification_fields",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=["", *Language.values]),
                name="declaration_language_valid",
            ),
            # An English version beside a text in English would be the same text.
            models.CheckConstraint(
                condition=models.Q(text_english="") | ~models.Q(language="en"),
                name="declaration_english_version_of_another_language",
            ),
            # A withdrawal ends a record once; a participant objects to it once.
            models.UniqueConstraint(
                fields=["answers"],
                condition=models.Q(kind="withdrawal", review="verified"),
                name="declaration_withdrawn_once",
            ),
            models.UniqueConstraint(
                fields=["answers", "participant"],
                condition=models.Q(kind="objection", review="verified"),
                name="declaration_objected_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(review="rejected") | ~models.Q(rejection_reason=""),
                name="declaration_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(review__in=["pending", "withdrawn"], reviewed_at__isnull=True)
                | models.Q(review__in=["verified", "rejected"], reviewed_at__isnull=False),
                name="declaration_reviewed_unless_pending",
            ),
        ]
        indexes = [
            # The by-article page and the open data: a treaty's verified records by date.
            models.Index(
                fields=["treaty", "review", "date"], name="declaration_treaty_review_date"
            ),
            # The participant page and every rule check: one participant's records.
            models.Index(fields=["participant", "treaty"], name="declaration_participant"),
            # The depositary's queue: pending submissions, oldest first.
            models.Index(
                fields=["submitted_at"],
                condition=models.Q(review="pending"),
                name="declaration_pending_queue",
            ),
        ]

    def __str__(self):
        return gettext("%(participant)s: %(kind)s of %(date)s") % {
            "participant": self.participant.display_name,
            "kind": self.get_kind_display(),
            "date": date_format(self.date, "DATE_FORMAT"),
        }

    def get_absolute_url(self):
        """Where it is shown in public (once verified): on its participant's page."""
        url = reverse("ratifications:participant", args=[self.participant.iso3])
        return f"{url}#declaration-{self.ref}"

    @property
    def declaration_kind(self) -> Kind:
        return Kind(self.kind)

    @property
    def provisions_cited(self) -> list[Article]:
        return parse(self.articles)

    def as_statement(self) -> rules.Statement:
        return rules.Statement(
            participant=self.participant_id,
            kind=Kind(self.kind),
            made=Made(self.made),
            date=self.date,
            treaty=self.treaty_id,
            verified=self.review == self.Review.VERIFIED,
        )

    def rule_problems(self, *, include_pending: bool = False, acts=None) -> list[Problem]:
        """Its rules against what is recorded: the participant's actions (verified only, or
        with pending submissions; or `acts`, another list of them) and what it answers."""
        if acts is None:
            inputs = Action.objects.rule_inputs(
                self.treaty, [self.participant], include_pending=include_pending
            )
            acts = inputs.acts.get(self.participant_id, [])
        answers = withdrawn_on = None
        if self.answers_id:
            answered = Declaration.objects.get(pk=self.answers_id)
            answers = answered.as_statement()
            withdrawn_on = (
                Declaration.objects.verified()
                .filter(kind=Kind.WITHDRAWAL, answers=answered)
                .exclude(pk=self.pk)
                .values_list("date", flat=True)
                .first()
            )
        return rules.check(
            self.as_statement(),
            acts,
            adopted_on=self.treaty.adopted_on,
            today=today_in_new_york(),
            answers=answers,
            withdrawn_on=withdrawn_on,
        )

    def clean(self):
        super().clean()
        errors: dict[str, list[str]] = {}
        try:
            self.articles = canonical(parse(self.articles))
        except ValueError as exc:
            errors["articles"] = [str(exc)]
        if self.kind != Kind.NOTIFICATION:
            for name in ("subject", "authority", *CONTACT_FIELDS):
                if getattr(self, name):
                    errors.setdefault(name, []).append(gettext("Only a notification has this."))
        elif not self.subject:
            errors["subject"] = [gettext("Say what the notification notifies.")]
        if self.answers_id and not Kind(self.kind).answers_another:
            errors["answers"] = [gettext("Only an objection or a withdrawal answers another.")]
        if self.text_english and self.language == Language.ENGLISH:
            errors["text_english"] = [gettext("The text is in English already.")]
        ready = self.treaty_id and self.participant_id and self.kind and self.made and self.date
        if ready and not errors:
            for problem in self.rule_problems(include_pending=self.review != self.Review.VERIFIED):
                errors.setdefault(problem.field or "__all__", []).append(problem.message)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """With its `Provision` rows, made again from `articles` in the same transaction."""
        cited = parse(self.articles)
        self.articles = canonical(cited)
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.provisions.all().delete()
            Provision.objects.bulk_create(
                Provision(declaration=self, **article._asdict()) for article in cited
            )

    def _lock(self) -> None:
        """The participant's row, then the treaty's (always in that order: no deadlock). An
        undo of the signature or instrument this stands on holds the first (`Action.undo`),
        a verification of an objection to it the second."""
        list(Participant.objects.select_for_update().filter(pk=self.participant_id).values("pk"))
        lock_records(self.treaty)

    def verify(self, by, *, seen_version: int | None = None) -> None:
        with transaction.atomic():
            self._lock()
            super().verify(by, seen_version=seen_version)

    def undo(self, by, reason: str, *, seen_version: int | None = None) -> None:
        with transaction.atomic():
            self._lock()
            super().undo(by, reason, seen_version=seen_version)

    def undo_problems(self) -> list[str]:
        """A verified record that others answer (an objection, a withdrawal) stays: undo those."""
        if self.review != self.Review.VERIFIED:
            return []
        return [
            gettext("Without it, %(record)s would answer nothing: undo it first.")
            % {"record": answer}
            for answer in self.answered_by.verified().select_related("participant")
        ]


def on_participant_page(participant: Participant, *, contacts: bool) -> dict[int, list]:
    """The participant's verified records by treaty pk, each with `withdrawn_on` and the
    `objections` others made to it; the contact details only with `contacts` (staff). One
    query; a template that reached for anything not loaded would raise."""
    records = Declaration.objects.verified() if contacts else Declaration.objects.public()
    rows = list(
        records.filter(
            models.Q(participant=participant) | models.Q(answers__participant=participant)
        )
        .with_withdrawal()
        .select_related("participant", "answers__participant")
        .defer(*(f"answers__{name}" for name in CONTACT_FIELDS))
        .order_by("date", "pk")
        .fetch_mode(models.FETCH_RAISE)
    )
    objections: dict[int, list[Declaration]] = {}
    for row in rows:
        if row.kind == Kind.OBJECTION:
            objections.setdefault(row.answers_id, []).append(row)
    found: dict[int, list[Declaration]] = {}
    for row in rows:
        if row.participant_id == participant.pk:
            row.objections = objections.get(row.pk, [])
            found.setdefault(row.treaty_id, []).append(row)
    return found


def standing_on(action: Action) -> list[str]:
    """What the verified declarations of this action's participant would break without it
    (a reservation made upon this signature): `Action.undo_problems` reports them."""
    records = list(
        Declaration.objects.verified()
        .filter(treaty=action.treaty_id, participant=action.participant_id)
        .select_related("participant", "treaty")
    )
    if not records:
        return []
    recorded = Action.objects.rule_inputs(action.treaty, [action.participant]).acts
    acts = recorded.get(action.participant_id, [])
    without = [act for act in acts if act != action.as_act()]
    found = []
    for record in records:
        before = {p.message for p in record.rule_problems(acts=acts)}
        after = {p.message for p in record.rule_problems(acts=without)}
        found += [
            gettext("Without it, %(record)s would break the rules: %(problem)s")
            % {"record": record, "problem": problem}
            for problem in sorted(after - before)
        ]
    return found


class Provision(models.Model):
    """An article (or paragraph, or subparagraph) a declaration concerns: `Declaration.articles`
    as rows, so that "which participants reserved under article 63" is a query."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="provisions"
    )
    article = models.PositiveSmallIntegerField()
    # 0: the whole article.
    paragraph = models.PositiveSmallIntegerField(default=0)
    subparagraph = models.CharField(max_length=4, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "article", "paragraph", "subparagraph"],
                name="provision_once",
            ),
            models.CheckConstraint(condition=models.Q(article__gte=1), name="provision_article"),
            models.CheckConstraint(
                condition=models.Q(subparagraph="") | models.Q(paragraph__gte=1),
                name="provision_subparagraph_of_a_paragraph",
            ),
        ]
        indexes = [
            # The by-article page and the dashboard's filter: the records under article N.
            models.Index(fields=["article", "declaration"], name="provision_article_index"),
        ]

    def __str__(self):
        return str(Article(self.article, self.paragraph, self.subparagraph))


@receiver([post_save, post_delete], sender=Declaration)
def _advance_revision(sender, **kwargs):
    Revision.advance()
