import csv
import datetime as dt
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, transaction

from declarations.importing import plan_declarations
from ratifications.importing import OPTIONAL, ImportFailed, plan_import
from ratifications.models import Action, Treaty
from reports.models import Report
from states.models import Participant, match_key

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# Treaty slug -> its verified status file, and its declarations (declarations/importing.py).
STATUS_FILES = {"hanoi-convention": "hanoi_status.csv"}
# Treaty slug -> what governments and the press reported after it (reports/models.py).
REPORT_FILES = {"hanoi-convention": "hanoi_reports_2026.csv"}
DECLARATION_FILES = {"hanoi-convention": "hanoi_declarations.csv"}


class Command(BaseCommand):
    help = (
        "Load the shipped participants, treaties, verified status, declarations and reports "
        "from fixtures/ (or --fixtures DIR). Rows are matched by natural key (ISO alpha-3 "
        "code, treaty slug; actions by participant, kind and date; declarations by ref; "
        "reports by participant, kind, date and source), so running it again changes "
        "nothing; a row whose values differ from the fixture (a participant's name, an "
        "action's place, notification, note or source) is brought in line with it. "
        "All or nothing: on any error the database is left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            type=Path,
            default=FIXTURES,
            help="The directory holding participants.json, treaties.json, the status "
            "files and the reports files (default: the project's fixtures/).",
        )

    def handle(self, *args, fixtures: Path, **options):
        with transaction.atomic():
            for name in ("participants.json", "treaties.json"):
                added, changed, unchanged = self.load_fixture(fixtures / name)
                self.stdout.write(
                    f"{name}: {added} added, {changed} updated, {unchanged} unchanged"
                )
            for slug, name in STATUS_FILES.items():
                self.load_status(fixtures / name, Treaty.objects.get(slug=slug))
            for slug, name in DECLARATION_FILES.items():
                self.load_status(fixtures / name, Treaty.objects.get(slug=slug), plan_declarations)
            for slug, name in REPORT_FILES.items():
                self.load_reports(fixtures / name, Treaty.objects.get(slug=slug))

    def load_reports(self, path: Path, treaty: Treaty) -> None:
        try:
            added, changed, unchanged = Report.objects.load_csv(path, treaty)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except ValueError as exc:
            raise CommandError(f"{path.name} is not valid; nothing was loaded:\n{exc}") from None
        self.stdout.write(
            f"{path.name}: {added} reports added, {changed} updated, {unchanged} unchanged"
        )

    def load_status(self, path: Path, treaty: Treaty, plan_file=plan_import) -> None:
        """A file of actions (or, with `plan_declarations`, of declarations), all or nothing."""
        actions = plan_file is plan_import
        updated = self.update_recorded(path, treaty) if actions else 0
        try:
            plan = plan_file(path, treaty)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        if not plan.ok:
            raise CommandError(
                "\n".join(
                    [
                        f"{path.name} is not valid; nothing was loaded:",
                        *(str(error) for error in plan.errors),
                    ]
                )
            )
        try:
            added = plan.apply()
        except ImportFailed as exc:
            raise CommandError(str(exc)) from None
        unchanged = len(plan.already_there) - updated
        what = "actions" if actions else "declarations"
        self.stdout.write(
            f"{path.name}: {added} {what} added, {updated} updated, {unchanged} unchanged"
        )

    def update_recorded(self, path: Path, treaty: Treaty) -> int:
        """Give the recorded actions the file lists its place, notification, note and source.

        The shipped file is the authority on what it ships: a source rewritten there
        (a working note become a citation) reaches databases loaded before, where the
        import alone would refuse the row as saying something else about a recorded
        action. Rows are matched as the import matches them (participant, action,
        date); a row that does not read is left to the import's check below, which
        reports it with its line, and the whole load is then undone.
        """
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                rows = list(csv.DictReader(stream))
        except (OSError, UnicodeDecodeError, csv.Error):
            return 0
        names = Participant.objects.name_index()
        recorded = {
            (action.participant_id, action.kind, action.date): action
            for action in Action.objects.verified().for_treaty(treaty)
        }
        updated = 0
        for row in rows:
            cells = {
                name.strip().lower(): unicodedata.normalize("NFC", (value or "").strip())
                for name, value in row.items()
                if isinstance(name, str)
            }
            participant = names.get(match_key(cells.get("participant", "")))
            kind = cells.get("action", "").lower().replace(" ", "_").replace("-", "_")
            try:
                date = dt.date.fromisoformat(cells.get("date", ""))
            except ValueError:
                continue
            action = participant and recorded.get((participant.pk, kind, date))
            if not action:
                continue
            # A column the file has says what the field holds, empty included.
            wanted = {name: cells[name] for name in OPTIONAL if name in cells}
            if all(getattr(action, name) == value for name, value in wanted.items()):
                continue
            for name, value in wanted.items():
                setattr(action, name, value)
            action._change_reason = f"brought in line with {path.name}"
            action.save(update_fields=[*wanted, "updated_at"])
            updated += 1
        return updated

    def load_fixture(self, path: Path) -> tuple[int, int, int]:
        try:
            with path.open(encoding="utf-8") as stream:
                return self.load_objects(stream)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except (DeserializationError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path.name} is not valid; nothing was loaded: {exc}") from None
        except FixtureObjectError as exc:
            raise CommandError(
                f"{path.name}, object {exc.number} ({exc.label}) is not valid; nothing was "
                f"loaded: {exc.message}"
            ) from None

    def load_objects(self, stream) -> tuple[int, int, int]:
        added = changed = unchanged = 0
        deferred = []
        objects = serializers.deserialize("json", stream, handle_forward_references=True)
        for number, item in enumerate(objects, 1):
            new = item.object
            model = type(new)
            try:
                # Field by field (length, choices) before the database sees it,
                # which SQLite would not check; constraints are the database's.
                new.clean_fields()
                old = model.objects.filter(pk=new.pk).first() if new.pk else None
                if old is not None and not self.differs(old, new, item.m2m_data):
                    unchanged += 1
                else:
                    added, changed = (added + 1, changed) if old is None else (added, changed + 1)
                    # A plain save, not a raw fixture load, so the audit trail records it.
                    new.save()
                    for name, pks in item.m2m_data.items():
                        getattr(new, name).set(pks)
            except ValidationError as exc:
                raise FixtureObjectError(number, new, "; ".join(exc.messages)) from None
            except DatabaseError as exc:
                raise FixtureObjectError(number, new, str(exc).splitlines()[0]) from None
            if item.deferred_fields:
                deferred.append(item)
        for item in deferred:
            # Many-to-many links to rows further down the file (the EU's members).
            item.save_deferred_fields()
        return added, changed, unchanged

    @staticmethod
    def differs(old, new, m2m_data) -> bool:
        for field in old._meta.concrete_fields:
            if getattr(old, field.attname) != getattr(new, field.attname):
                return True
        for name, pks in (m2m_data or {}).items():
            if set(getattr(old, name).values_list("pk", flat=True)) != set(pks):
                return True
        return False


class FixtureObjectError(Exception):
    def __init__(self, number: int, obj, message: str):
        self.number, self.label, self.message = number, str(obj) or repr(obj), message
