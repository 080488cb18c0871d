from pathlib import Path

from django.core.management.base import CommandError

from declarations.importing import plan_declarations
from ratifications.importing import MAX_ERRORS, ImportFailed
from ratifications.management.commands import import_actions
from ratifications.management.commands.import_actions import named_treaty


class Command(import_actions.Command):
    help = (
        "Import declarations, reservations, objections, withdrawals and notifications from a "
        "CSV file (ref,participant,kind,made,date,articles,answers,subject,authority,language,"
        "text,text_english,notification,source,note, and the contact columns; see "
        "docs/open-data.md) as verified records of a treaty. Every row is checked first, with "
        "the same rules as the forms; on any error nothing is written, every error is printed "
        "as 'line N: message' (only the first "
        f"{MAX_ERRORS} with --first-errors), and the command exits non-zero. A row whose ref "
        "is recorded with the same values is already there, so importing the same file twice "
        "changes nothing. --dry-run checks and reports without writing."
    )

    def handle(self, *args, path, treaty, dry_run, first_errors, **options):
        treaty = named_treaty(treaty)
        path = Path(path)
        try:
            plan = plan_declarations(path, treaty, max_errors=MAX_ERRORS if first_errors else None)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        if not plan.ok:
            self.write_errors(plan.errors)
            raise CommandError(
                f"{len(plan.errors)} error(s) in {path}; nothing was imported. "
                "Correct the file and run the command again."
            )
        new, already_there = len(plan.new), len(plan.already_there)
        if dry_run:
            self.stdout.write(
                f"Dry run: {new} to add, {already_there} already there; nothing written."
            )
            return
        try:
            added = plan.apply()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{added} added, {already_there} already there.")
