import datetime as dt
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from ratifications.models import Treaty


class Command(BaseCommand):
    help = (
        "Print a treaty's status as of a date (default: today in New York): verified "
        "actions only, computed by the same function as the status API. --json prints "
        "exactly the API's JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The treaty's slug, e.g. hanoi-convention.")
        parser.add_argument("--as-of", help="A date, YYYY-MM-DD.")
        parser.add_argument("--json", action="store_true", help="Print the status API's JSON.")

    def handle(self, *args, slug, as_of, json: bool, **options):
        try:
            treaty = Treaty.objects.get(slug=slug)
        except Treaty.DoesNotExist:
            known = ", ".join(Treaty.objects.values_list("slug", flat=True)) or "none loaded"
            raise CommandError(f"No treaty {slug!r} (known: {known}).") from None
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}.") from None
        result = treaty.status(day)
        if json:
            self.stdout.write(jsonlib.dumps(result.as_json(), ensure_ascii=False, indent=2))
        else:
            self.write_text(result)

    def write_text(self, result):
        s = result.status
        lines = [
            f"{result.treaty.short_name} ({result.treaty.slug})",
            f"As of {s.as_of.isoformat()} (New York)",
            f"Signatories: {s.signatories}",
            f"Parties: {s.parties}",
            f"Instruments counted: {s.instruments_counted} of {s.threshold} "
            f"({s.remaining} more needed)",
        ]
        if s.threshold_reached_on:
            lines.append(f"Threshold reached on: {s.threshold_reached_on.isoformat()}")
            state = "in force since" if s.in_force else "enters into force on"
            lines.append(f"Entry into force: {state} {s.entry_into_force.isoformat()}")
        else:
            lines.append("Entry into force: not yet known (threshold not reached)")
        if s.days_until_signature_closes is not None:
            closes = result.treaty.signature_closes_on
            lines.append(
                f"Signature closes on {closes.isoformat()}: "
                f"{s.days_until_signature_closes} days from {s.as_of.isoformat()}"
            )
        if result.data_as_of:
            lines.append(f"Data as of: {result.data_as_of.isoformat()}")
        self.stdout.write("\n".join(lines))
