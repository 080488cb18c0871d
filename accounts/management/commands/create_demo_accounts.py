from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import MissionMembership, depositary_group
from states.models import Participant

# Demo only: these accounts exist on a developer's machine, never in production.
PASSWORD = "treatytrack-demo"
ACCOUNTS = [
    # username, role, mission (ISO alpha-3), superuser
    ("mission-vnm", "mission staff of Viet Nam", "VNM", False),
    ("mission-eu", "mission staff of the European Union", "EUU", False),
    ("depositary", "depositary staff (verifies submissions)", None, False),
    ("admin", "administrator (the Django admin)", None, True),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) one demo account per role, all with the password "
        f"{PASSWORD!r}, so that a developer can try every role locally. Refuses when "
        "DEBUG is off: production never has these accounts. `make run` calls it."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are for local development only: DEBUG is off, nothing created."
            )
        User = get_user_model()
        with transaction.atomic():
            group = depositary_group()
            for username, _role, iso3, superuser in ACCOUNTS:
                user, _ = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.org"}
                )
                user.set_password(PASSWORD)
                user.is_staff = user.is_superuser = superuser
                user.save()
                if iso3:
                    participant = Participant.objects.get(iso3=iso3)
                    MissionMembership.objects.get_or_create(user=user, participant=participant)
                elif not superuser:
                    user.groups.add(group)
        self.stdout.write("Demo accounts (local development only) at /accounts/login/:")
        for username, role, _, _ in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role}")
        self.stdout.write(f"Password for each: {PASSWORD}")
