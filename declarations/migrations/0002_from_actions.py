"""The declarations recorded on actions become records of their own.

An action of the kind `declaration` (notified on its own) becomes a declaration made later;
the declarations an action carried become a declaration made upon it (upon signature, or
upon the instrument). Each keeps its text, articles, date, notification, source, note and
review (who submitted and verified it, and when); its audit trail starts with a version
saying where it came from. The actions of the kind `declaration` are then deleted, with a
last version in their own audit trail saying where they went.

What was recorded is kept and nothing is guessed: the kind is "declaration" (an action of
the old kind "Declaration or reservation" does not say which), the language is not recorded,
and articles that cannot be read stay in the note.
"""

import uuid

from django.db import migrations, models
from django.utils import timezone

from declarations.articles import canonical, parse

INSTRUMENTS = {"ratification", "acceptance", "approval", "accession", "succession"}
INSTRUMENTS.add("formal_confirmation")
COPIED = [
    "treaty_id",
    "participant_id",
    "date",
    "notification",
    "source",
    "review",
    "submitted_by_id",
    "submitted_at",
    "reviewed_by_id",
    "reviewed_at",
    "rejection_reason",
    "undo_reason",
    "version",
]


def _made(kind: str) -> str:
    if kind == "signature":
        return "signature"
    return "instrument" if kind in INSTRUMENTS else "later"


def move(apps, schema_editor):
    Action = apps.get_model("ratifications", "Action")
    HistoricalAction = apps.get_model("ratifications", "HistoricalAction")
    Declaration = apps.get_model("declarations", "Declaration")
    HistoricalDeclaration = apps.get_model("declarations", "HistoricalDeclaration")
    Provision = apps.get_model("declarations", "Provision")
    now = timezone.now()
    moved = []
    for action in Action.objects.exclude(declarations="").order_by("pk"):
        note = action.note if action.kind == "declaration" else ""
        try:
            cited = parse(action.declaration_articles)
        except ValueError:
            cited = []
            recorded = f"Articles as first recorded: {action.declaration_articles}"
            note = f"{note}\n{recorded}".strip()
        declaration = Declaration.objects.create(
            ref=str(uuid.uuid4()),
            kind="declaration",
            made=_made(action.kind),
            articles=canonical(cited),
            text=action.declarations,
            note=note,
            **{name: getattr(action, name) for name in COPIED},
        )
        Provision.objects.bulk_create(
            Provision(declaration=declaration, **article._asdict()) for article in cited
        )
        HistoricalDeclaration.objects.create(
            history_date=now,
            history_type="+",
            history_change_reason="moved from actions",
            **{
                field.attname: getattr(declaration, field.attname)
                for field in Declaration._meta.concrete_fields
            },
        )
        if action.kind == "declaration":
            moved.append(action)
    for action in moved:
        HistoricalAction.objects.create(
            history_date=now,
            history_type="-",
            history_change_reason="moved to declarations",
            **{field.attname: getattr(action, field.attname) for field in Action._meta.concrete_fields},
        )
        action.delete()
    if Declaration.objects.exists():
        # What the public pages show changed: no copy made before may be served again.
        Revision = apps.get_model("ratifications", "Revision")
        Revision.objects.update(number=models.F("number") + 1, changed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0001_initial"),
        ("ratifications", "0008_action_instrument_dates"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
