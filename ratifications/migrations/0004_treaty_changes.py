"""TreatyChanges, kept by triggers on the actions table (docs/performance.md).

Any statement that inserts, updates or deletes a verified action (one that is
verified before or after it) adds one to its treaty's `changes` and sets
`changed_at` to the database's clock; a TRUNCATE of the actions counts for every
treaty. On PostgreSQL once a statement (a bulk INSERT of a thousand rows counts
once); on SQLite once a row.
"""

from django.db import migrations, models
from django.db.models import Count, Max

POSTGRESQL = """
CREATE FUNCTION ratifications_verified_actions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    treaties bigint[] := '{}';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE ratifications_treatychanges
        SET changes = changes + 1, changed_at = clock_timestamp();
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        treaties := treaties || ARRAY(SELECT treaty_id FROM new_rows WHERE state = 'verified');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        treaties := treaties || ARRAY(SELECT treaty_id FROM old_rows WHERE state = 'verified');
    END IF;
    INSERT INTO ratifications_treatychanges AS counted (treaty_id, changes, changed_at)
    SELECT treaty, 1, clock_timestamp() FROM (SELECT DISTINCT unnest(treaties) AS treaty) AS changed
    ON CONFLICT (treaty_id) DO UPDATE
    SET changes = counted.changes + 1, changed_at = excluded.changed_at;
    RETURN NULL;
END
$$;
CREATE TRIGGER ratifications_action_inserted AFTER INSERT ON ratifications_action
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ratifications_verified_actions_changed();
CREATE TRIGGER ratifications_action_updated AFTER UPDATE ON ratifications_action
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ratifications_verified_actions_changed();
CREATE TRIGGER ratifications_action_deleted AFTER DELETE ON ratifications_action
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ratifications_verified_actions_changed();
CREATE TRIGGER ratifications_action_truncated AFTER TRUNCATE ON ratifications_action
    FOR EACH STATEMENT EXECUTE FUNCTION ratifications_verified_actions_changed();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER ratifications_action_inserted ON ratifications_action;
DROP TRIGGER ratifications_action_updated ON ratifications_action;
DROP TRIGGER ratifications_action_deleted ON ratifications_action;
DROP TRIGGER ratifications_action_truncated ON ratifications_action;
DROP FUNCTION ratifications_verified_actions_changed();
"""


def _sqlite_count(treaty: str) -> str:
    return (
        "INSERT INTO ratifications_treatychanges (treaty_id, changes, changed_at) "
        f"VALUES ({treaty}, 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
        "ON CONFLICT (treaty_id) DO UPDATE "
        "SET changes = changes + 1, changed_at = excluded.changed_at;"
    )


SQLITE = [
    "CREATE TRIGGER ratifications_action_inserted AFTER INSERT ON ratifications_action "
    f"WHEN NEW.state = 'verified' BEGIN {_sqlite_count('NEW.treaty_id')} END",
    "CREATE TRIGGER ratifications_action_updated AFTER UPDATE ON ratifications_action "
    "WHEN NEW.state = 'verified' OR OLD.state = 'verified' "
    f"BEGIN {_sqlite_count('NEW.treaty_id')} {_sqlite_count('OLD.treaty_id')} END",
    "CREATE TRIGGER ratifications_action_deleted AFTER DELETE ON ratifications_action "
    f"WHEN OLD.state = 'verified' BEGIN {_sqlite_count('OLD.treaty_id')} END",
]

SQLITE_REVERSE = [
    "DROP TRIGGER ratifications_action_inserted",
    "DROP TRIGGER ratifications_action_updated",
    "DROP TRIGGER ratifications_action_deleted",
]


def count_what_is_there(apps, schema_editor):
    """The verified actions already recorded, as if each had been one change."""
    Action = apps.get_model("ratifications", "Action")
    TreatyChanges = apps.get_model("ratifications", "TreatyChanges")
    found = (
        Action.objects.filter(state="verified")
        .values("treaty_id")
        .annotate(changes=Count("pk"), changed_at=Max("updated_at"))
        .order_by()
    )
    TreatyChanges.objects.bulk_create(TreatyChanges(**row) for row in found)


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [POSTGRESQL] if vendor == "postgresql" else SQLITE:
        # No parameters: the SQL's own % signs are not placeholders.
        schema_editor.execute(statement, params=None)


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in [POSTGRESQL_REVERSE] if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("ratifications", "0003_workflow_version_withdrawn_declaration"),
    ]

    operations = [
        migrations.CreateModel(
            name="TreatyChanges",
            fields=[
                ("treaty_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("changes", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(null=True)),
            ],
            options={"verbose_name_plural": "treaty changes"},
        ),
        migrations.RunPython(count_what_is_there, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
