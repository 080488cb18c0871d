from django.core.management.base import CommandError

from declarations.importing import export_rows, exported
from ratifications.importing import write_csv
from ratifications.management.commands import export_actions
from ratifications.management.commands.import_actions import named_treaty


class Command(export_actions.Command):
    help = (
        "Write a treaty's verified declarations, reservations, objections, withdrawals and "
        "notifications as CSV, in the format import_declarations reads (docs/open-data.md): "
        "importing the export into a database without them gives back the same records, "
        "refs included. With --contacts, the contact details of notifications too, which the "
        "public CSV never has: keep such a file as you would the staff's own. Writes to PATH, "
        "or to standard output."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--contacts",
            action="store_true",
            help="Add the contact details of notifications (staff only; never published).",
        )

    def handle(self, *args, path, treaty, contacts, **options):
        treaty = named_treaty(treaty)
        records = exported(treaty, contacts=contacts)
        if path:
            try:
                with open(path, "w", encoding="utf-8", newline="") as stream:
                    count = write_csv(stream, export_rows(records, contacts=contacts))
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
            self.stdout.write(f"{count} declarations written to {path}.")
        else:
            write_csv(self.stdout, export_rows(records, contacts=contacts))
