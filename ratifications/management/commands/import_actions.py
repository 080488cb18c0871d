from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ratifications.importing import ImportFailed, decode, plan_import
from ratifications.models import Treaty


class Command(BaseCommand):
    help = (
        "Import actions from a CSV file (participant,action,date,place,notification,note,"
        "source) as verified actions of a treaty. Every row is checked against the treaty's "
        "rules first; on any error nothing is written, each error is printed as "
        "'line N: message' and the command exits non-zero. Rows already recorded are "
        "reported as already there, so importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file (UTF-8, header row required).")
        parser.add_argument("--treaty", required=True, help="The treaty's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, path, treaty, dry_run, **options):
        try:
            treaty = Treaty.objects.get(slug=treaty)
        except Treaty.DoesNotExist:
            raise CommandError(f"No treaty {treaty!r}.") from None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            plan = plan_import(decode(data), treaty)
        except ValueError as exc:
            raise CommandError(f"line 1: {exc}") from None
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(plan.errors)} error(s); nothing was imported.")
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(plan.new)} to add, {len(plan.already_there)} already there; "
                "nothing written."
            )
            return
        try:
            added = plan.apply()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{added} added, {len(plan.already_there)} already there.")
