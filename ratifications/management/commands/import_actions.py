from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from ratifications.importing import MAX_ERRORS, Errors, ImportFailed, RowList, plan_import
from ratifications.models import Treaty
from ratifications.rules import ActionKind

# Files at least this large get a progress bar on a terminal (about 8,000 rows).
PROGRESS_FROM_BYTES = 500_000


class ProgressBar:
    """One line redrawn in place on a terminal: `Checking [######......]  45%`."""

    WIDTH = 30

    def __init__(self, stream: OutputWrapper, label: str):
        self.stream, self.label, self.shown = stream, label, -1

    def __call__(self, done: int, total: int) -> None:
        percent = min(100, 100 * done // total) if total else 100
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.WIDTH * percent // 100
        bar = "#" * filled + "." * (self.WIDTH - filled)
        # Plain: stderr's style on a terminal is the red of errors.
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}%", style_func=plain, ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.shown >= 0:
            self.stream.write("", style_func=plain)


def named_treaty(slug: str) -> Treaty:
    """The treaty of this slug, or a CommandError naming the known ones."""
    try:
        return Treaty.objects.get(slug=slug)
    except Treaty.DoesNotExist:
        known = ", ".join(Treaty.objects.values_list("slug", flat=True)) or "none loaded"
        raise CommandError(f"No treaty {slug!r} (known: {known}).") from None


def plain(text: str) -> str:
    return text


def by_kind(rows: RowList) -> str:
    counts = Counter(row.kind for row in rows)
    return ", ".join(f"{kind.value} {counts[kind]}" for kind in ActionKind if counts[kind])


class Command(BaseCommand):
    help = (
        "Import actions from a CSV file (participant,action,date,place,notification,note,"
        "source; see docs/import-export.md) as verified actions of a treaty. Every row is "
        "checked first, with the same rules as the forms; on any error nothing is written, "
        "every error is printed as 'line N: message' (only the first "
        f"{MAX_ERRORS} by line and the count of each kind with --first-errors), and "
        "the command exits non-zero. Rows already recorded are reported as already there, so "
        "importing the same file twice changes nothing. --dry-run checks and reports without "
        "writing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file (UTF-8, header row required).")
        parser.add_argument("--treaty", required=True, help="The treaty's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--first-errors",
            action="store_true",
            help=f"Print only the first {MAX_ERRORS} errors, then how many of each kind "
            "(a file wrong on every line: memory stays flat).",
        )

    def handle(self, *args, path, treaty, dry_run, first_errors, **options):
        treaty = named_treaty(treaty)
        path = Path(path)
        try:
            with path.open("rb"):
                size = path.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        show_progress = self.stderr.isatty() and size >= PROGRESS_FROM_BYTES

        bar = ProgressBar(self.stderr, "Checking") if show_progress else None
        plan = plan_import(
            path, treaty, progress=bar, max_errors=MAX_ERRORS if first_errors else None
        )
        if bar:
            bar.close()
        if not plan.ok:
            self.write_errors(plan.errors)
            raise CommandError(
                f"{len(plan.errors)} error(s) in {path}; nothing was imported. "
                "Correct the file and run the command again."
            )
        new, already_there = plan.new, plan.already_there
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(new)} to add, {len(already_there)} already there; nothing written."
            )
            self.write_breakdown("to add", new)
            return

        bar = ProgressBar(self.stderr, "Writing ") if show_progress else None
        try:
            added = plan.apply(progress=bar)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar:
                bar.close()
        self.stdout.write(f"{added} added, {len(already_there)} already there.")
        self.write_breakdown("added", new)

    def write_errors(self, errors: Errors) -> None:
        for error in errors:
            self.stderr.write(str(error))
        if errors.more:
            kinds = "; ".join(f"{kind.label}: {count}" for kind, count in errors.by_kind())
            self.stderr.write(
                f"...and {errors.more} more error(s), not printed (without --first-errors, "
                f"all are). All {len(errors)} by kind: {kinds}."
            )

    def write_breakdown(self, label: str, rows: RowList) -> None:
        if rows:
            self.stdout.write(f"  {label}: {by_kind(rows)}")
