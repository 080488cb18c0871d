from django.core.management.base import BaseCommand, CommandError

from ratifications.importing import export_rows, write_csv
from ratifications.management.commands.import_actions import named_treaty
from ratifications.models import Action


class Command(BaseCommand):
    help = (
        "Write a treaty's verified actions as CSV, in the format import_actions reads "
        "(docs/import-export.md): importing the export into an empty database reproduces "
        "the same status. Participants are written by their UN name. Writes to PATH, or "
        "to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write; standard output if absent.")
        parser.add_argument("--treaty", required=True, help="The treaty's slug.")

    def handle(self, *args, path, treaty, **options):
        treaty = named_treaty(treaty)
        actions = (
            Action.objects.verified()
            .for_treaty(treaty)
            .select_related("participant")
            .order_by("date", "participant__name", "kind")
        )
        if path:
            try:
                with open(path, "w", encoding="utf-8", newline="") as stream:
                    count = self.write(stream, actions)
            except OSError as exc:
                raise CommandError(f"Cannot write {path}: {exc.strerror}.") from None
            self.stdout.write(f"{count} actions written to {path}.")
        else:
            self.write(self.stdout, actions)

    @staticmethod
    def write(stream, actions) -> int:
        return write_csv(stream, export_rows(actions.iterator(chunk_size=2000)))
