from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from depositary import untc
from depositary.models import Dismissal, Reconciliation, Refused
from ratifications.models import Treaty


class Command(BaseCommand):
    help = (
        "Compare a treaty's verified record with the depositary's status file (the UN Treaty "
        "Collection's MTDSG XML, a path or an http(s) address; by default the treaty's "
        "status_file_url) and print one line per difference: missing here, missing there, "
        "date differs, type differs, participant not matched (names are matched through the "
        "participants' aliases, never guessed); then 'N differences'. Only signatures and "
        "instruments are compared, and, when the file says when its status was, nothing "
        "recorded after that day. The check is recorded (the dashboard says when the record "
        "was last checked). With --apply, what is missing here is recorded as verified "
        "actions, through the same rules as an import, all or nothing, with a source naming "
        "the file's 'status as at' time; a difference the depositary dismissed, or an action "
        "the file marks as no longer in effect, is not. Running it again prints only what "
        "remains. A file that cannot be read, or is another treaty's, is refused: nothing is "
        "recorded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path_or_url",
            nargs="?",
            help="The status file: a path, or an http(s) address (default: the treaty's "
            "status_file_url).",
        )
        parser.add_argument("--treaty", required=True, help="The treaty's slug.")
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Record what is missing here as verified actions, all or nothing.",
        )

    def handle(self, *args, path_or_url, treaty, apply, **options):
        try:
            treaty = Treaty.objects.get(slug=treaty)
        except Treaty.DoesNotExist:
            known = ", ".join(Treaty.objects.values_list("slug", flat=True)) or "none loaded"
            raise CommandError(f"No treaty {treaty!r} (known: {known}).") from None
        source = path_or_url or treaty.status_file_url
        if not source:
            raise CommandError(
                f"{treaty.slug} has no status_file_url: give the status file's path or address."
            )
        try:
            file = untc.read(self.read(source), max_bytes=settings.UNTC_MAX_BYTES)
            origin = Reconciliation.Origin.COMMAND
            check = Reconciliation.objects.check_file(file, treaty, origin=origin, source=source)
        except (untc.Unreadable, untc.FetchFailed) as error:
            problems = getattr(error, "problems", [str(error)])
            raise CommandError(
                "\n".join([f"{source} was not read; nothing was recorded:", *problems])
            ) from None
        for warning in file.count_mismatches():
            self.stderr.write(f"warning: {warning}")

        dismissed = {d.key: d for d in Dismissal.objects.filter(treaty=treaty)}
        stored = list(check.differences.select_related("participant"))
        to_record = [d for d in stored if d.can_be_recorded and d.key not in dismissed]
        if apply:
            try:
                check.record_missing(to_record)
            except Refused as error:
                raise CommandError(
                    "\n".join(
                        [
                            "Nothing was recorded: the rules refuse what is missing here.",
                            *error.problems,
                        ]
                    )
                ) from None
        for found, difference in zip(check.found_items, stored, strict=True):
            note = ""
            if dismissal := dismissed.get(difference.key):
                who = dismissal.dismissed_by.get_username() if dismissal.dismissed_by else "?"
                day = timezone.localdate(dismissal.dismissed_at).isoformat()
                note = f" (dismissed by {who} on {day}: {dismissal.reason})"
            elif apply and difference in to_record:
                note = " (recorded now as verified)"
            elif apply and difference.kind == untc.Difference.MISSING_HERE:
                note = " (not recorded: no longer in effect; record it by hand, with what ended it)"
            self.stdout.write(f"{found}{note}")
        count = len(stored)
        self.stdout.write(f"{count} difference{'' if count == 1 else 's'}")

    def read(self, source: str) -> bytes:
        limit = settings.UNTC_MAX_BYTES
        if source.startswith(("https://", "http://")):
            return untc.fetch(source, timeout=settings.UNTC_FETCH_TIMEOUT, max_bytes=limit)
        path = Path(source)
        try:
            with path.open("rb") as stream:
                # Never more than the limit and a byte, whatever the file's size.
                data = stream.read(limit + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        if len(data) > limit:
            raise untc.Unreadable([untc.too_large(path.stat().st_size, limit)])
        return data
