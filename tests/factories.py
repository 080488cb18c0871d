import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from declarations.models import Declaration
from declarations.rules import Kind as DeclarationKind
from declarations.rules import Made
from ratifications.models import Action, Treaty
from ratifications.rules import ActionKind
from states.models import Kind, Participant, RegionalGroup


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _code(n: int, length: int) -> str:
    """A code starting with a digit: never one of the real ISO codes of the fixtures."""
    rest = ""
    for _ in range(length - 1):
        n, digit = divmod(n, 36)
        rest = _BASE36[digit] + rest
    return str(n % 10) + rest


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        django_get_or_create = ["iso3"]

    name = factory.Sequence(lambda n: f"Republic of Testland {n}")
    iso2 = factory.Sequence(lambda n: _code(n, 2))
    iso3 = factory.Sequence(lambda n: _code(n, 3))
    m49 = None
    kind = Kind.MEMBER_STATE
    regional_group = RegionalGroup.AFRICAN


class OrganizationFactory(ParticipantFactory):
    name = factory.Sequence(lambda n: f"Test Union {n}")
    kind = Kind.REIO
    regional_group = ""


class TreatyFactory(factory.django.DjangoModelFactory):
    """Final clauses like the Hanoi Convention's."""

    class Meta:
        model = Treaty
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"test-treaty-{n}")
    short_name = factory.Sequence(lambda n: f"Test Convention {n}")
    title = factory.LazyAttribute(lambda t: t.short_name)
    adopted_on = dt.date(2024, 12, 24)
    signature_opens_on = dt.date(2025, 10, 25)
    signature_closes_on = dt.date(2026, 12, 31)
    threshold = 40
    entry_into_force_days = 90
    later_entry_into_force_days = 30


class ActionFactory(factory.django.DjangoModelFactory):
    """A verified signature unless the test says otherwise."""

    class Meta:
        model = Action

    treaty = factory.SubFactory(TreatyFactory)
    participant = factory.SubFactory(ParticipantFactory)
    kind = ActionKind.SIGNATURE
    date = dt.date(2025, 10, 25)
    review = Action.Review.VERIFIED
    reviewed_at = factory.LazyAttribute(
        lambda a: None if a.review == Action.Review.PENDING else timezone.now()
    )
    source = "Test fixture"


class MissionStaffFactory(UserFactory):
    """A member of a mission's staff: `MissionStaffFactory(missions=[participant])`."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def missions(self, create, participants, **kwargs):
        from accounts.models import MissionMembership

        for participant in participants or [ParticipantFactory()]:
            MissionMembership.objects.create(user=self, participant=participant)


class DepositaryStaffFactory(UserFactory):
    """A member of the depositary's staff (the group the accounts migration creates)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        from accounts.models import depositary_group

        self.groups.add(depositary_group())


class SubmissionFactory(ActionFactory):
    """A mission's pending submission."""

    review = Action.Review.PENDING
    submitted_by = factory.SubFactory(UserFactory)


class DeclarationFactory(factory.django.DjangoModelFactory):
    """A verified reservation made upon signature, on no article, unless the test says otherwise:
    give it a `treaty` and a `participant` whose signature (of `date`) is recorded."""

    class Meta:
        model = Declaration

    treaty = factory.SubFactory(TreatyFactory)
    participant = factory.SubFactory(ParticipantFactory)
    kind = DeclarationKind.RESERVATION
    made = Made.SIGNATURE
    date = dt.date(2025, 10, 25)
    review = Declaration.Review.VERIFIED
    reviewed_at = factory.LazyAttribute(
        lambda d: None if d.review == Declaration.Review.PENDING else timezone.now()
    )
    source = "Test fixture"
