from django.core.management.base import BaseCommand, CommandError

from ratifications.importing import export_rows, write_csv
from ratifications.models import Action, Treaty


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
        try:
            treaty = Treaty.objects.get(slug=treaty)
        except Treaty.DoesNotExist:
            known = ", ".join(Treaty.objects.values_list("slug", flat=True)) or "none loaded"
            raise CommandError(f"No treaty {treaty!r} (known: {known}).") from None
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
