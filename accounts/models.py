"""Roles: mission staff are linked to participants; depositary staff are a group.

Administrators (superusers) manage both in the Django admin. Who may do what is
decided from `request.user` by the small functions below, never in templates.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

from states.models import Participant

# The group created by the 0002 migration; its permissions make depositary staff.
DEPOSITARY_GROUP = "Depositary staff"
DEPOSITARY_PERMISSIONS = ["verify_action", "import_actions"]
VERIFY_PERMISSION = "ratifications.verify_action"
IMPORT_PERMISSION = "ratifications.import_actions"


def depositary_group() -> Group:
    """The depositary staff group, with its permissions (again, if a flush removed it)."""
    group, created = Group.objects.get_or_create(name=DEPOSITARY_GROUP)
    if created:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="ratifications", codename__in=DEPOSITARY_PERMISSIONS
            )
        )
    return group


class MissionMembership(models.Model):
    """A user who works for a participant's mission and may submit its actions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mission_memberships"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="mission_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mission membership")
        constraints = [
            models.UniqueConstraint(fields=["user", "participant"], name="membership_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.participant}"


def missions_of(user):
    """The participants whose mission this user works for (none for anonymous users)."""
    if not user.is_authenticated:
        return Participant.objects.none()
    return Participant.objects.filter(mission_memberships__user=user)


def is_mission_staff(user) -> bool:
    return user.is_authenticated and user.mission_memberships.exists()


def is_depositary_staff(user) -> bool:
    return user.is_authenticated and user.has_perm(VERIFY_PERMISSION)


def can_import(user) -> bool:
    """Depositary staff and administrators: whoever may import actions in bulk."""
    return user.is_authenticated and user.has_perm(IMPORT_PERMISSION)


def mission_staff_emails(participant) -> list[str]:
    """Where news of a participant's submissions goes: every active staff member with an email."""
    return sorted(
        MissionMembership.objects.filter(participant=participant, user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
