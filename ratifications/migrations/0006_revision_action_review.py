"""The record's revision replaces the per-treaty change counters and their triggers;
an action's `state` (of its review) is called `review`, so that "State" means a country.
"""

import django.utils.timezone
from django.db import migrations, models

DROP_TRIGGERS = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS ratifications_action_inserted ON ratifications_action",
        "DROP TRIGGER IF EXISTS ratifications_action_updated ON ratifications_action",
        "DROP TRIGGER IF EXISTS ratifications_action_deleted ON ratifications_action",
        "DROP TRIGGER IF EXISTS ratifications_action_truncated ON ratifications_action",
        "DROP FUNCTION IF EXISTS ratifications_verified_actions_changed()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS ratifications_action_inserted",
        "DROP TRIGGER IF EXISTS ratifications_action_updated",
        "DROP TRIGGER IF EXISTS ratifications_action_deleted",
    ],
}
REVIEWS = [
    ("pending", "Pending verification"),
    ("verified", "Verified"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
]


def drop_triggers(apps, schema_editor):
    for statement in DROP_TRIGGERS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def first_revision(apps, schema_editor):
    apps.get_model("ratifications", "Revision").objects.create(pk=1, number=1)


def review_field():
    return models.CharField(
        "review", max_length=10, choices=REVIEWS, default="pending"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ratifications", "0005_merge_treaty_names_and_changes"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="TreatyChanges"),
        migrations.CreateModel(
            name="Revision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(first_revision, migrations.RunPython.noop),
        # Every constraint and index that names the column goes, then comes back under the new name.
        migrations.RemoveConstraint(model_name="action", name="action_one_verified_signature"),
        migrations.RemoveConstraint(model_name="action", name="action_verified_once"),
        migrations.RemoveConstraint(model_name="action", name="action_rejection_has_reason"),
        migrations.RemoveConstraint(model_name="action", name="action_state_valid"),
        migrations.RemoveConstraint(model_name="action", name="action_reviewed_unless_pending"),
        migrations.RemoveIndex(model_name="action", name="action_treaty_state_date"),
        migrations.RemoveIndex(model_name="action", name="action_pending_queue"),
        migrations.RenameField(model_name="action", old_name="state", new_name="review"),
        migrations.RenameField(model_name="historicalaction", old_name="state", new_name="review"),
        migrations.AlterField(model_name="action", name="review", field=review_field()),
        migrations.AlterField(model_name="historicalaction", name="review", field=review_field()),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["treaty", "review", "date"], name="action_treaty_review_date"),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("review", "pending")),
                fields=["submitted_at"],
                name="action_pending_queue",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(("review__in", ["pending", "verified", "rejected", "withdrawn"])),
                name="action_review_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "signature"), ("review", "verified")),
                fields=("treaty", "participant"),
                name="action_one_verified_signature",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.UniqueConstraint(
                condition=models.Q(("review", "verified")),
                fields=("treaty", "participant", "kind", "date"),
                name="action_verified_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(("review", "rejected"), _negated=True)
                | models.Q(("rejection_reason", ""), _negated=True),
                name="action_rejection_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="action",
            constraint=models.CheckConstraint(
                condition=models.Q(("review__in", ["pending", "withdrawn"]), ("reviewed_at__isnull", True))
                | models.Q(("review__in", ["verified", "rejected"]), ("reviewed_at__isnull", False)),
                name="action_reviewed_unless_pending",
            ),
        ),
    ]
