from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ratifications.importing import ImportFailed, decode, plan_import
from ratifications.models import Treaty

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
# Treaty slug -> its verified status file.
STATUS_FILES = {"hanoi-convention": "hanoi_status.csv"}


class Command(BaseCommand):
    help = (
        "Load the shipped participants, treaties and verified status from fixtures/. "
        "Rows are matched by natural key (ISO alpha-3 code, treaty slug; actions by "
        "participant, kind and date), so running it again changes nothing; a row "
        "whose values differ from the fixture is brought in line with it. "
        "All or nothing: on any error the database is left as it was."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            for name in ("participants.json", "treaties.json"):
                added, changed, unchanged = self.load_fixture(FIXTURES / name)
                self.stdout.write(
                    f"{name}: {added} added, {changed} updated, {unchanged} unchanged"
                )
            for slug, name in STATUS_FILES.items():
                plan = plan_import(
                    decode((FIXTURES / name).read_bytes()), Treaty.objects.get(slug=slug)
                )
                if not plan.ok:
                    raise CommandError(
                        "\n".join([f"{name} is not valid:", *(str(e) for e in plan.errors)])
                    )
                try:
                    added = plan.apply()
                except ImportFailed as exc:
                    raise CommandError(str(exc)) from None
                self.stdout.write(
                    f"{name}: {added} actions added, {len(plan.already_there)} already there"
                )

    def load_fixture(self, path: Path) -> tuple[int, int, int]:
        added = changed = unchanged = 0
        deferred = []
        with path.open(encoding="utf-8") as stream:
            for item in serializers.deserialize("json", stream, handle_forward_references=True):
                new = item.object
                model = type(new)
                old = model.objects.filter(pk=new.pk).first() if new.pk else None
                if old is not None and not self.differs(old, new, item.m2m_data):
                    unchanged += 1
                else:
                    added, changed = (added + 1, changed) if old is None else (added, changed + 1)
                    # A plain save, not a raw fixture load, so the audit trail records it.
                    new.save()
                    for name, pks in item.m2m_data.items():
                        getattr(new, name).set(pks)
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
